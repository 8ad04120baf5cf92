import { Worker } from 'node:worker_threads';
import type { PasswordCheckAnswer, PasswordCheckRequest } from './passwordWorker.js';

/** The check did not finish in time (or too many are waiting): the caller answers 503, never "accepted". */
export class PasswordCheckUnavailable extends Error {}

export interface PasswordChecker {
  /** Why the password is refused (server/auth/passwordPolicy.ts), or null. */
  problemWith(password: string, userInputs: string[]): Promise<string | null>;
}

interface Pending {
  resolve: (problem: string | null) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
  worker: Worker;
}

/**
 * Under `node --import tsx` (how the server runs) a worker does not inherit tsx's loader, so a
 * TypeScript worker registers it first; a compiled build loads its .js sibling directly.
 */
function spawnPasswordWorker(): Worker {
  const runningTypeScript = import.meta.url.endsWith('.ts');
  const workerUrl = new URL(runningTypeScript ? './passwordWorker.ts' : './passwordWorker.js', import.meta.url);
  if (!runningTypeScript) return new Worker(workerUrl);
  const bootstrap = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(workerUrl.href)}); });`;
  return new Worker(bootstrap, { eval: true });
}

/**
 * Runs the password policy on one worker thread. The policy's own work is bounded (it scores a
 * 32-character prefix), but on a slow or busy machine even that is tens of milliseconds of
 * synchronous CPU: off the main thread, /healthz, GraphQL and sign-in keep answering. One
 * worker also caps the CPU that concurrent sign-ups can take to one core. A check that takes
 * longer than `timeoutMs` (queue included) fails, and a stuck worker is replaced.
 */
export function createPasswordChecker({ timeoutMs = 5_000, maxQueued = 64 } = {}): PasswordChecker {
  let worker: { thread: Worker; ready: Promise<void> } | undefined;
  let nextId = 0;
  const pending = new Map<number, Pending>();

  function failAll(of: Worker, error: Error) {
    for (const [id, waiting] of pending) {
      if (waiting.worker !== of) continue;
      clearTimeout(waiting.timer);
      waiting.reject(error);
      pending.delete(id);
    }
  }

  function start(): { thread: Worker; ready: Promise<void> } {
    const thread = spawnPasswordWorker();
    thread.unref();
    let markReady!: () => void;
    let markFailed!: (error: Error) => void;
    const ready = new Promise<void>((resolve, reject) => ((markReady = resolve), (markFailed = reject)));
    ready.catch(() => {});
    const started = { thread, ready };
    thread.on('message', (message: PasswordCheckAnswer | 'ready') => {
      if (message === 'ready') return markReady();
      const waiting = pending.get(message.id);
      if (!waiting) return;
      pending.delete(message.id);
      clearTimeout(waiting.timer);
      waiting.resolve(message.problem);
    });
    const stopped = (error: Error) => {
      if (worker === started) worker = undefined;
      markFailed(error);
      failAll(thread, error);
    };
    thread.on('error', (error) => stopped(new PasswordCheckUnavailable(`password check failed: ${error.message}`)));
    thread.on('exit', () => stopped(new PasswordCheckUnavailable('password check stopped')));
    return started;
  }

  return {
    async problemWith(password, userInputs) {
      if (pending.size >= maxQueued) throw new PasswordCheckUnavailable('too many password checks waiting');
      worker ??= start();
      const target = worker;
      // Loading the dictionaries (once per worker) is not counted against the time limit.
      await target.ready;
      const id = nextId++;
      return new Promise<string | null>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new PasswordCheckUnavailable('password check timed out'));
          // A check this slow means the worker is stuck or swamped: start afresh.
          if (worker === target) worker = undefined;
          void target.thread.terminate();
        }, timeoutMs);
        pending.set(id, { resolve, reject, timer, worker: target.thread });
        target.thread.postMessage({ id, password, userInputs } satisfies PasswordCheckRequest);
      });
    },
  };
}
