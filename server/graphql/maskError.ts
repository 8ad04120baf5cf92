import { PothosValidationError } from '@pothos/core';
import { GraphQLError } from 'graphql';
import { maskError as yogaMaskError, type YogaMaskedErrorOpts } from 'graphql-yoga';
import { apiError, serviceUnavailableError } from './errors.js';

type MaskError = NonNullable<YogaMaskedErrorOpts['maskError']>;

function originalErrorOf(error: unknown): unknown {
  return error instanceof GraphQLError && error.originalError ? originalErrorOf(error.originalError) : error;
}

/**
 * Connection-level failures (PostgreSQL down, pool exhausted, connection closed): the client
 * may retry. Matched on Prisma's error codes and the driver adapters' error kinds.
 */
const UNAVAILABLE_PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2037']);
const UNAVAILABLE_ADAPTER_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections', 'TlsConnectionError']);
const UNAVAILABLE_SYSTEM_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EPIPE', '57P01', '57P03']);

export function isDatabaseUnavailable(error: unknown): boolean {
  // Breadth-first through the error's causes and, for Prisma's raw-query errors (P2010), the
  // driver adapter's error kept in `meta`: a bounded walk, whatever the error holds.
  const queue: unknown[] = [error];
  for (let visited = 0; queue.length > 0 && visited < 12; visited++) {
    const current = queue.shift();
    if (!current || typeof current !== 'object') continue;
    const candidate = current as {
      name?: string;
      code?: unknown;
      cause?: unknown;
      kind?: unknown;
      message?: unknown;
      meta?: unknown;
      driverAdapterError?: unknown;
    };
    if (candidate.name === 'PrismaClientInitializationError') return true;
    if (typeof candidate.code === 'string' && (UNAVAILABLE_PRISMA_CODES.has(candidate.code) || UNAVAILABLE_SYSTEM_CODES.has(candidate.code))) return true;
    if (typeof candidate.kind === 'string' && UNAVAILABLE_ADAPTER_KINDS.has(candidate.kind)) return true;
    if (typeof candidate.message === 'string' && /timeout exceeded when trying to connect|Connection terminated|connect ECONNREFUSED/i.test(candidate.message))
      return true;
    queue.push(candidate.cause, candidate.meta, candidate.driverAdapterError);
  }
  return false;
}

/**
 * Masks unexpected errors (no stack, cause or SQL reaches a client) but keeps the ones a client
 * caused, with a code it can act on. Task-list cursors are checked before the prisma plugin parses
 * them (schema/taskList.ts); the cursor case here is the safety net for any other connection.
 */
export const maskError: MaskError = (error, message, isDev) => {
  const original = originalErrorOf(error);
  if (isDatabaseUnavailable(original)) {
    const path = error instanceof GraphQLError ? error.path : undefined;
    const unavailable = serviceUnavailableError();
    return new GraphQLError(unavailable.message, { path, extensions: unavailable.extensions });
  }
  if (original instanceof PothosValidationError && /cursor/i.test(original.message)) {
    const path = error instanceof GraphQLError ? error.path : undefined;
    const masked = apiError('BAD_USER_INPUT', 'Invalid pagination cursor: pass a cursor this API returned.', { field: 'after' });
    return new GraphQLError(masked.message, { path, extensions: masked.extensions });
  }
  // Yoga's JSON body parser puts the parser's message in extensions.originalError, and that quotes
  // the client's body back: the message and code already say what is wrong.
  if (error instanceof GraphQLError && error.extensions?.originalError !== undefined) {
    const { originalError: _parserDetail, ...extensions } = error.extensions;
    return new GraphQLError(error.message, { nodes: error.nodes, path: error.path, extensions });
  }
  return yogaMaskError(error, message, isDev);
};
