// SQL statement counts per HTTP request, for tests and diagnosis: with TASKFORT_SQL_STATS=1 the
// server logs one JSON line per finished request, e.g.
//   {"level":"info",…,"log":"sql","method":"POST","path":"/graphql","status":200,"requestId":"…","ms":1.2,"statements":1,"sql":["SELECT …"]}
// (requestId: the request log's id — the caller's valid X-Request-Id — so a caller can find the line for its request).
// Off by default: it costs an AsyncLocalStorage context per request and a wrapper per query.
import { AsyncLocalStorage } from 'node:async_hooks';
import { subscribe } from 'node:diagnostics_channel';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SqlDriverAdapter, SqlDriverAdapterFactory, Transaction } from '@prisma/driver-adapter-utils';
import { log } from '../log.js';
import { REQUEST_ID_HEADER } from '../observability/requestContext.js';

interface RequestStatements {
  sql: string[];
}

const current = new AsyncLocalStorage<RequestStatements>();
let subscribed = false;

const MAX_SQL_LOGGED = 300;

function record(sql: string) {
  current.getStore()?.sql.push(sql.length > MAX_SQL_LOGGED ? `${sql.slice(0, MAX_SQL_LOGGED)}…` : sql);
}

/**
 * Opens a statement log for every HTTP request as Node starts handling it (the
 * `http.server.request.start` diagnostics channel fires just before the server's 'request'
 * event, in the same synchronous turn, so the handler and everything it awaits see the log),
 * and prints it when the response finishes. No change to the request handlers is needed.
 */
function logStatementsPerRequest() {
  if (subscribed) return;
  subscribed = true;
  subscribe('http.server.request.start', (message) => {
    const { request, response } = message as { request: IncomingMessage; response: ServerResponse };
    const statements: RequestStatements = { sql: [] };
    const started = performance.now();
    current.enterWith(statements);
    response.once('finish', () => {
      const path = (request.url ?? '/').split('?')[0];
      // The request log's id (the caller's valid X-Request-Id, or a generated one), as echoed.
      const echoed = response.getHeader(REQUEST_ID_HEADER);
      const requestId = typeof echoed === 'string' ? echoed : null;
      log.info({
        log: 'sql',
        method: request.method,
        path,
        status: response.statusCode,
        requestId,
        ms: Math.round((performance.now() - started) * 100) / 100,
        statements: statements.sql.length,
        sql: statements.sql,
      });
    });
  });
}

/** Counts the statements an adapter or one of its transactions runs (a transaction has no executeScript/startTransaction). */
function countStatements<T extends Transaction | SqlDriverAdapter>(queryable: T): T {
  return new Proxy(queryable, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      if (property === 'queryRaw' || property === 'executeRaw') {
        return (query: { sql: string }) => {
          record(query.sql);
          return value.call(target, query);
        };
      }
      if (property === 'executeScript') {
        return (script: string) => {
          record(script);
          return value.call(target, script);
        };
      }
      if (property === 'startTransaction') {
        return async (...args: unknown[]) => {
          record('BEGIN'); // the adapters send it themselves, not through queryRaw
          return countStatements(await value.apply(target, args));
        };
      }
      return value.bind(target);
    },
  });
}

/**
 * When enabled (TASKFORT_SQL_STATS=1), wraps a Prisma driver adapter factory so every statement it runs
 * is counted against the HTTP request that caused it; otherwise returns the factory unchanged.
 */
export function withSqlStats<F extends SqlDriverAdapterFactory>(factory: F, enabled: boolean): F {
  if (!enabled) return factory;
  logStatementsPerRequest();
  return new Proxy(factory, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      if (property === 'connect' || property === 'connectToShadowDb') {
        return async () => countStatements(await value.call(target));
      }
      return value.bind(target);
    },
  });
}
