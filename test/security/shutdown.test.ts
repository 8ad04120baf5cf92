import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Agent, request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureServerBuild } from '../../client/tooling/buildServer.js';
import { ApiClient } from '../support/client.js';
import { freePort, repoRoot, startServer, tempDataDir, testDatabaseUrl, type RunningServer } from '../support/server.js';

const CREATE = 'mutation ($input: CreateTaskInput!) { createTask(input: $input) { id } }';
const DRAIN_DELAY_MS = 1500;

type Outcome =
  | { kind: 'answered'; status: number; connectionClose: boolean; sentAt: number }
  | { kind: 'refused'; sentAt: number }
  | { kind: 'reset'; code: string; sentAt: number };

/** One request, classified: answered, refused before it was sent (ECONNREFUSED), or reset/hung up. */
function send(port: number, { agent, token, title }: { agent: Agent | false; token: string; title: string }): Promise<Outcome> {
  const sentAt = Date.now();
  const body = JSON.stringify({ query: CREATE, variables: { input: { title } } });
  return new Promise((resolve) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path: '/graphql',
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${token}` },
      },
      (response) => {
        response.resume();
        response.on('end', () =>
          resolve({ kind: 'answered', status: response.statusCode ?? 0, connectionClose: response.headers.connection === 'close', sentAt }),
        );
        response.on('error', (error: NodeJS.ErrnoException) => resolve({ kind: 'reset', code: error.code ?? error.message, sentAt }));
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) =>
      resolve(error.code === 'ECONNREFUSED' ? { kind: 'refused', sentAt } : { kind: 'reset', code: error.code ?? error.message, sentAt }),
    );
    req.end(body);
  });
}

/** A request whose body is still arriving when the listener closes: it must be answered, not cut. */
function sendSlowBody(port: number, token: string, bodyDelayMs: number): Promise<string> {
  const body = JSON.stringify({ query: CREATE, variables: { input: { title: 'slow body' } } });
  return new Promise((resolve) => {
    const socket: Socket = connect(port, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk) => (received += chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => resolve(`error ${error.code}`));
    socket.on('close', () => resolve(received));
    socket.write(
      `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAuthorization: Bearer ${token}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, 10)}`,
    );
    setTimeout(() => socket.write(body.slice(10)), bodyDelayMs);
  });
}

/** A keep-alive connection that sends one request and then sits idle: it must see a clean FIN, no RST. */
function idleKeepAliveConnection(port: number): Promise<{ closedCleanly: Promise<boolean> }> {
  return new Promise((resolveOpened, rejectOpened) => {
    const socket = connect(port, '127.0.0.1');
    let error: string | undefined;
    let answered = false;
    const closedCleanly = new Promise<boolean>((resolveClosed) => socket.on('close', () => resolveClosed(error === undefined)));
    socket.on('error', (cause: NodeJS.ErrnoException) => {
      error = cause.code;
      if (!answered) rejectOpened(cause);
    });
    socket.on('data', (chunk) => {
      if (answered || !String(chunk).startsWith('HTTP/1.1 200')) return;
      answered = true;
      resolveOpened({ closedCleanly });
    });
    socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
  });
}

/**
 * SIGTERM with a burst of new connections, requests on keep-alive connections, idle keep-alive
 * connections, a request mid-body and a trickle of new connections until the listener is gone.
 */
async function shutdownUnderLoad(server: RunningServer, token: string, { workers }: { workers?: number } = {}) {
  const keepAliveAgents = Array.from({ length: 10 }, () => new Agent({ keepAlive: true, maxSockets: 1 }));
  const warmed = await Promise.all(keepAliveAgents.map((agent, i) => send(server.port, { agent, token, title: `warm ${i}` })));
  expect(warmed.every((outcome) => outcome.kind === 'answered' && outcome.status === 200)).toBe(true);
  const idle = await Promise.all(Array.from({ length: 5 }, () => idleKeepAliveConnection(server.port)));

  const signalledAt = Date.now();
  const stopped = server.stop('SIGTERM');
  const outcomes: Promise<Outcome>[] = [];
  // The burst at the moment of the signal: 30 new connections and one request per keep-alive connection.
  for (let i = 0; i < 30; i++) outcomes.push(send(server.port, { agent: false, token, title: `burst new ${i}` }));
  keepAliveAgents.forEach((agent, i) => outcomes.push(send(server.port, { agent, token, title: `burst kept ${i}` })));
  const slowBody = new Promise<string>((resolve) => setTimeout(() => resolve(sendSlowBody(server.port, token, 800)), DRAIN_DELAY_MS - 300));
  let readyzDuringDrain = 0;
  setTimeout(() => {
    void fetch(`${server.url}/readyz`).then(
      (response) => (readyzDuringDrain = response.status),
      () => (readyzDuringDrain = -1),
    );
  }, 300);
  // A request sent after the signal can still be read before the server has handled it (on a
  // loaded machine its bytes can be ready before the signal's; in a cluster the primary relays
  // it): answered, but without `Connection: close`. Close is checked from the moment every process
  // has logged that it drains: it turns draining on before it logs that (shutDownGracefully in
  // server/http/serve.ts), so a request sent once the line is here reaches a draining server.
  let drainingSince = Infinity;
  // A client without an agent (the trickle's) asks for `Connection: close` itself: only a request
  // asking for keep-alive shows the server's. Ten once every process drains, on new connections
  // (the old keep-alive connections may still be busy with the burst).
  const keepAliveOnceDraining = new Agent({ keepAlive: true });
  const keptOnceDraining: Promise<Outcome>[] = [];
  const noteDraining = () => {
    const draining = (server.output().match(/draining, finishing in-flight requests/g) ?? []).length;
    if (drainingSince !== Infinity || draining < (workers ?? 1)) return;
    drainingSince = Date.now();
    for (let i = 0; i < 10; i++) keptOnceDraining.push(send(server.port, { agent: keepAliveOnceDraining, token, title: `kept once draining ${i}` }));
    outcomes.push(...keptOnceDraining);
  };
  // New connections keep coming while draining. (One arriving in the very instant the listener
  // closes can still be reset by the kernel — that is why the drain delay exists: the load
  // balancer has stopped sending by then.)
  while (Date.now() - signalledAt < DRAIN_DELAY_MS - 150) {
    noteDraining();
    outcomes.push(send(server.port, { agent: false, token, title: `trickle ${Date.now()}` }));
    await new Promise((r) => setTimeout(r, 40));
  }
  // Once the listener is closed, new connections are refused before anything is sent.
  await new Promise((r) => setTimeout(r, Math.max(0, DRAIN_DELAY_MS + 250 - (Date.now() - signalledAt))));
  for (let i = 0; i < 5; i++) outcomes.push(send(server.port, { agent: false, token, title: `after close ${i}` }));

  const results = await Promise.all(outcomes);
  const exitCode = await stopped;
  const exitedAfterMs = Date.now() - signalledAt;
  [...keepAliveAgents, keepAliveOnceDraining].forEach((agent) => agent.destroy());

  const resets = results.filter((outcome) => outcome.kind === 'reset');
  const answered = results.filter((outcome) => outcome.kind === 'answered');
  const refused = results.filter((outcome) => outcome.kind === 'refused');
  expect(resets, JSON.stringify(resets)).toEqual([]);
  expect(answered.every((outcome) => outcome.status === 200)).toBe(true);
  // Everything sent while the drain delay lasted was answered; from the drain on, with `Connection: close`.
  const relative = (outcome: Outcome) => ({ ...outcome, sentAt: outcome.sentAt - signalledAt });
  const sentWhileDraining = results.filter((outcome) => outcome.sentAt - signalledAt < DRAIN_DELAY_MS - 200);
  expect(sentWhileDraining.length).toBeGreaterThan(40);
  expect(sentWhileDraining.filter((outcome) => outcome.kind !== 'answered').map(relative)).toEqual([]);
  const sentOnceDraining = sentWhileDraining.filter((outcome) => outcome.sentAt >= drainingSince);
  expect(sentOnceDraining.length, `every process said it drains ${drainingSince - signalledAt} ms after the signal`).toBeGreaterThan(15);
  expect(sentOnceDraining.filter((outcome) => outcome.kind === 'answered' && !outcome.connectionClose).map(relative)).toEqual([]);
  const keptAlive = await Promise.all(keptOnceDraining);
  expect(keptAlive.map((outcome) => outcome.kind === 'answered' && outcome.connectionClose)).toEqual(Array.from({ length: 10 }, () => true));
  expect(refused.length).toBeGreaterThan(0);
  expect(readyzDuringDrain).toBe(503);
  expect(await slowBody).toMatch(/^HTTP\/1\.1 200 OK[\s\S]*"createTask"/);
  expect(await Promise.all(idle.map((connection) => connection.closedCleanly))).toEqual(idle.map(() => true));
  expect(exitCode).toBe(0);
  expect(exitedAfterMs).toBeGreaterThanOrEqual(DRAIN_DELAY_MS);
  console.log(
    `[shutdown] ${results.length} requests: ${answered.length} answered, ${refused.length} refused, ${resets.length} reset; draining from ${drainingSince - signalledAt} ms, ${sentOnceDraining.length} sent since (${answered.filter((outcome) => outcome.kind === 'answered' && !outcome.connectionClose).length} answered without close in all); exited after ${exitedAfterMs} ms`,
  );
}

const shutdownEnv = { SHUTDOWN_DRAIN_DELAY: `${DRAIN_DELAY_MS}ms`, SHUTDOWN_TIMEOUT: '20s' };

// Each test starts its own server; on a loaded 2-core machine that alone can take a minute.
describe('graceful shutdown under load (SIGTERM to the server process)', { timeout: 240_000 }, () => {
  let server: RunningServer | undefined;
  afterEach(async () => {
    if (server && server.process.exitCode === null) await server.stop('SIGKILL');
  });

  // Runs in the server-quiet project (vitest.config.ts), after every other suite: with a dozen
  // other servers busy on the same 2 cores, the server's event loop can be starved for seconds,
  // and connections still waiting in the kernel's accept queue when the listener closes are reset.
  it('one process: every request is answered or refused before it was sent; none is reset', async () => {
    server = await startServer({ env: shutdownEnv, readyTimeoutMs: 180_000 });
    const user = await new ApiClient(server.url).createUser();
    await shutdownUnderLoad(server, user.jwt);
  });

  it('cluster mode (WEB_CONCURRENCY=2): the workers drain the same way', async () => {
    server = await startServer({ env: { ...shutdownEnv, WEB_CONCURRENCY: '2' }, readyTimeoutMs: 180_000 });
    const deadline = Date.now() + 120_000;
    while ((server.output().match(/listening on/g) ?? []).length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const user = await new ApiClient(server.url).createUser();
    await shutdownUnderLoad(server, user.jwt, { workers: 2 });
  });

  // Review 5, finding 10: such a connection used to hold the process until Node's headers-timeout
  // sweep cut it (15 s and more); now it is closed once the listener is closed and its grace is over.
  it('a connection that never sends a byte is closed after the drain and a short grace; requests still arriving are answered', async () => {
    const drainDelayMs = 1000;
    server = await startServer({ env: { SHUTDOWN_DRAIN_DELAY: `${drainDelayMs}ms`, SHUTDOWN_TIMEOUT: '30s' }, readyTimeoutMs: 180_000 });
    const user = await new ApiClient(server.url).createUser();
    const silent = connect(server.port, '127.0.0.1');
    silent.on('error', () => undefined);
    await new Promise((resolve) => silent.once('connect', resolve));
    const signalledAt = Date.now();
    const silentClosed = new Promise<number>((resolve) => {
      silent.once('close', () => resolve(Date.now() - signalledAt));
      setTimeout(() => resolve(Infinity), 10_000).unref(); // still open: no need to wait for the timeouts that end it
    });
    const stopped = server.stop('SIGTERM');
    // Connected before the listener closes, its request sent after (within the grace): answered.
    const lateRequest = new Promise<string>((resolve) =>
      setTimeout(() => {
        const socket = connect(server!.port, '127.0.0.1');
        let received = '';
        socket.on('data', (chunk) => (received += chunk));
        socket.on('error', (error: NodeJS.ErrnoException) => resolve(`error ${error.code}`));
        socket.on('close', () => resolve(received));
        socket.once('connect', () => setTimeout(() => socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'), drainDelayMs));
      }, drainDelayMs - 300),
    );
    // A request whose body is still arriving well after the grace: a connection that has sent bytes is not cut.
    const slowBody = sendSlowBody(server.port, user.jwt, drainDelayMs + 2500);
    expect(await silentClosed).toBeLessThan(drainDelayMs + 1500 + 1000);
    expect(await lateRequest).toMatch(/^HTTP\/1\.1 200 OK[\s\S]*Connection: close/i);
    expect(await slowBody).toMatch(/^HTTP\/1\.1 200 OK[\s\S]*"createTask"/);
    expect(await stopped).toBe(0);
    expect(Date.now() - signalledAt).toBeLessThan(drainDelayMs + 2500 + 3000);
  });

  it('an idle keep-alive connection outlives HTTP_HEADERS_TIMEOUT: that timeout counts per request', async () => {
    server = await startServer({ env: { HTTP_HEADERS_TIMEOUT: '1s', HTTP_REQUEST_TIMEOUT: '2s', SHUTDOWN_DRAIN_DELAY: '0ms' }, readyTimeoutMs: 180_000 });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const user = await new ApiClient(server.url).createUser();
    const sockets = new Set<Socket>();
    agent.on('free', (socket: Socket) => sockets.add(socket));
    expect(await send(server.port, { agent, token: user.jwt, title: 'first' })).toMatchObject({ kind: 'answered', status: 200 });
    await new Promise((r) => setTimeout(r, 2500));
    expect(await send(server.port, { agent, token: user.jwt, title: 'second' })).toMatchObject({ kind: 'answered', status: 200 });
    expect(sockets.size).toBe(1); // the same connection both times
    agent.destroy();
  });
});

describe('npm start forwards SIGTERM to the server', { timeout: 240_000 }, () => {
  it('the start script execs node, so npm signals the process that drains', async () => {
    const dataDir = tempDataDir();
    const port = await freePort();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: testDatabaseUrl(dataDir),
      BETTER_AUTH_SECRET: randomBytes(32).toString('base64url'),
      SHUTDOWN_DRAIN_DELAY: '200ms',
    };
    for (const key of Object.keys(env)) if (key === 'TEST' || key.startsWith('VITEST') || key.startsWith('npm_')) delete env[key];
    // start.mjs builds only what its stamp shows stale; built here first, so the test measures the start.
    await ensureServerBuild();
    const npm = spawn('npm', ['start'], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    npm.stdout!.on('data', (chunk) => (output += chunk));
    npm.stderr!.on('data', (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => npm.once('exit', (code) => resolve(code)));
    const deadline = Date.now() + 180_000;
    for (;;) {
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`).then(
        (response) => response.ok,
        () => false,
      );
      if (ready) break;
      if (Date.now() > deadline || npm.exitCode !== null) throw new Error(`npm start did not become ready:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    npm.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).toMatch(/SIGTERM: draining/);
    // Nothing is left listening: the server itself drained and exited, not just npm.
    const after = await fetch(`http://127.0.0.1:${port}/healthz`).then(
      () => 'answered',
      (error: { cause?: { code?: string } }) => error.cause?.code,
    );
    expect(after).toBe('ECONNREFUSED');
  });
});
