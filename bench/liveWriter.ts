// The writer for rows S2 and S2pg: createTask at a steady rate (open loop), round-robin over the
// stream users' tokens, in its own process. Started by bench/run.ts with a JSON WriterSpec as its
// argument; prints one JSON WriterResult line on stdout. Each create's response time is taken on
// the same clock as bench/streams.ts's event arrivals (monotonicMs), so run.ts can join them.
import { Agent, request } from 'node:http';
import { monotonicMs } from './streams.js';

export interface WriterSpec {
  /** The node that takes the writes, e.g. http://127.0.0.1:1234 */
  url: string;
  /** One token per user; create number i goes to user i % tokens.length. */
  tokens: string[];
  /** Creates per second, in total. */
  rate: number;
  /**
   * Seconds of writes before the measured ones (their events are not counted), ramping from a
   * tenth of `rate` up to it, so cold nodes warm up without starting the measured part behind.
   */
  warmup: number;
  duration: number;
  /** Keep-alive connections to the node. */
  connections: number;
}

/** [taskId, user index, response arrival (monotonic ms), response time from the scheduled send (ms), 1 = measured]. */
export type Create = [taskId: string, user: number, doneAtMs: number, responseMs: number, measured: 0 | 1];

export interface WriterResult {
  creates: Create[];
  failed: number;
  firstFailure?: string;
  /** Creates still unanswered when the writer stopped waiting (60 s after the last was sent). */
  unanswered: number;
  /** Measured creates answered per second, from the start of the measured part to the last answer. */
  achievedRate: number;
}

const CREATE_ID = 'mutation CreateTask($input: CreateTaskInput!) { createTask(input: $input) { id } }';

export async function write(spec: WriterSpec): Promise<WriterResult> {
  const url = new URL(spec.url);
  const agent = new Agent({ keepAlive: true, maxSockets: spec.connections });
  const creates: Create[] = [];
  let failed = 0;
  let firstFailure: string | undefined;
  let inFlight = 0;
  let sequence = 0;
  const send = (scheduledAt: number, measured: 0 | 1) => {
    const user = sequence % spec.tokens.length;
    const body = JSON.stringify({ query: CREATE_ID, variables: { input: { title: `Live bench ${sequence}` } } });
    sequence += 1;
    inFlight += 1;
    const fail = (why: string) => {
      inFlight -= 1;
      failed += 1;
      firstFailure ??= why;
    };
    const req = request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path: '/graphql',
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/graphql-response+json, application/json',
          'content-length': Buffer.byteLength(body),
          authorization: `Bearer ${spec.tokens[user]}`,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.once('end', () => {
          // The whole response has arrived: this is when a client knows its write is done.
          const doneAt = monotonicMs();
          const id = /"id":"([^"]+)"/.exec(text)?.[1];
          if (res.statusCode !== 200 || !id) return fail(`${res.statusCode} ${text.slice(0, 300)}`);
          inFlight -= 1;
          creates.push([id, user, doneAt, doneAt - scheduledAt, measured]);
        });
      },
    );
    req.once('error', (error) => fail(error.message));
    req.end(body);
  };
  const started = monotonicMs();
  const measuredFrom = started + spec.warmup * 1000;
  const intervalAt = (at: number) => 1000 / (at >= measuredFrom ? spec.rate : spec.rate * (0.1 + (0.9 * (at - started)) / (measuredFrom - started)));
  const end = measuredFrom + spec.duration * 1000;
  let next = started;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = monotonicMs();
      while (next <= now && next < end) {
        send(next, next >= measuredFrom ? 1 : 0);
        next += intervalAt(next);
      }
      if (next < end) setTimeout(tick, 1);
      else resolve();
    };
    tick();
  });
  // A server that cannot keep up answers late: wait for it (the rate achieved says how late).
  const deadline = monotonicMs() + 60_000;
  while (inFlight > 0 && monotonicMs() < deadline) await new Promise((r) => setTimeout(r, 5));
  agent.destroy();
  const measured = creates.filter((create) => create.at(-1) === 1).length;
  return { creates, failed, firstFailure, unanswered: inFlight, achievedRate: measured / ((monotonicMs() - measuredFrom) / 1000) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await write(JSON.parse(process.argv[2] ?? '') as WriterSpec);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
