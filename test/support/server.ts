import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SERVER_BUNDLE } from '../../client/tooling/buildServer.js';
import { postgresUrlFor } from './postgres.js';
import { seedFromTemplate } from './templateDatabase.js';

export const repoRoot = resolve(import.meta.dirname, '../..');

export interface RunningServer {
  url: string;
  port: number;
  process: ChildProcess;
  /** Everything the server printed so far, for assertions on logs. */
  output: () => string;
  /**
   * Everything the server printed, once it has written every line it logged before this call.
   * Its log lines are written asynchronously (server/log.ts), so a line logged while a request
   * was handled can reach stdout after the response; one stream keeps them in order, so the
   * request line of a fresh /healthz request comes after all of them. Use it before asserting
   * on lines, and above all before asserting that a line is absent.
   */
  flushedOutput: () => Promise<string>;
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
  dataDir: string;
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolvePort(port));
    });
  });
}

export function tempDataDir(prefix = 'taskfort-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * SQLite by default; the `server-postgres` test project sets TEST_DATABASE=postgresql and
 * every data directory then maps to its own database on TEST_POSTGRES_URL's server.
 */
export function testDatabaseUrl(dataDir: string): string {
  if (process.env.TEST_DATABASE === 'postgresql') {
    const adminUrl = process.env.TEST_POSTGRES_URL;
    if (!adminUrl) throw new Error('TEST_DATABASE=postgresql needs TEST_POSTGRES_URL');
    return postgresUrlFor(adminUrl, dataDir);
  }
  return `file:${join(dataDir, 'taskfort.db')}`;
}

export interface StartOptions {
  env?: Record<string, string | undefined>;
  dataDir?: string;
  /** Keep the data directory after stop (for restart tests). */
  keepData?: boolean;
  readyTimeoutMs?: number;
  /** Set after the scrub below: e.g. `{ TEST: '1' }` to prove the server ignores Better Auth's test mode. */
  unscrubbedEnv?: Record<string, string>;
  /**
   * Start on an empty database, so the server applies every migration itself. By default a
   * server starts on a copy of the run's template database (migrated once, in globalSetup).
   */
  freshDatabase?: boolean;
}

/**
 * Starts the real server as a child process and waits until it answers: the bundle `npm start`
 * runs (dist/server/main.js, built from server/ by the test projects' globalSetup), so the tests
 * prove what ships, and a start takes a third of the time of compiling the TypeScript through tsx.
 */
export async function startServer(options: StartOptions = {}): Promise<RunningServer> {
  const dataDir = options.dataDir ?? tempDataDir();
  // A test that brings its own DATABASE_URL gets exactly that database.
  if (!options.freshDatabase && !(options.env && 'DATABASE_URL' in options.env)) await seedFromTemplate(testDatabaseUrl(dataDir));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    // As `npm start` runs it: Better Auth relaxes its origin checks when NODE_ENV=test.
    NODE_ENV: undefined,
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: testDatabaseUrl(dataDir),
    BETTER_AUTH_SECRET: randomBytes(32).toString('base64url'),
    BETTER_AUTH_URL: url,
    // Suites sign up many users from 127.0.0.1; test/security turns the limiter back on.
    AUTH_RATE_LIMIT: 'off',
    // No load balancer to wait for; test/security/shutdown.test.ts sets its own drain delay.
    SHUTDOWN_DRAIN_DELAY: '0ms',
    ...options.env,
  };
  // Vitest sets TEST=true, which Better Auth reads as "test mode" and then skips its origin checks.
  for (const key of Object.keys(env)) if (key === 'TEST' || key.startsWith('VITEST')) delete env[key];
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete env[key];
  Object.assign(env, options.unscrubbedEnv);
  if (!existsSync(SERVER_BUNDLE)) throw new Error(`${SERVER_BUNDLE} is missing: run \`npm run build:server\` (the test projects' globalSetup builds it)`);
  const child = spawn(process.execPath, ['--enable-source-maps', SERVER_BUNDLE], {
    cwd: repoRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));

  const deadline = Date.now() + (options.readyTimeoutMs ?? 120_000); // a minute is not always enough on a busy 2-core machine
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${output}`);
    try {
      const response = await fetch(`${url}/readyz`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server did not become ready:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    url,
    port,
    process: child,
    output: () => output,
    flushedOutput: async () => {
      const marker = `flush-${randomBytes(8).toString('hex')}`;
      const response = await fetch(`${url}/healthz`, { headers: { 'x-request-id': marker } }).catch(() => null);
      const deadline = Date.now() + 10_000;
      while (response?.ok && !output.includes(`"requestId":"${marker}"`)) {
        if (Date.now() > deadline) throw new Error(`the server did not log /healthz (${marker}) within 10 s`);
        await new Promise((r) => setTimeout(r, 10));
      }
      return output;
    },
    dataDir,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null) child.kill(signal);
      const code = await exited;
      if (!options.keepData && !options.dataDir) rmSync(dataDir, { recursive: true, force: true });
      return code;
    },
  };
}
