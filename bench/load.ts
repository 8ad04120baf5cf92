// The load generator: one autocannon run in its own process, so the server's event loop and the
// client's never share a thread. Started by bench/run.ts with a JSON LoadSpec as its argument;
// prints one JSON LoadResult line on stdout.
//
// autocannon's own latency histogram has 1 ms resolution (its lowest discernible value is 1),
// too coarse for sub-millisecond requests, so every 2xx response time is also recorded here
// from autocannon's 'response' event (a float in ms, measured with process.hrtime).
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
  /** Open-loop: at most this many requests per second across all connections (default: as fast as answered). */
  overallRate?: number;
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
        ...(spec.overallRate ? { overallRate: spec.overallRate } : {}),
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
    if (onResponse) {
      // The emitter passes the client first: (client, statusCode, bytes, responseTimeMs).
      (instance as unknown as NodeJS.EventEmitter).on('response', (_client: unknown, status: number, _bytes: number, ms: number) =>
        onResponse(status, ms),
      );
    }
  });
}

const percentile = (sorted: Float64Array, p: number) =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

export async function measure(spec: LoadSpec): Promise<LoadResult> {
  if (spec.warmup > 0) await runOnce(spec, spec.warmup);
  let latencies = new Float64Array(1 << 16);
  let count = 0;
  // autocannon's own duration is rounded and includes connecting; time the responses instead.
  let first = 0;
  let last = 0;
  const result = await runOnce(spec, spec.duration, (status, ms) => {
    last = performance.now();
    if (first === 0) first = last - ms;
    if (status < 200 || status >= 300) return;
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
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const spec = JSON.parse(process.argv[2] ?? '') as LoadSpec;
  const result = await measure(spec);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
