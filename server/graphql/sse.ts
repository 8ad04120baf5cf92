import type { ExecutionResult } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import { apiError } from './errors.js';

const encoder = new TextEncoder();
export const KEEP_ALIVE = encoder.encode(':\n\n');
export const COMPLETE = encoder.encode('event: complete\ndata:\n\n');

/** The headers of an event stream, whichever transport writes it. */
export const EVENT_STREAM_HEADERS = { 'Content-Type': 'text/event-stream', Connection: 'keep-alive', 'Cache-Control': 'no-cache', 'Content-Encoding': 'none' };

export function statusOf(result: ExecutionResult): number {
  const statuses = (result.errors ?? []).map((error) => (error.extensions?.http as { status?: number } | undefined)?.status ?? 500);
  return Math.max(200, ...statuses);
}

export function headersOf(result: ExecutionResult): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const error of result.errors ?? []) Object.assign(headers, (error.extensions?.http as { headers?: Record<string, string> } | undefined)?.headers);
  return headers;
}

/** The body a client sees: Yoga's http extension is for the response status only. */
export function serialize(result: ExecutionResult): string {
  const errors = result.errors?.map((error) => {
    const { http: _http, ...extensions } = (error.toJSON?.() ?? error).extensions ?? {};
    return { ...(error.toJSON?.() ?? error), extensions };
  });
  return JSON.stringify({ ...result, ...(errors ? { errors } : {}) });
}

/** Streams that received the same result object (sharedSubscriptionResults.ts) send the same bytes. */
const encodedFrames = new WeakMap<ExecutionResult, Uint8Array>();

export function nextFrame(result: ExecutionResult): Uint8Array {
  let frame = encodedFrames.get(result);
  if (!frame) encodedFrames.set(result, (frame = encoder.encode(`event: next\ndata: ${serialize(result)}\n\n`)));
  return frame;
}

/** Whether an Accept header lets the answer be an event stream (no header: anything goes). */
export function acceptsEventStream(accept: string | null): boolean {
  if (!accept) return true;
  return accept.split(',').some((range) => {
    const [type = '', ...parameters] = range.split(';').map((part) => part.trim().toLowerCase());
    const refused = parameters.some((parameter) => /^q=0(\.0{0,3})?$/.test(parameter));
    return !refused && ['text/event-stream', 'text/*', '*/*'].includes(type);
  });
}

/**
 * GraphQL over SSE as graphql-yoga writes it (`event: next`, `event: complete`), with three changes
 * Yoga's own processor does not offer: the keep-alive interval is configurable (Yoga's is a fixed
 * 12 s), a subscription refused before it starts (no token, too many streams) is a plain JSON
 * error with its HTTP status (401, 429) instead of a one-event stream, so no stream is opened, and
 * a subscription whose Accept rules out an event stream is refused (406 NOT_ACCEPTABLE) before it starts.
 */
export function serverSentEventsPlugin({ keepAliveMs }: { keepAliveMs: number }): Plugin {
  return {
    onSubscribe({ args, setResultAndStopExecution }) {
      // Refused before the stream exists: Yoga would answer 406 only after the subscription had
      // started, with nobody left to end it.
      const { request } = args.contextValue as { request?: Request };
      if (request && !acceptsEventStream(request.headers.get('accept'))) {
        setResultAndStopExecution({
          errors: [apiError('NOT_ACCEPTABLE', 'A subscription is answered as Server-Sent Events: send Accept: text/event-stream.')],
        });
      }
    },
    onResultProcess({ request, result, setResultProcessor }) {
      if (!request.headers.get('accept')?.includes('text/event-stream')) return;
      if (!isAsyncIterable(result)) {
        const single = Array.isArray(result) ? undefined : (result as ExecutionResult);
        if (!single?.errors?.length || single.data) return;
        setResultProcessor(
          () =>
            new Response(serialize(single), {
              status: statusOf(single),
              headers: { 'Content-Type': 'application/json; charset=utf-8', ...headersOf(single) },
            }),
          'application/json',
        );
        return;
      }
      setResultProcessor((stream) => {
        const iterator = (stream as AsyncIterable<ExecutionResult>)[Symbol.asyncIterator]();
        let keepAlive: NodeJS.Timeout | undefined;
        const body = new ReadableStream<Uint8Array>(
          {
            start(controller) {
              // Some browsers hold fetch() until the first bytes arrive.
              controller.enqueue(KEEP_ALIVE);
              keepAlive = setInterval(() => {
                // Only into an empty queue: a stalled client gets no keep-alives piling up.
                if (controller.desiredSize !== null && controller.desiredSize > 0) controller.enqueue(KEEP_ALIVE);
              }, keepAliveMs);
            },
            async pull(controller) {
              try {
                const { done, value } = await iterator.next();
                if (value != null) controller.enqueue(nextFrame(value));
                if (done) {
                  controller.enqueue(COMPLETE);
                  clearInterval(keepAlive);
                  controller.close();
                }
              } catch (error) {
                clearInterval(keepAlive);
                controller.error(error);
              }
            },
            async cancel() {
              clearInterval(keepAlive);
              await iterator.return?.();
            },
          },
          { highWaterMark: 1 },
        );
        return new Response(body, {
          status: 200,
          headers: EVENT_STREAM_HEADERS,
        });
      }, 'text/event-stream');
    },
  };
}
