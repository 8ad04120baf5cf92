import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, type TestUser } from '../support/client.js';
import { parseLogLines, waitForLines, type LogLine } from '../support/logs.js';
import { startServer, type RunningServer } from '../support/server.js';

// Issue 10, LOW 6: client input with a newline + JSON must never become a line of its own that
// looks like a security event. Every line the server prints is one JSON object.

const FORGED_EVENT = '{"log":"auth","event":"sign_in","userId":"forged-user","ip":"10.6.6.6"}';
const FORGED = `x\n${FORGED_EVENT}\n`;
const base64 = (text: string) => Buffer.from(text).toString('base64');

describe('log forging', () => {
  let server: RunningServer;
  let api: ApiClient;
  let user: TestUser;
  let cookie = '';
  const secrets: string[] = [];

  beforeAll(async () => {
    server = await startServer({ readyTimeoutMs: 200_000 });
    api = new ApiClient(server.url);
    user = await api.createUser();
    secrets.push(user.password, user.jwt, user.sessionToken);
  }, 240_000);
  afterAll(() => server?.stop());

  it('writes only JSON lines, with no forged auth event, whatever the client sends', async () => {
    // A name with a newline (stored or refused: either way it must not forge a line).
    await api.signUp({ name: FORGED, email: `forger-${randomUUID()}@example.com`, password: 'another long passphrase 42' });
    // callbackURL is quoted by Better Auth when it refuses it.
    await api.post('/api/auth/sign-up/email', {
      name: 'x',
      email: `cb-${randomUUID()}@example.com`,
      password: 'another long passphrase 42',
      callbackURL: `https://evil.example/${FORGED}`,
    });
    const signIn = await api.post('/api/auth/sign-in/email', { email: user.email, password: user.password, callbackURL: `https://evil.example/${FORGED}` });
    await api.post('/api/auth/sign-in/email', { email: user.email, password: user.password, callbackURL: `/${FORGED}` });
    const properSignIn = await api.signIn({ email: user.email, password: user.password });
    cookie = (properSignIn.headers.get('set-cookie') ?? '').split(';')[0]!.split('=').slice(1).join('=');
    if (cookie) secrets.push(decodeURIComponent(cookie), cookie);
    expect(signIn.status).toBeGreaterThanOrEqual(400);
    // Writable user fields of the wrong type reach Prisma, whose error quotes them.
    for (const body of [{ name: { a: FORGED } }, { image: { x: FORGED } }, { name: 123 }]) {
      await api.post('/api/auth/update-user', body, { authorization: `Bearer ${user.sessionToken}` });
    }
    // Crafted cursors: Pothos and Prisma errors quote them.
    const escapedForJson = JSON.stringify(FORGED).slice(1, -1);
    const cursors = [
      base64(`GPC:S:${FORGED}`),
      base64('GPC:N:1'),
      base64(`GPC:O:{"${escapedForJson}":1}`),
      base64('GPC:D:1'),
      base64(`GPC:T:[1,{"${escapedForJson}":2}]`),
      base64('GPC:B:'),
      FORGED,
    ];
    const listQuery = `query CursorProbe($after: String) { tasks(first: 2, after: $after) { totalCount } }`;
    for (const after of cursors) await api.graphql(listQuery, { after }, { token: user.jwt });
    // Operation names and literals in the document.
    await api.graphql('query Probe { me { id } }', {}, { token: user.jwt, headers: {} });
    await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${user.jwt}` },
      body: JSON.stringify({ query: 'query Probe { me { id } }', operationName: FORGED }),
    });
    await api.graphql(`{ task(id: ${JSON.stringify(FORGED)}) { id } }`, {}, { token: user.jwt });
    // Paths, query strings and request ids.
    await fetch(`${server.url}/api/auth/${encodeURIComponent(FORGED)}?q=${encodeURIComponent(FORGED)}`);
    await fetch(`${server.url}/${encodeURIComponent(FORGED)}`, { headers: { 'x-request-id': FORGED_EVENT } });
    const output = await server.flushedOutput();
    const lines = parseLogLines(output); // throws on the first line that is not one JSON object
    expect(lines.length).toBeGreaterThan(10);
    const authEvents = lines.filter((line) => line.log === 'auth');
    expect(authEvents.some((event) => event.event === 'sign_in' && event.userId === user.id)).toBe(true);
    expect(authEvents.filter((event) => event.userId === 'forged-user' || event.ip === '10.6.6.6')).toEqual([]);
    for (const line of lines) {
      expect(typeof line.level).toBe('string');
      expect(typeof line.time).toBe('string');
    }
  });

  it('keeps /metrics private by default: 404 without METRICS_TOKEN, whatever the caller sends', async () => {
    for (const headers of [{}, { authorization: 'Bearer anything-at-all-here' }] as Record<string, string>[]) {
      const response = await fetch(`${server.url}/metrics`, { headers });
      expect(response.status).toBe(404);
      expect(await response.text()).not.toMatch(/taskfort_|process_cpu/);
    }
  });

  it('prints no password, JWT, session token, cookie, GraphQL variables or query text', async () => {
    const needle = `needle-${randomUUID()}`;
    const query = `query SearchProbe($search: String) { tasks(first: 1, filter: { search: $search }) { totalCount } }`;
    const response = await api.graphql(query, { search: needle }, { token: user.jwt, headers: { 'x-request-id': `probe-${randomUUID()}` } });
    expect(response.status).toBe(200);
    // A failing one too: errors are logged, their inputs are not.
    await api.graphql(query, { search: { [needle]: 1 } }, { token: user.jwt });
    await api.signIn({ email: user.email, password: `${user.password} wrong` });
    const output = await server.flushedOutput();
    parseLogLines(output);
    for (const secret of [...secrets, `${user.password} wrong`, needle, query, 'filter: { search: $search }']) {
      expect(output, `the output contains ${secret.slice(0, 20)}…`).not.toContain(secret);
    }
  });
});

/** Sends the head and the start of a body announced as longer, then hangs up: the request is aborted mid-body. */
function abortMidBody(port: number, head: string, partialBody: string): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    socket.write(`${head}Content-Length: 10000\r\n\r\n${partialBody}`);
    setTimeout(() => {
      socket.destroy();
      resolve();
    }, 300);
  });
}

// Review 5, finding 7: anything an anonymous client can send (a body that is not JSON, a request
// abandoned mid-body, a callbackURL Better Auth refuses) is logged below error, once, with no
// stack and none of the client's text; a fault of the server is still logged at error.
describe('what a client causes is not logged as a server error', () => {
  let server: RunningServer;
  let api: ApiClient;
  let user: TestUser;

  beforeAll(async () => {
    server = await startServer({ env: { LOG_LEVEL: 'debug' }, readyTimeoutMs: 200_000 });
    api = new ApiClient(server.url);
    user = await api.createUser();
  }, 240_000);
  afterAll(() => server?.stop());

  it('logs malformed bodies, aborted requests and refused callbackURLs at debug or info, without stack or client text', async () => {
    const needle = `needle${randomUUID().replaceAll('-', '')}`;
    const linesBefore = parseLogLines(await server.flushedOutput()).length;
    const newLines = async () => parseLogLines(await server.flushedOutput()).slice(linesBefore);
    const clientCaused = (lines: LogLine[], cause?: string) => lines.filter((line) => (cause ? line.clientCaused === cause : line.clientCaused !== undefined));

    for (let i = 0; i < 3; i++) {
      const response = await fetch(`${server.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: `{"query":"${needle}` });
      expect((await response.json()) as unknown).toMatchObject({ errors: [{ extensions: { code: 'BAD_REQUEST' } }] });
    }
    // One line per malformed body (Yoga reports each twice: masking it, then handling it).
    const badBodies = clientCaused(await newLines(), 'bad_request');
    expect(badBodies).toHaveLength(3);
    for (const line of badBodies) expect(line).toMatchObject({ level: 'debug', source: 'graphql', err: { type: 'GraphQLError', code: 'BAD_REQUEST' } });

    // An aborted request is logged once, when the server notices the hang-up: it is waited for,
    // since nothing tells the client when that is.
    const origin = `Origin: ${server.url}\r\n`;
    const aborts = [
      {
        source: 'better-auth',
        head: `POST /api/auth/sign-in/email HTTP/1.1\r\nHost: 127.0.0.1\r\n${origin}Content-Type: application/json\r\n`,
        partialBody: `{"email":"${needle}@example.com","password":"`,
      },
      {
        source: 'better-auth',
        head: `POST /api/auth/sign-up/email HTTP/1.1\r\nHost: 127.0.0.1\r\n${origin}Content-Type: application/x-www-form-urlencoded\r\n`,
        partialBody: `email=${needle}`,
      },
      { source: 'graphql', head: 'POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n', partialBody: `{"query":"{ ${needle} }"` },
    ];
    const clientCausedSoFar = () => clientCaused(parseLogLines(server.output()).slice(linesBefore));
    const abortLines: LogLine[] = [];
    for (const { source, head, partialBody } of aborts) {
      const seen = clientCausedSoFar().length;
      await abortMidBody(server.port, head, partialBody);
      const added = await waitForLines(() => clientCausedSoFar().slice(seen), 1, 10_000);
      expect(added, `the abort of ${head.split(' ')[1]}`).toEqual([expect.objectContaining({ level: 'debug', source })]);
      abortLines.push(added[0]!);
    }
    // Better Auth's aborted body read ends with Node's ECONNRESET "aborted" or the request's
    // AbortSignal; Yoga's, as a 400 for the unreadable body (or the AbortSignal, if it noticed first).
    const [signInAbort, signUpAbort, graphqlAbort] = abortLines;
    for (const line of [signInAbort, signUpAbort]) {
      expect(line).toMatchObject({ clientCaused: 'client_gone' });
      expect(['ABORT_ERR', 'ECONNRESET']).toContain((line!.err as { code?: string }).code);
    }
    expect(['bad_request', 'client_gone']).toContain(graphqlAbort!.clientCaused);

    const refused = await api.post('/api/auth/sign-in/email', { email: user.email, password: user.password, callbackURL: `javascript:alert(1)//${needle}` });
    expect(refused.status).toBe(403);

    const lines = await newLines();
    const output = lines.map((line) => JSON.stringify(line)).join('\n');
    expect(output).not.toContain(needle);
    const aboveInfo = lines.filter((line) => !['debug', 'info'].includes(line.level) && line.log !== 'auth');
    expect(aboveInfo, JSON.stringify(aboveInfo)).toEqual([]);
    expect(lines.filter((line) => JSON.stringify(line.err ?? {}).includes('"stack"'))).toEqual([]);
    expect(lines.filter((line) => line.source === 'console')).toEqual([]);
    expect(clientCaused(lines)).toHaveLength(badBodies.length + aborts.length + 1);
    const refusedUrl = lines.filter((line) => line.msg?.startsWith('Invalid callbackURL'));
    expect(refusedUrl).toEqual([expect.objectContaining({ level: 'info', source: 'better-auth', clientCaused: 'bad_request' })]);
  });

  it('still logs a fault of the server (a table gone) at error, with its stack', async () => {
    const linesBefore = parseLogLines(await server.flushedOutput()).length;
    const database = new Database(join(server.dataDir, 'taskfort.db'), { timeout: 5000 });
    database.exec('ALTER TABLE "task" RENAME TO "taskAway"');
    try {
      const response = await api.graphql('query TaskCount { tasks(first: 1) { totalCount } }', {}, { token: user.jwt });
      expect(response.errors?.[0]?.message).toBe('Unexpected error.');
    } finally {
      database.exec('ALTER TABLE "taskAway" RENAME TO "task"');
      database.close();
    }
    const lines = parseLogLines(await server.flushedOutput()).slice(linesBefore);
    const faults = lines.filter((line): line is LogLine & { err: { stack?: string[] } } => line.level === 'error' && line.source === 'graphql');
    expect(faults.length, JSON.stringify(lines)).toBeGreaterThan(0);
    expect(faults[0]).not.toHaveProperty('clientCaused');
    expect(faults[0]!.err.stack?.length).toBeGreaterThan(0);
  });
});
