import { PothosValidationError } from '@pothos/core';
import { GraphQLError } from 'graphql';
import { maskError as yogaMaskError, type YogaMaskedErrorOpts } from 'graphql-yoga';
import { apiError } from './errors.js';

type MaskError = NonNullable<YogaMaskedErrorOpts['maskError']>;

function originalErrorOf(error: unknown): unknown {
  return error instanceof GraphQLError && error.originalError ? originalErrorOf(error.originalError) : error;
}

/**
 * Masks unexpected errors (no stack, cause or SQL reaches a client) but keeps the ones a client
 * caused, with a code it can act on: a malformed pagination cursor is bad input, not a crash.
 */
export const maskError: MaskError = (error, message, isDev) => {
  const original = originalErrorOf(error);
  if (original instanceof PothosValidationError && /cursor/i.test(original.message)) {
    const path = error instanceof GraphQLError ? error.path : undefined;
    const masked = apiError('BAD_USER_INPUT', 'Invalid pagination cursor: pass a cursor this API returned.', { field: 'after' });
    return new GraphQLError(masked.message, { path, extensions: masked.extensions });
  }
  return yogaMaskError(error, message, isDev);
};
