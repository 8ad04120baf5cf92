import type { GraphQLError } from './client.js';

export const TASK_EVENTS = `subscription { taskEvents { kind taskId at task { id title completed owner { id } } } }`;

export interface SseMessage {
  event: string;
  data: { data?: any; errors?: GraphQLError[] } | null;
}

export interface SseStream {
  status: number;
  headers: Headers;
  /** The JSON body when the server refused to open a stream. */
  refusal: any;
  messages: SseMessage[];
  /** Arrival times of keep-alive comments (ms since epoch). */
  keepAlives: number[];
  /** Resolves with the next `count` messages not yet taken, or rejects after `timeoutMs`. */
  take(count: number, timeoutMs?: number): Promise<SseMessage[]>;
  /** Resolves once the server ended the response. */
  ended: Promise<void>;
  close(): void;
}

/** GraphQL over SSE as a plain client sends it: POST /graphql with Accept: text/event-stream. */
export async function subscribe(
  baseUrl: string,
  options: { token?: string; query?: string; variables?: Record<string, unknown>; method?: 'GET' | 'POST' } = {},
): Promise<SseStream> {
  const abort = new AbortController();
  const query = options.query ?? TASK_EVENTS;
  const headers: Record<string, string> = { accept: 'text/event-stream', ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) };
  const response =
    options.method === 'GET'
      ? await fetch(`${baseUrl}/graphql?query=${encodeURIComponent(query)}`, { headers, signal: abort.signal })
      : await fetch(`${baseUrl}/graphql`, {
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/json' },
          body: JSON.stringify({ query, variables: options.variables }),
          signal: abort.signal,
        });
  const messages: SseMessage[] = [];
  const keepAlives: number[] = [];
  let taken = 0;
  let wake: (() => void) | undefined;
  let endedResolve!: () => void;
  const ended = new Promise<void>((resolve) => (endedResolve = resolve));
  let refusal: any;
  if (!response.headers.get('content-type')?.includes('text/event-stream')) {
    const text = await response.text();
    try {
      refusal = JSON.parse(text);
    } catch {
      refusal = text;
    }
    endedResolve();
  } else {
    void (async () => {
      const decoder = new TextDecoder();
      let buffer = '';
      try {
        for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
          buffer += decoder.decode(chunk, { stream: true });
          let boundary;
          while ((boundary = buffer.indexOf('\n\n')) !== -1) {
            const block = buffer.slice(0, boundary);
            buffer = buffer.slice(boundary + 2);
            if (block.startsWith(':')) {
              keepAlives.push(Date.now());
              continue;
            }
            let event = 'message';
            let data = '';
            for (const line of block.split('\n')) {
              if (line.startsWith('event:')) event = line.slice(6).trim();
              else if (line.startsWith('data:')) data += line.slice(5).trim();
            }
            messages.push({ event, data: data ? JSON.parse(data) : null });
            wake?.();
          }
        }
      } catch {
        // aborted by close()
      }
      endedResolve();
      wake?.();
    })();
  }
  let finished = false;
  void ended.then(() => (finished = true));
  return {
    status: response.status,
    headers: response.headers,
    refusal,
    messages,
    keepAlives,
    ended,
    take: async (count, timeoutMs = 5000) => {
      const deadline = Date.now() + timeoutMs;
      while (messages.length < taken + count) {
        if (finished) throw new Error(`stream ended after ${messages.length - taken} of ${count} messages: ${JSON.stringify(messages.slice(taken))}`);
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`timed out waiting for ${count} messages, got ${messages.length - taken}: ${JSON.stringify(messages.slice(taken))}`);
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, Math.min(left, 200));
        });
      }
      const result = messages.slice(taken, taken + count);
      taken += count;
      return result;
    },
    close: () => abort.abort(),
  };
}
