import { decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, codesOf } from '../support/client.js';
import { startThrowawayPostgres, type ThrowawayPostgres } from '../support/postgres.js';
import { startServer, tempDataDir, type RunningServer } from '../support/server.js';

const CREATE = 'mutation ($input: CreateTaskInput!) { createTask(input: $input) { id } }';
const COUNT = '{ tasks { totalCount } }';

describe('one auth node and two API-only nodes on one PostgreSQL database', () => {
  const dataDir = tempDataDir();
  const secret = 'shared-secret-for-the-auth-node-0123456789abcdef';
  let authNode: RunningServer;
  let apiNodes: RunningServer[];

  beforeAll(async () => {
    authNode = await startServer({
      dataDir,
      env: { ROLE: 'auth', BETTER_AUTH_SECRET: secret, JWKS_ROTATION_INTERVAL: '3s', JWKS_GRACE_PERIOD: '300s', JWT_EXPIRES_IN: '60s' },
    });
    const apiEnv = {
      ROLE: 'api',
      AUTH_JWKS_URL: `${authNode.url}/api/auth/jwks`,
      BETTER_AUTH_URL: authNode.url, // the issuer of the tokens the API accepts
      BETTER_AUTH_SECRET: undefined, // API nodes hold no signing keys and need no secret
    };
    apiNodes = await Promise.all([startServer({ dataDir, env: apiEnv }), startServer({ dataDir, env: apiEnv })]);
  });
  afterAll(async () => {
    await Promise.all([...(apiNodes ?? []).map((node) => node.stop()), authNode?.stop()]);
  });

  it('each node serves only its part', async () => {
    expect((await fetch(`${apiNodes[0]!.url}/api/auth/jwks`)).status).toBe(404);
    expect((await fetch(`${apiNodes[0]!.url}/`)).status).toBe(404);
    expect((await fetch(`${authNode.url}/graphql?query={__typename}`)).status).toBe(404);
    expect(await (await fetch(`${apiNodes[1]!.url}/readyz`)).json()).toMatchObject({ status: 'ready', role: 'api' });
    expect(await apiNodes[0]!.flushedOutput()).toMatch(/api node listening .*PostgreSQL/);
  });

  it('an API node refuses to start without AUTH_JWKS_URL', async () => {
    await expect(startServer({ dataDir, env: { ROLE: 'api' }, readyTimeoutMs: 20_000 })).rejects.toThrow(/AUTH_JWKS_URL/);
  });

  it('keeps answering through key rotations with zero failed requests, alternating API nodes', async () => {
    const auth = new ApiClient(authNode.url);
    const user = await auth.createUser();
    const apis = apiNodes.map((node) => new ApiClient(node.url));
    const kids = new Set<string>();
    const tokens: string[] = [];
    let requests = 0;
    const failures: string[] = [];
    const started = Date.now();
    while (Date.now() - started < 10_000) {
      const token = await auth.jwtFor(user.sessionToken);
      kids.add(decodeProtectedHeader(token).kid!);
      tokens.push(token);
      // The newest token, and tokens signed by keys rotated out since (still within the grace period).
      for (const candidate of [token, tokens[0]!, tokens[Math.floor(tokens.length / 2)]!]) {
        const api = apis[requests % apis.length]!;
        requests++;
        const response = await api.graphql(requests % 5 === 0 ? CREATE : COUNT, { input: { title: `rotation ${requests}` } }, { token: candidate });
        if (response.status !== 200 || response.errors) failures.push(`${response.status} ${JSON.stringify(response.errors)}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    console.log(`[rotation] ${requests} requests over ${Date.now() - started} ms across 2 API nodes, ${kids.size} signing keys, ${failures.length} failures`);
    expect(failures).toEqual([]);
    expect(kids.size).toBeGreaterThanOrEqual(3);
  });
});

describe('PostgreSQL outage', () => {
  let postgres: ThrowawayPostgres;
  let server: RunningServer;
  let databaseUrl: string;
  beforeAll(async () => {
    postgres = await startThrowawayPostgres();
    const url = new URL(postgres.url);
    url.pathname = '/taskfort_outage';
    databaseUrl = url.toString();
    server = await startServer({ env: { DATABASE_URL: databaseUrl } });
  });
  afterAll(async () => {
    await server?.stop();
    postgres?.stop();
  });

  it('answers 503 SERVICE_UNAVAILABLE fast while the database is down, and recovers without a restart', async () => {
    const api = new ApiClient(server.url);
    const user = await api.createUser();
    expect((await api.graphql(CREATE, { input: { title: 'before the outage' } }, { token: user.jwt })).status).toBe(200);

    postgres.pause();
    const timings: number[] = [];
    for (const query of [COUNT, CREATE]) {
      const startedAt = performance.now();
      const response = await api.graphql(query, { input: { title: 'during the outage' } }, { token: user.jwt });
      timings.push(Math.round(performance.now() - startedAt));
      expect(response.status).toBe(503);
      expect(codesOf(response)).toEqual(['SERVICE_UNAVAILABLE']);
      expect(response.headers.get('retry-after')).toBe('1');
      expect(JSON.stringify(response.body)).not.toMatch(/postgres|127\.0\.0\.1|ECONNREFUSED|at \w+ \(/i);
    }
    const signInStartedAt = performance.now();
    const signIn = await api.signIn({ email: user.email, password: user.password });
    timings.push(Math.round(performance.now() - signInStartedAt));
    expect(signIn.status).toBe(503);
    expect(signIn.headers.get('retry-after')).toBe('1');
    expect(await signIn.text()).not.toMatch(/postgres|127\.0\.0\.1|ECONNREFUSED|at \w+ \(/i);

    const readiness = await fetch(`${server.url}/readyz`);
    expect(readiness.status).toBe(503);
    expect(await readiness.json()).toMatchObject({ checks: { database: 'unreachable' } });
    console.log(`[outage] 503 answers took ${timings.join(' ms, ')} ms`);

    postgres.start();
    let recovered = false;
    const deadline = Date.now() + 20_000;
    while (!recovered && Date.now() < deadline) {
      const response = await api.graphql(COUNT, {}, { token: user.jwt });
      recovered = response.status === 200 && !response.errors;
      if (!recovered) await new Promise((r) => setTimeout(r, 200));
    }
    expect(recovered).toBe(true);
    expect(server.process.exitCode).toBeNull();
    const after = await api.graphql(CREATE, { input: { title: 'after the outage' } }, { token: user.jwt });
    expect(after.status).toBe(200);
    expect((await api.graphql(COUNT, {}, { token: user.jwt })).data).toEqual({ tasks: { totalCount: 2 } });
  });

  it('answers the GraphiQL token prefill with 503 SERVICE_UNAVAILABLE JSON while the database is down, never a stack trace', async () => {
    // The prefill counts against the /token limit in the database first; the limiter is off on the server above.
    const limited = await startServer({ env: { DATABASE_URL: databaseUrl, AUTH_RATE_LIMIT: 'on' } });
    try {
      postgres.pause();
      try {
        // A session cookie is enough, even a forged one: no account needed.
        const response = await fetch(`${limited.url}/graphql`, { headers: { accept: 'text/html', cookie: 'better-auth.session_token=forged.value' } });
        const body = await response.text();
        expect(response.status).toBe(503);
        expect(response.headers.get('content-type')).toMatch(/^application\/json/);
        expect(response.headers.get('retry-after')).toBe('1');
        expect(JSON.parse(body)).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
        expect(body).not.toMatch(/postgres|127\.0\.0\.1|:\d{4,5}\b|ECONNREFUSED|Prisma|\n\s+at /i);
      } finally {
        postgres.start();
      }
    } finally {
      await limited.stop();
    }
  });
});
