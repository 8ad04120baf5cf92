// The live-stream client for rows S1–S3 and S2pg: holds many GraphQL-over-SSE streams
// (POST /graphql, Accept: text/event-stream, one TCP connection each) in its own process, so
// neither the server nor the writer (bench/liveWriter.ts) shares its event loop. Started by
// bench/run.ts with an IPC channel; it answers these messages:
//
//   { type: 'open', url, query, tokens: string[] } → { type: 'opened', open, refused, ms }
//        one stream per token (a user's token appears once per stream of that user); streams are
//        numbered in the order their tokens were sent, across open commands
//   { type: 'collect' }                            → { type: 'events', arrivals, ended, keepAlives }
//        every CREATED event since the last collect: [taskId, stream index, arrival time]
//   { type: 'close' }                              → closes every stream and exits
//
// Arrival times are process.hrtime() in ms, i.e. CLOCK_MONOTONIC on Linux: one clock for every
// process on the machine, so they compare directly with the writer's response times.
import { request, type ClientRequest } from 'node:http';

export type Arrival = [taskId: string, stream: number, atMs: number];

export type StreamCommand = { type: 'open'; url: string; query: string; tokens: string[] } | { type: 'collect' } | { type: 'close' };

export type StreamReply =
  | { type: 'opened'; open: number; refused: string[]; ms: number }
  | { type: 'events'; arrivals: Arrival[]; ended: number; keepAlives: number; otherMessages: string[] };

/** Monotonic milliseconds, comparable across processes on one Linux machine. */
export const monotonicMs = () => Number(process.hrtime.bigint()) / 1e6;

const requests: ClientRequest[] = [];
let arrivals: Arrival[] = [];
let ended = 0;
let keepAlives = 0;
let otherMessages: string[] = [];
/** Tokens received by earlier open commands: the next stream's number. */
let numbered = 0;

/** Opens one stream; resolves once the server has answered with its headers (200 or a refusal). */
function openStream(url: URL, query: string, token: string, index: number): Promise<string | null> {
  const body = JSON.stringify({ query });
  return new Promise((resolve) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: '/graphql',
        method: 'POST',
        agent: false, // a connection of its own, as a browser tab's stream would have
        headers: {
          accept: 'text/event-stream',
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          authorization: `Bearer ${token}`,
        },
      },
      (res) => {
        if (res.statusCode !== 200 || !String(res.headers['content-type']).includes('text/event-stream')) {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve(`${res.statusCode} ${text.slice(0, 300)}`));
          return;
        }
        requests.push(req);
        resolve(null);
        res.setEncoding('utf8');
        let buffer = '';
        res.on('data', (chunk: string) => {
          const at = monotonicMs();
          buffer += chunk;
          let boundary;
          while ((boundary = buffer.indexOf('\n\n')) !== -1) {
            const block = buffer.slice(0, boundary);
            buffer = buffer.slice(boundary + 2);
            if (block.startsWith(':')) {
              keepAlives += 1;
              continue;
            }
            const data = block
              .split('\n')
              .filter((line) => line.startsWith('data:'))
              .map((line) => line.slice(5).trim())
              .join('');
            // Cheaper than JSON.parse for the one field the row needs; anything else is kept verbatim.
            const match = /"kind":"CREATED","taskId":"([^"]+)"/.exec(data);
            if (match) arrivals.push([match[1]!, index, at]);
            else if (otherMessages.length < 20) otherMessages.push(block.slice(0, 300));
          }
        });
        res.once('close', () => (ended += 1));
      },
    );
    req.once('error', (error) => resolve(`error ${error.message}`));
    req.end(body);
  });
}

async function openAll(command: Extract<StreamCommand, { type: 'open' }>): Promise<StreamReply> {
  const started = performance.now();
  const url = new URL(command.url);
  const refused: string[] = [];
  const base = numbered;
  numbered += command.tokens.length;
  let next = 0;
  // A few at a time: a thousand simultaneous connects would mostly measure the accept queue.
  await Promise.all(
    Array.from({ length: 20 }, async () => {
      while (next < command.tokens.length) {
        const index = next++;
        const failure = await openStream(url, command.query, command.tokens[index]!, base + index);
        if (failure) refused.push(failure);
      }
    }),
  );
  return { type: 'opened', open: requests.length, refused: refused.slice(0, 5), ms: performance.now() - started };
}

if (process.send && import.meta.url === `file://${process.argv[1]}`) {
  const reply = (message: StreamReply) => process.send!(message);
  process.on('message', (command: StreamCommand) => {
    if (command.type === 'open') void openAll(command).then(reply);
    else if (command.type === 'collect') {
      reply({ type: 'events', arrivals, ended, keepAlives, otherMessages });
      arrivals = [];
      otherMessages = [];
    } else if (command.type === 'close') {
      for (const req of requests) req.destroy();
      process.disconnect();
      setTimeout(() => process.exit(0), 100).unref();
    }
  });
  // The parent gone means the bench ended (or crashed): do not hold a thousand sockets open.
  process.on('disconnect', () => {
    for (const req of requests) req.destroy();
  });
}
