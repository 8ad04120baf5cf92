// The load generator: one autocannon run in its own process, so the server's event loop and the
// client's never share a thread. Started by bench/run.ts with a JSON LoadSpec as its argument;
// prints one JSON LoadResult line on stdout.
//
// autocannon's own latency histogram has 1 ms resolution (its lowest discernible value is 1),
// too coarse for sub-millisecond requests, so every 2xx response time is also recorded here
// from autocannon's 'response' event (a float in ms, measured with process.hrtime).
import { Agent, request } from 'node:http';
import autocannon from 'autocannon';

export interface LoadSpec {
  url: string;
  headers: Record<string, string>;
  body: string;
  connections: number;
  /** Seconds measured. */
  duration: number;
  /** Seconds of load before measuring (JIT, caches, SQLite page cache), not recorded. */
  warmup: number;
  /**
   * Open loop: requests are sent on a fixed schedule, this many per second in total, over up to
   * `connections` keep-alive connections, and each latency counts from the scheduled send time
   * (so time spent queued behind a slow answer is included). autocannon's own rate option sends
   * each connection's quota back to back at the start of every second (all connections in phase),
   * which measures a burst, not a steady load; this mode does not use autocannon.
   */
  pacedRate?: number;
  /** Soak mode: also report p99 and count per window of this many seconds. */
  windowSeconds?: number;
}

export interface LoadWindow {
  /** Seconds since the measured part began, at the window's start. */
  start: number;
  requests: number;
  p99: number;
  max: number;
}

export interface LoadResult {
  requests: number;
  seconds: number;
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  windows?: LoadWindow[];
}

function runOnce(spec: LoadSpec, seconds: number, onResponse?: (status: number, ms: number) => void) {
  return new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: spec.url,
        method: 'POST',
        headers: spec.headers,
        body: spec.body,
        connections: spec.connections,
        duration: seconds,
        timeout: 10,
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
    if (onResponse) {
      // The emitter passes the client first: (client, statusCode, bytes, responseTimeMs).
      (instance as unknown as NodeJS.EventEmitter).on('response', (_client: unknown, status: number, _bytes: number, ms: number) => onResponse(status, ms));
    }
  });
}

/** The open-loop generator: see LoadSpec.pacedRate. */
async function runPaced(spec: LoadSpec, rate: number, seconds: number, onResponse?: (status: number, ms: number) => void) {
  const url = new URL(spec.url);
  const body = Buffer.from(spec.body);
  const agent = new Agent({ keepAlive: true, maxSockets: spec.connections });
  const headers = { ...spec.headers, 'content-length': String(body.length) };
  let errors = 0;
  let inFlight = 0;
  const send = (scheduledAt: number) => {
    inFlight += 1;
    const done = (status: number) => {
      inFlight -= 1;
      if (status === 0) errors += 1;
      onResponse?.(status, performance.now() - scheduledAt);
    };
    const req = request({ agent, host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers }, (res) => {
      res.resume();
      res.once('end', () => done(res.statusCode ?? 0));
    });
    req.once('error', () => done(0));
    req.end(body);
  };
  const interval = 1000 / rate;
  const started = performance.now();
  const end = started + seconds * 1000;
  let next = started;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (next <= now && next < end) {
        send(next);
        next += interval;
      }
      if (next < end) setTimeout(tick, 1);
      else resolve();
    };
    tick();
  });
  while (inFlight > 0) await new Promise((r) => setTimeout(r, 5));
  agent.destroy();
  return { errors, non2xx: 0, timeouts: 0, duration: seconds };
}

const percentile = (sorted: Float64Array, p: number) =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

export async function measure(spec: LoadSpec): Promise<LoadResult> {
  const run = (seconds: number, onResponse?: (status: number, ms: number) => void) =>
    spec.pacedRate ? runPaced(spec, spec.pacedRate, seconds, onResponse) : runOnce(spec, seconds, onResponse);
  if (spec.warmup > 0) await run(spec.warmup);
  let latencies = new Float64Array(1 << 16);
  let count = 0;
  // autocannon's own duration is rounded and includes connecting; time the responses instead.
  let first = 0;
  let last = 0;
  let non2xx = 0;
  const windowMs = (spec.windowSeconds ?? 0) * 1000;
  const windows: number[][] = [];
  const measuredFrom = performance.now();
  const result = await run(spec.duration, (status, ms) => {
    last = performance.now();
    if (first === 0) first = last - ms;
    if (status < 200 || status >= 300) {
      if (status !== 0) non2xx += 1;
      return;
    }
    if (windowMs) (windows[Math.floor((last - measuredFrom) / windowMs)] ??= []).push(ms);
    if (count === latencies.length) {
      const grown = new Float64Array(latencies.length * 2);
      grown.set(latencies);
      latencies = grown;
    }
    latencies[count++] = ms;
  });
  const sorted = latencies.subarray(0, count).sort();
  let sum = 0;
  for (const value of sorted) sum += value;
  return {
    requests: count,
    seconds: (last - first) / 1000,
    rps: count / ((last - first) / 1000),
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1]! : NaN,
    mean: count ? sum / count : NaN,
    non2xx: Math.max(non2xx, result.non2xx),
    errors: result.errors,
    timeouts: result.timeouts,
    ...(windowMs
      ? {
          windows: Array.from(windows, (list, i) => {
            const sortedWindow = Float64Array.from(list ?? []).sort();
            return { start: (i * windowMs) / 1000, requests: sortedWindow.length, p99: percentile(sortedWindow, 99), max: sortedWindow.at(-1) ?? NaN };
          }),
        }
      : {}),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const spec = JSON.parse(process.argv[2] ?? '') as LoadSpec;
  const result = await measure(spec);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
