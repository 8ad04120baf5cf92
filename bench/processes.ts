// Child processes of the bench: load generators and helpers run apart from the measured server,
// and the server's CPU time is read from /proc (shared by bench/run.ts and bench/ab.ts).
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../test/support/server.js';
import type { LoadResult, LoadSpec } from './load.js';

/** Runs bench/load.ts in a child process: autocannon never shares the server's event loop. */
export function runLoad(spec: LoadSpec): Promise<LoadResult> {
  return runChild<LoadResult>('bench/load.ts', spec);
}

/** Runs a bench script in a child process with a JSON spec as its argument; resolves with the last line it prints, parsed. */
export function runChild<T>(script: string, spec: unknown): Promise<T> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, script), JSON.stringify(spec)], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`${script} exited with ${code}`));
      try {
        resolvePromise(JSON.parse(out.trim().split('\n').at(-1)!) as T);
      } catch (error) {
        reject(new Error(`${script} printed no result: ${out.slice(0, 2000)}`, { cause: error }));
      }
    });
  });
}

/** CPU time (ms) used so far by a process and its descendants (cluster workers), from /proc. */
const CLOCK_TICKS_PER_MS = 100 / 1000; // USER_HZ is 100 on Linux
export function cpuMsOfTree(rootPid: number): number {
  const stats = new Map<number, { ppid: number; ticks: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // After "pid (comm) ": state ppid … utime(14th overall → index 11 here) stime(12).
      stats.set(Number(entry), { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // the process ended while we looked
    }
  }
  let ticks = 0;
  const pending = [rootPid];
  while (pending.length) {
    const pid = pending.pop()!;
    ticks += stats.get(pid)?.ticks ?? 0;
    for (const [child, stat] of stats) if (stat.ppid === pid) pending.push(child);
  }
  return ticks / CLOCK_TICKS_PER_MS;
}
