import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServerAdapter } from '@whatwg-node/server';
import { logAuthEvent } from '../auth/events.js';
import { CLIENT_IP_HEADER } from '../auth/betterAuth.js';
import { jsonResponse, nodeListenerWithoutStackTraces } from './adapterBoundary.js';

/** The adapter's server context when it serves a Node request. */
interface NodeContext {
  req: IncomingMessage;
  res: ServerResponse;
}

/**
 * Better Auth's Fetch handler behind a Fetch-API adapter (@whatwg-node/server, Yoga's own), so
 * what we add works on Request/Response objects: the client IP resolved by the router goes in as
 * the one header Better Auth reads it from (replacing whatever the client sent), and its 429s go
 * out with the standard Retry-After (it sets only X-Retry-After) and an entry in the security log.
 * An error escaping Better Auth is answered 503 (database down) or 500, without details (adapterBoundary.ts).
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
    if (path !== routedPathOf(req)) return jsonResponse(400, { code: 'BAD_REQUEST', message: 'Malformed request URL.' });
    const ip = clientIp(req);
    request.headers.set(CLIENT_IP_HEADER, ip);
    const response = await handle(request);
    if (response.status !== 429) return response;
    logAuthEvent('rate_limited', { ip, path });
    const retryAfter = response.headers.get('x-retry-after');
    if (!retryAfter || response.headers.has('retry-after')) return response;
    const headers = new Headers(response.headers);
    headers.set('Retry-After', retryAfter);
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
  });
  return nodeListenerWithoutStackTraces(adapter, 'auth');
}
