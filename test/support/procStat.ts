// Reading Linux's /proc: the process tree and CPU time of a server under test or bench.
import { readdirSync, readFileSync } from 'node:fs';

const MS_PER_CLOCK_TICK = 10; // USER_HZ is 100 on Linux

/** One stat file, of a process (/proc/PID/stat) or a thread (/proc/PID/task/TID/stat): its parent and its CPU time (utime + stime) so far. */
export function readProcStat(path: string): { ppid: number; cpuMs: number } {
  const stat = readFileSync(path, 'utf8');
  // After "pid (comm) ": state ppid … utime (14th field overall, index 11 here) stime (12).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { ppid: Number(fields[1]), cpuMs: (Number(fields[11]) + Number(fields[12])) * MS_PER_CLOCK_TICK };
}

/** `rootPid` and every process descended from it (cluster workers, helpers). */
export function processTree(rootPid: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      parents.set(Number(entry), readProcStat(`/proc/${entry}/stat`).ppid);
    } catch {
      // the process ended while we looked
    }
  }
  const tree = [rootPid];
  for (let i = 0; i < tree.length; i++) for (const [pid, ppid] of parents) if (ppid === tree[i]) tree.push(pid);
  return tree;
}

/** CPU time (ms) used so far by a process and its descendants. */
export function cpuMsOfTree(rootPid: number): number {
  let cpuMs = 0;
  for (const pid of processTree(rootPid)) {
    try {
      cpuMs += readProcStat(`/proc/${pid}/stat`).cpuMs;
    } catch {
      // the process ended while we looked
    }
  }
  return cpuMs;
}
