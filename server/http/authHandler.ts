import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServerAdapter } from '@whatwg-node/server';
import { logAuthEvent } from '../auth/events.js';
import { CLIENT_IP_HEADER } from '../auth/betterAuth.js';
import { isDatabaseUnavailable } from '../graphql/maskError.js';
import { log, summarizeError } from '../log.js';

/** The adapter's server context when it serves a Node request. */
interface NodeContext {
  req: IncomingMessage;
  res: ServerResponse;
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...headers } });

/** An error escaping Better Auth must not crash the process: 503 when the database is down, else 500, without details. */
function failedAuthResponse(error: unknown): Response {
  log.error({ err: summarizeError(error) }, 'auth request failed');
  return isDatabaseUnavailable(error)
    ? json(503, { code: 'SERVICE_UNAVAILABLE', message: 'The database is unavailable right now; retry shortly.' }, { 'Retry-After': '1' })
    : json(500, { code: 'INTERNAL_SERVER_ERROR', message: 'Unexpected error.' });
}

/**
 * Better Auth's Fetch handler behind a Fetch-API adapter (@whatwg-node/server, Yoga's own), so
 * what we add works on Request/Response objects: the client IP resolved by the router goes in as
 * the one header Better Auth reads it from (replacing whatever the client sent), and its 429s go
 * out with the standard Retry-After (it sets only X-Retry-After) and an entry in the security log.
 */
export function createAuthHandler(
  handle: (request: Request) => Promise<Response>,
  clientIp: (request: IncomingMessage) => string,
  routedPathOf: (request: IncomingMessage) => string,
) {
  const adapter = createServerAdapter<NodeContext>(async (request, { req }) => {
    const path = new URL(request.url).pathname;
    // Better Auth must act on the route the allowlist let through, not on one the adapter's URL
    // parsing derived differently (a dot segment, a Host header carrying a path).
    if (path !== routedPathOf(req)) return json(400, { code: 'BAD_REQUEST', message: 'Malformed request URL.' });
    const ip = clientIp(req);
    request.headers.set(CLIENT_IP_HEADER, ip);
    let response: Response;
    try {
      response = await handle(request);
    } catch (error) {
      return failedAuthResponse(error);
    }
    if (response.status !== 429) return response;
    logAuthEvent('rate_limited', { ip, path });
    const retryAfter = response.headers.get('x-retry-after');
    if (!retryAfter || response.headers.has('retry-after')) return response;
    const headers = new Headers(response.headers);
    headers.set('Retry-After', retryAfter);
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
  });
  return (request: IncomingMessage, response: ServerResponse) => adapter.requestListener(request, response);
}
