// Preloaded into the servers of rows S1 and SY by bench/run.ts: on SIGUSR2, a full GC through the
// in-process inspector, then the heap in use is written as JSON to HEAP_PROBE_FILE. RSS, which
// those rows also print, counts the free heap a warm process keeps, so it blurs a few KB per stream.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

const session = new Session();
session.connect();
process.on('SIGUSR2', () => {
  session.post('HeapProfiler.collectGarbage', () => {
    writeFileSync(process.env.HEAP_PROBE_FILE, JSON.stringify({ heapUsedBytes: process.memoryUsage().heapUsed }));
  });
});
