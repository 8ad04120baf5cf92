import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { requestLineLog } from '../log.js';
import { hasMetricsToken, methodLabel, observeHttpRequest, sendMetrics } from './metrics.js';
import { REQUEST_ID_HEADER, runWithRequestFacts, type RequestFacts } from './requestContext.js';

const VALID_REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** A caller's X-Request-Id when it is safe to log and echo; otherwise a fresh one. */
export function requestIdFor(incoming: string | string[] | undefined): string {
  return typeof incoming === 'string' && VALID_REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

const FIXED_ROUTES = new Set(['/', '/graphql', '/healthz', '/readyz', '/metrics']);

/**
 * The route a request is logged and counted under: a fixed set of names, never the raw path
 * or query string (which are client input and unbounded).
 */
export function routeOf(url: string | undefined, authRoutes: ReadonlySet<string>): string {
  const raw = url ?? '/';
  const queryStart = raw.search(/[?#]/);
  const path = queryStart === -1 ? raw : raw.slice(0, queryStart);
  if (FIXED_ROUTES.has(path)) return path;
  if (path.startsWith('/api/auth/')) {
    const route = path.slice('/api/auth'.length);
    return authRoutes.has(route) ? `/api/auth${route}` : '/api/auth/*';
  }
  if (path.startsWith('/graphql/')) return '/graphql/*';
  if (path.startsWith('/assets/')) return '/assets/*';
  return '/*';
}

export interface RequestObserverOptions {
  /** Better Auth routes (e.g. "/sign-in/email") logged by name; others as /api/auth/*. */
  authRoutes: Iterable<string>;
  /** When set, GET /metrics with this bearer token answers the metrics; otherwise /metrics is 404 here. */
  metricsToken: string | undefined;
}

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

/**
 * Wraps the app's request listener: a request id (honoured or generated, echoed in
 * X-Request-Id), one JSON log line per request with only safe fields, HTTP metrics, and
 * the token-protected /metrics endpoint.
 */
export function observeRequests(handle: Handler, { authRoutes, metricsToken }: RequestObserverOptions): Handler {
  const knownAuthRoutes = new Set(authRoutes);
  return (request, response) => {
    const started = performance.now();
    const route = routeOf(request.url, knownAuthRoutes);
    const requestId = requestIdFor(request.headers[REQUEST_ID_HEADER]);
    response.setHeader('X-Request-Id', requestId);
    const facts: RequestFacts = { requestId };
    // One line and one metric when the exchange ends: 'close' follows 'finish' for every response,
    // and comes alone when the client went away first (aborted).
    response.once('close', () => {
      const method = methodLabel(request.method);
      // Until headers are sent, statusCode is only the default 200: a client that left before
      // any answer got no status at all (null in the line, "0" in the metric).
      const status = response.headersSent ? response.statusCode : null;
      const durationMs = performance.now() - started;
      requestLineLog[status !== null && status >= 500 ? 'error' : 'info'](
        {
          requestId,
          log: 'request',
          req: { method, route },
          res: { status },
          durationMs: Math.round(durationMs),
          ...(facts.operationName ? { operationName: facts.operationName } : {}),
          ...(facts.userId ? { userId: facts.userId } : {}),
          ...(response.writableFinished ? {} : { aborted: true }),
        },
        `${method} ${route} ${status ?? 'aborted'}`,
      );
      observeHttpRequest({ method, route, status: status ?? 0 }, durationMs / 1000);
    });
    runWithRequestFacts(facts, () => {
      if (route === '/metrics') {
        if (!metricsToken) return notFound(response);
        if (!hasMetricsToken(request, metricsToken)) {
          response.writeHead(401, { 'WWW-Authenticate': 'Bearer realm="metrics"', 'Content-Type': 'text/plain; charset=utf-8' }).end('unauthorized\n');
          return;
        }
        return void sendMetrics(response);
      }
      handle(request, response);
    });
  };
}

function notFound(response: ServerResponse) {
  response.writeHead(404, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  response.end(JSON.stringify({ error: 'not_found', message: 'Not found.' }));
}
