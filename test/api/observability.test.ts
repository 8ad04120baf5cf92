import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, type TestUser } from '../support/client.js';
import { parseLogLines, requestLines, waitForLines, type RequestLogLine } from '../support/logs.js';
import { freePort, repoRoot, startServer, type RunningServer } from '../support/server.js';
import { KNOWN_OPERATIONS } from '../../server/observability/metrics.js';

// Issue 14: a request log (one JSON line per request, no secrets) and Prometheus metrics that
// are not public and have bounded labels.

const METRICS_TOKEN = randomBytes(24).toString('hex');

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)$/.exec(line);
    if (!match) throw new Error(`not a Prometheus sample: ${line}`);
    const labels: Record<string, string> = {};
    for (const label of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[label[1]!] = label[2]!;
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

function valueOf(samples: Sample[], name: string, labels: Record<string, string>): number {
  return samples
    .filter((sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value))
    .reduce((sum, sample) => sum + sample.value, 0);
}

async function scrape(url: string, token = METRICS_TOKEN): Promise<Sample[]> {
  const response = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
  return parseMetrics(await response.text());
}

const linesFor = (server: RunningServer, requestId: string) => () => requestLines(server.output()).filter((line) => line.requestId === requestId);

describe('request log and metrics', () => {
  let server: RunningServer;
  let api: ApiClient;
  let user: TestUser;

  // Generous: the suites share two busy cores, and a fresh database runs its migrations first.
  beforeAll(async () => {
    server = await startServer({ env: { METRICS_TOKEN }, readyTimeoutMs: 200_000 });
    api = new ApiClient(server.url);
    user = await api.createUser();
  }, 240_000);
  afterAll(() => server?.stop());

  it('echoes a valid X-Request-Id and replaces an invalid one', async () => {
    const valid = `req-${randomUUID()}`;
    for (const path of ['/healthz', '/graphql?query=%7B__typename%7D', '/api/auth/get-session']) {
      const response = await fetch(`${server.url}${path}`, { headers: { 'x-request-id': valid } });
      expect(response.headers.get('x-request-id')).toBe(valid);
    }
    for (const invalid of ['has space', 'x'.repeat(129), '{"log":"auth"}', 'a/b']) {
      const response = await fetch(`${server.url}/healthz`, { headers: { 'x-request-id': invalid } });
      const echoed = response.headers.get('x-request-id');
      expect(echoed).toMatch(/^[A-Za-z0-9._-]{1,128}$/);
      expect(echoed).not.toBe(invalid);
    }
    const generated = (await fetch(`${server.url}/healthz`)).headers.get('x-request-id');
    expect(generated).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('writes one JSON line per request with its route, status, duration, operation and user, and no secrets', async () => {
    const needle = `needle-${randomUUID()}`;
    const query = `query TaskList($search: String) { tasks(first: 1, filter: { search: $search }) { totalCount } }`;
    const ids = { graphql: `gql-${randomUUID()}`, signIn: `signin-${randomUUID()}`, unknown: `unknown-${randomUUID()}`, health: `health-${randomUUID()}` };
    const graphql = await api.graphql(query, { search: needle }, { token: user.jwt, headers: { 'x-request-id': ids.graphql } });
    expect(graphql.status).toBe(200);
    const signIn = await api.post(`/api/auth/sign-in/email?secret=${needle}`, { email: user.email, password: user.password }, { 'x-request-id': ids.signIn });
    expect(signIn.status).toBe(200);
    await fetch(`${server.url}/api/auth/${needle}?token=${needle}`, { headers: { 'x-request-id': ids.unknown } });
    await fetch(`${server.url}/healthz`, { headers: { 'x-request-id': ids.health } });

    const [graphqlLine] = await waitForLines(linesFor(server, ids.graphql));
    const [signInLine] = await waitForLines(linesFor(server, ids.signIn));
    const [unknownLine] = await waitForLines(linesFor(server, ids.unknown));
    const [healthLine] = await waitForLines(linesFor(server, ids.health));
    for (const id of Object.values(ids)) expect(linesFor(server, id)()).toHaveLength(1);

    expect(graphqlLine).toMatchObject({
      level: 'info',
      req: { method: 'POST', route: '/graphql' },
      res: { status: 200 },
      operationName: 'TaskList',
      userId: user.id,
    });
    expect(signInLine).toMatchObject({ req: { method: 'POST', route: '/api/auth/sign-in/email' }, res: { status: 200 }, userId: user.id });
    expect(unknownLine).toMatchObject({ req: { method: 'GET', route: '/api/auth/*' }, res: { status: 404 } });
    expect(healthLine).toMatchObject({ req: { method: 'GET', route: '/healthz' }, res: { status: 200 } });
    expect(healthLine).not.toHaveProperty('userId');
    for (const line of [graphqlLine, signInLine, unknownLine, healthLine] as RequestLogLine[]) {
      expect(Date.parse(line.time)).not.toBeNaN();
      expect(typeof line.durationMs).toBe('number');
      expect(Object.keys(line).sort()).toEqual(expect.arrayContaining(['durationMs', 'level', 'log', 'msg', 'req', 'requestId', 'res', 'time']));
      expect(Object.keys(line.req).sort()).toEqual(['method', 'route']);
      expect(Object.keys(line.res)).toEqual(['status']);
    }

    const output = await server.flushedOutput();
    parseLogLines(output);
    for (const secret of [needle, query, user.password, user.jwt, user.sessionToken, signIn.headers.get('set-auth-token')!]) {
      expect(output, `the output contains ${secret.slice(0, 20)}…`).not.toContain(secret);
    }
  });

  it('logs a live stream once, when it ends: aborted by the client, with its user', async () => {
    const requestId = `stream-${randomUUID()}`;
    const controller = new AbortController();
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${user.jwt}`, 'x-request-id': requestId },
      body: JSON.stringify({ query: 'subscription { taskEvents { kind taskId } }' }),
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    await response.body!.getReader().read(); // the first keep-alive: the stream is open
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(linesFor(server, requestId)()).toHaveLength(0);
    controller.abort();
    const lines = await waitForLines(linesFor(server, requestId));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'info', req: { method: 'POST', route: '/graphql' }, res: { status: 200 }, aborted: true, userId: user.id });
  });

  it('logs a request the client abandoned before any answer with no status (null; "0" in the metric), not as 200', async () => {
    const requestId = `abandoned-${randomUUID()}`;
    const before = await scrape(server.url);
    const socket = connect(server.port, '127.0.0.1');
    socket.on('error', () => undefined);
    socket.write(
      `POST /api/auth/sign-in/email HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: ${server.url}\r\nContent-Type: application/json\r\nX-Request-Id: ${requestId}\r\nContent-Length: 10000\r\n\r\n{"email":"`,
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    socket.destroy();
    const lines = await waitForLines(linesFor(server, requestId));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'info', req: { method: 'POST', route: '/api/auth/sign-in/email' }, res: { status: null }, aborted: true });
    expect(lines[0]!.msg).toBe('POST /api/auth/sign-in/email aborted');
    const after = await scrape(server.url);
    const delta = (status: string) =>
      valueOf(after, 'taskfort_http_requests_total', { method: 'POST', route: '/api/auth/sign-in/email', status }) -
      valueOf(before, 'taskfort_http_requests_total', { method: 'POST', route: '/api/auth/sign-in/email', status });
    expect(delta('0')).toBe(1);
    expect(delta('200')).toBe(0);
  });

  it('logs a live-stream request abandoned while its body was arriving as aborted, with no error line', async () => {
    const requestId = `abandoned-stream-${randomUUID()}`;
    const outputBefore = server.output().length;
    const socket = connect(server.port, '127.0.0.1');
    socket.on('error', () => undefined);
    socket.write(
      `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\nContent-Type: application/json\r\nX-Request-Id: ${requestId}\r\nContent-Length: 10000\r\n\r\n{"query":"subscription`,
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    socket.destroy();
    const lines = await waitForLines(linesFor(server, requestId));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'info', req: { method: 'POST', route: '/graphql' }, res: { status: null }, aborted: true });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const errorLines = server
      .output()
      .slice(outputBefore)
      .split('\n')
      .filter((line) => line.includes('"level":"error"') || line.includes('"level":50'));
    expect(errorLines).toEqual([]);
  });

  it('hides /metrics: 401 without the token or with a wrong one', async () => {
    expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
    const wrong = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN.slice(0, -1)}x` } });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await wrong.text()).not.toMatch(/taskfort_/);
    expect((await fetch(`${server.url}/metrics`, { headers: { authorization: `Basic ${METRICS_TOKEN}` } })).status).toBe(401);
    expect((await scrape(server.url)).length).toBeGreaterThan(0);
  });

  it('moves counters with real requests, under bounded labels', async () => {
    const before = await scrape(server.url);
    const secretName = `Secret${randomUUID().replaceAll('-', '')}`;
    await api.signIn({ email: user.email, password: 'not the password at all' });
    await api.graphql('query TaskList { tasks(first: 1) { totalCount } }', {}, { token: user.jwt });
    await api.graphql(`query ${secretName} { me { id email } }`, {}, { token: user.jwt });
    await api.graphql('mutation CreateTask { createTask(input: { title: "no token" }) { id } }'); // UNAUTHENTICATED
    await fetch(`${server.url}/healthz?${secretName}`);
    await fetch(`${server.url}/api/auth/${secretName}`);
    await fetch(`${server.url}/${secretName}/${user.email}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const after = await scrape(server.url);
    const delta = (name: string, labels: Record<string, string>) => valueOf(after, name, labels) - valueOf(before, name, labels);

    expect(delta('taskfort_auth_events_total', { event: 'sign_in.failed' })).toBe(1);
    expect(delta('taskfort_graphql_operations_total', { operationName: 'TaskList', operationType: 'query' })).toBe(1);
    expect(delta('taskfort_graphql_operations_total', { operationName: 'other', operationType: 'query' })).toBe(1);
    expect(delta('taskfort_graphql_errors_total', { operationName: 'CreateTask', code: 'UNAUTHENTICATED' })).toBeGreaterThanOrEqual(1);
    expect(delta('taskfort_http_requests_total', { method: 'GET', route: '/healthz', status: '200' })).toBeGreaterThanOrEqual(1);
    expect(delta('taskfort_http_requests_total', { method: 'GET', route: '/api/auth/*', status: '404' })).toBe(1);
    expect(delta('taskfort_http_request_duration_seconds_count', { route: '/graphql' })).toBeGreaterThanOrEqual(3);
    expect(valueOf(after, 'process_cpu_user_seconds_total', {})).toBeGreaterThan(0);
    if (process.env.TEST_DATABASE === 'postgresql') {
      expect(after.some((sample) => sample.name === 'taskfort_db_pool_connections' && sample.labels.state === 'idle')).toBe(true);
    }

    const text = after.map((sample) => JSON.stringify(sample)).join('\n');
    for (const unbounded of [secretName, user.id, user.email, user.jwt, user.sessionToken]) expect(text).not.toContain(unbounded);
    const routes = new Set(after.filter((sample) => sample.labels.route).map((sample) => sample.labels.route));
    for (const route of routes)
      expect(route).toMatch(/^(\/|\/graphql|\/graphql\/\*|\/healthz|\/readyz|\/metrics|\/assets\/\*|\/\*|\/api\/auth\/\*|\/api\/auth\/[a-z/-]+)$/);
    const operationNames = new Set(after.filter((sample) => sample.labels.operationName).map((sample) => sample.labels.operationName));
    for (const name of operationNames) expect([...KNOWN_OPERATIONS, 'other', 'anonymous']).toContain(name);
    for (const sample of after) for (const name of Object.keys(sample.labels)) expect(['userId', 'email', 'user', 'token', 'url', 'path']).not.toContain(name);
  });

  it('knows every operation of the web app by name (client/src/lib/*Documents.ts)', () => {
    const documents = ['taskDocuments.ts', 'exportDocuments.ts'].map((file) => readFileSync(join(repoRoot, 'client/src/lib', file), 'utf8')).join('\n');
    const operations = [...documents.matchAll(/\b(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)/g)].map((match) => match[1]!);
    expect(operations.length).toBeGreaterThan(0);
    for (const name of operations) expect(KNOWN_OPERATIONS.has(name), `${name} is missing from KNOWN_OPERATIONS`).toBe(true);
  });
});

