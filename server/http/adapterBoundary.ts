import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendNodeResponse } from '@whatwg-node/server';
import { isDatabaseUnavailable } from '../graphql/maskError.js';
import { log, summarizeError } from '../log.js';

/** A Fetch-API server adapter (@whatwg-node/server): Yoga, and the one Better Auth runs behind. */
interface FetchApiAdapter {
  handleNodeRequestAndResponse(
    request: IncomingMessage,
    response: ServerResponse,
    context: { req: IncomingMessage; res: ServerResponse },
  ): Response | Promise<Response>;
}

export const jsonResponse = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...headers } });

/** 503 when the database is down (retryable), else the masked 500; the log gets the error's type, code and frames, never its message. */
function unexpectedErrorResponse(error: unknown, handler: string): Response {
  log.error({ err: summarizeError(error), handler }, 'an error escaped the request handler; answered without details');
  return isDatabaseUnavailable(error)
    ? jsonResponse(503, { code: 'SERVICE_UNAVAILABLE', message: 'The database is unavailable right now; retry shortly.' }, { 'Retry-After': '1' })
    : jsonResponse(500, { code: 'INTERNAL_SERVER_ERROR', message: 'Unexpected error.' });
}

/**
 * The adapter's Node request listener, with our answer to an error that escapes it. The adapter's
 * own listener (`requestListener`) answers such an error with `error.stack` as text/plain: the
 * install path, the bundle's line numbers and, for a database error, its message (host and port
 * included). Whatever throws — Yoga, Better Auth, a plugin, a URL the adapter cannot build —
 * the client gets coded JSON instead.
 */
export function nodeListenerWithoutStackTraces(adapter: FetchApiAdapter, handler: string) {
  return (request: IncomingMessage, response: ServerResponse): Promise<void> =>
    sendFetchResponse(() => adapter.handleNodeRequestAndResponse(request, response, { req: request, res: response }), request, response, handler);
}

/** Sends the Fetch-API Response `produce` makes; one that throws is answered as above. */
export async function sendFetchResponse(
  produce: () => Response | Promise<Response>,
  request: IncomingMessage,
  response: ServerResponse,
  handler: string,
): Promise<void> {
  let fetchResponse: Response;
  try {
    fetchResponse = await produce();
  } catch (error) {
    fetchResponse = unexpectedErrorResponse(error, handler);
  }
  try {
    await sendNodeResponse(fetchResponse, response, request, true);
  } catch (error) {
    // Sending failed part-way (a body stream failed, the client went away): end the connection.
    log.error({ err: summarizeError(error), handler }, 'response not completed');
    response.destroy();
  }
}

/** For a handler that writes to the Node response itself: an error it throws is answered as above (or ends the connection). */
export async function sendNodeAnswer(answer: () => Promise<void>, response: ServerResponse, handler: string): Promise<void> {
  try {
    await answer();
  } catch (error) {
    const fetchResponse = unexpectedErrorResponse(error, handler);
    if (response.headersSent) return void response.destroy();
    response.writeHead(fetchResponse.status, Object.fromEntries(fetchResponse.headers));
    response.end(await fetchResponse.text());
  }
}
