// Child processes of the bench: load generators and helpers run apart from the measured server,
// the reference servers and the live-stream client (shared by bench/run.ts, bench/ab.ts and
// bench/streamHeap.ts). The server's CPU time and process tree: test/support/procStat.ts.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { freePort, repoRoot } from '../test/support/server.js';
import type { CeilingOptions } from './ceilings.js';
import type { LoadResult, LoadSpec } from './load.js';
import type { StreamCommand, StreamReply } from './streams.js';

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

export interface Ceiling {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Starts one reference server of bench/ceilings.ts on a free port. */
export async function startCeiling(options: CeilingOptions, env: Record<string, string> = {}): Promise<Ceiling> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'bench/ceilings.ts'), String(port), JSON.stringify(options)], {
    cwd: repoRoot,
    env: { ...process.env, NODE_ENV: 'production', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolveReady, reject) => {
    child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolveReady());
    child.once('exit', (code) => reject(new Error(`ceiling server ${options.kind} exited with ${code}`)));
  });
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  return {
    url: `http://127.0.0.1:${port}`,
    process: child,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** The stream client (bench/streams.ts) in its own process, driven over IPC. */
export interface StreamClient {
  request<T extends StreamReply['type']>(command: StreamCommand, replyType: T): Promise<Extract<StreamReply, { type: T }>>;
  close(): Promise<void>;
  pid: number;
}

export function startStreamClient(): StreamClient {
  const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'bench/streams.ts')], {
    cwd: repoRoot,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  return {
    pid: child.pid!,
    request: (command, replyType) =>
      new Promise((resolveReply, reject) => {
        const onMessage = (message: StreamReply) => {
          if (message.type !== replyType) return;
          child.off('message', onMessage);
          child.off('exit', onExit);
          resolveReply(message as Extract<StreamReply, { type: typeof replyType }>);
        };
        const onExit = (code: number | null) => reject(new Error(`stream client exited with ${code}`));
        child.on('message', onMessage);
        child.once('exit', onExit);
        child.send(command);
      }),
    close: async () => {
      if (child.connected) child.send({ type: 'close' } satisfies StreamCommand);
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