describe('metrics with WEB_CONCURRENCY=2', () => {
  let server: RunningServer;
  let metricsPort: number;
  beforeAll(async () => {
    metricsPort = await freePort();
    server = await startServer({ env: { METRICS_TOKEN, METRICS_PORT: String(metricsPort), WEB_CONCURRENCY: '2' }, readyTimeoutMs: 200_000 });
  }, 240_000);
  afterAll(() => server?.stop());

  it('aggregates every worker, through the main port (a worker asks the primary) and on METRICS_PORT (the primary, 127.0.0.1)', async () => {
    const deadline = Date.now() + 60_000;
    while ((server.output().match(/all node listening/g) ?? []).length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    const before = await scrape(server.url);
    // New connections spread across both workers; the scrape (answered by either) counts them all.
    await Promise.all(Array.from({ length: 20 }, () => fetch(`${server.url}/healthz`, { headers: { connection: 'close' } })));
    const after = await scrape(server.url);
    const healthz = (samples: Sample[]) => valueOf(samples, 'taskfort_http_requests_total', { route: '/healthz', status: '200' });
    expect(healthz(after) - healthz(before)).toBe(20);
    // Each worker writes its own lines asynchronously: wait for both.
    const requestLinePids = () => [...new Set(parseLogLines(server.output()).flatMap((line) => (line.log === 'request' ? [line.pid] : [])))];
    expect(new Set(await waitForLines(requestLinePids, 2)).size).toBe(2);

    const local = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(local.status).toBe(200);
    expect(healthz(parseMetrics(await local.text()))).toBeGreaterThanOrEqual(healthz(after));
    expect((await fetch(`http://127.0.0.1:${metricsPort}/graphql`)).status).toBe(404);
  });
});

describe('configuration and labels (no server)', () => {
  it('reads LOG_LEVEL, METRICS_TOKEN and METRICS_PORT through loadConfig, refusing bad values', async () => {
    const { loadConfig } = await import('../../server/config.js');
    expect(loadConfig({})).toMatchObject({ logLevel: 'info', metricsToken: undefined, metricsPort: undefined });
    expect(loadConfig({ LOG_LEVEL: 'WARN', METRICS_TOKEN: 'x'.repeat(16), METRICS_PORT: '9464' })).toMatchObject({
      logLevel: 'warn',
      metricsToken: 'x'.repeat(16),
      metricsPort: 9464,
    });
    expect(() => loadConfig({ LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL/);
    expect(() => loadConfig({ METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN/);
    expect(() => loadConfig({ PORT: '3000', METRICS_PORT: '3000' })).toThrow(/METRICS_PORT/);
  });

  it('normalises routes to a fixed set', async () => {
    const { routeOf } = await import('../../server/observability/requestLog.js');
    const auth = new Set(['/sign-in/email', '/token']);
    expect(routeOf('/api/auth/sign-in/email?callbackURL=x', auth)).toBe('/api/auth/sign-in/email');
    expect(routeOf('/api/auth/sign-in/email/extra', auth)).toBe('/api/auth/*');
    expect(routeOf('/graphql?query={__typename}', auth)).toBe('/graphql');
    expect(routeOf('/assets/index-abc123.js', auth)).toBe('/assets/*');
    expect(routeOf('/tasks/123?x=1', auth)).toBe('/*');
    expect(routeOf('/healthz#x', auth)).toBe('/healthz');
  });
});
