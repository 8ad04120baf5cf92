import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { describe, expect, it } from 'vitest';
import { ApiClient } from '../support/client.js';
import { useServer, useServerWithUser } from '../support/fixtures.js';
import { startServer } from '../support/server.js';

// OWASP API2:2023 (broken authentication) and API4 (resource consumption) on the auth endpoints.

// One server with the default settings for the suites that need nothing else.
const defaultServer = useServer();

function rawRequest(url: string, method: string, headers: Record<string, string>, body?: string) {
  return new Promise<{ status: number; headers: IncomingHttpHeaders }>((resolve, reject) => {
    const request = httpRequest(url, { method, headers: { ...headers, ...(body ? { 'content-length': String(Buffer.byteLength(body)) } : {}) } });
    request.on('response', (response) => {
      response.resume();
      resolve({ status: response.statusCode ?? 0, headers: response.headers });
    });
    request.on('error', reject);
    request.end(body);
  });
}

async function signInStatus(api: ApiClient, email: string, password: string, headers: Record<string, string> = {}) {
  const response = await api.post('/api/auth/sign-in/email', { email, password }, headers);
  return { status: response.status, retryAfter: response.headers.get('retry-after') };
}

describe('per-IP rate limits on sign-in, sign-up and token minting', () => {
  const { server, api, user } = useServerWithUser({ env: { AUTH_RATE_LIMIT: 'on' } });

  it('answers 429 with Retry-After after 10 sign-in attempts a minute, and a rotating X-Forwarded-For does not help', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) {
      statuses.push((await signInStatus(api, user.email, 'wrong password guess', { 'x-forwarded-for': `203.0.113.${i}` })).status);
    }
    expect(statuses.every((status) => status === 401)).toBe(true);
    const limited = await signInStatus(api, user.email, user.password, { 'x-forwarded-for': '198.51.100.77' });
    expect(limited.status).toBe(429);
    expect(Number(limited.retryAfter)).toBeGreaterThan(0);
    expect(await server.flushedOutput()).toMatch(/"event":"rate_limited"/);
  });

  it('limits sign-ups to 5 a minute per IP', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const response = await api.signUp({ name: 'Flood', email: `flood-${i}-${Date.now()}@example.com`, password: 'correct horse battery staple' });
      statuses.push(response.status);
    }
    expect(statuses.slice(0, 4).every((status) => status === 200)).toBe(true); // createUser above used one
    expect(statuses.at(-1)).toBe(429);
  });

  it('limits token minting to 120 a minute per IP', async () => {
    let lastStatus = 0;
    for (let i = 0; i < 121 && lastStatus !== 429; i++) lastStatus = (await api.mintJwt(user.sessionToken)).status;
    expect(lastStatus).toBe(429);
  });
});

describe('requests without credentials do not spend the per-IP budget of session-only routes', () => {
  const { server, api, user } = useServerWithUser({ env: { AUTH_RATE_LIMIT: 'on' } });
  const UNAUTHORIZED = { message: 'Unauthorized', code: 'UNAUTHORIZED' };

  it('answers cookie-less /token requests 401 without counting them, so a neighbour on the same IP still gets a JWT', async () => {
    for (let i = 0; i < 150; i++) {
      // No cookie at all, or only cookies that are not the session's.
      const response = await fetch(`${server.url}/api/auth/token`, i % 2 ? { headers: { cookie: 'theme=dark; better-auth.session_data=x' } } : {});
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual(UNAUTHORIZED);
    }
    const minted = await api.mintJwt(user.sessionToken);
    expect(minted.status).toBe(200);
    expect(await server.flushedOutput()).toMatch(/"event":"token.refused".*"reason":"no session cookie or bearer token"/);
    // A request with a session cookie or bearer token, valid or not, is still counted.
    let lastStatus = 0;
    for (let i = 0; i < 11 && lastStatus !== 429; i++) {
      lastStatus = (await api.post('/api/auth/update-user', { name: 'Any' }, { cookie: 'better-auth.session_token=forged.value' })).status;
    }
    for (let i = 0; i < 30 && lastStatus !== 429; i++) {
      lastStatus = (await api.post('/api/auth/update-user', { name: 'Any' }, { authorization: 'Bearer forged.value' })).status;
    }
    expect(lastStatus).toBe(429);
  });

  it.each([
    ['/api/auth/change-password', { currentPassword: 'whatever it is', newPassword: 'violet tractor umbrella quartz 93' }, 10],
    ['/api/auth/delete-user', {}, 5],
    ['/api/auth/revoke-session', {}, 30],
    // Last: signed in, it ends the user's sessions.
    ['/api/auth/revoke-sessions', {}, 30],
  ])('answers %s without credentials 401, uncounted', async (path, body, limit) => {
    for (let i = 0; i <= limit + 1; i++) {
      const response = await api.post(path, body);
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual(UNAUTHORIZED);
    }
    // A signed-in caller still has the whole budget: the route answers as usual, not 429.
    const signedIn = await api.post(path, body, { authorization: `Bearer ${user.sessionToken}` });
    expect(signedIn.status).not.toBe(429);
  });
});

describe('rate limits behind a trusted proxy, and across processes', () => {
  it('with TRUST_PROXY=loopback, clients behind the proxy are limited one by one', async () => {
    const server = await startServer({ env: { AUTH_RATE_LIMIT: 'on', TRUST_PROXY: 'loopback' } });
    try {
      const api = new ApiClient(server.url);
      // A new email each time, so only the per-IP budget is spent (each email has its own too).
      let guesses = 0;
      const guess = (forwardedFor: string) => signInStatus(api, `nobody-${guesses++}@example.com`, 'wrong password', { 'x-forwarded-for': forwardedFor });
      for (let i = 0; i < 10; i++) expect((await guess('203.0.113.10')).status).toBe(401);
      expect((await guess('203.0.113.10')).status).toBe(429);
      // Another client behind the same proxy has its own budget.
      expect((await guess('203.0.113.11')).status).toBe(401);
      // The address the proxy appends is the one that counts: a spoofed left-most entry changes nothing.
      expect((await guess('1.2.3.4, 203.0.113.10')).status).toBe(429);
    } finally {
      await server.stop();
    }
  });

  it('shares the counters between cluster workers (database storage)', async () => {
    const server = await startServer({ env: { AUTH_RATE_LIMIT: 'on', WEB_CONCURRENCY: '2' } });
    try {
      const api = new ApiClient(server.url);
      const statuses = await Promise.all(
        Array.from({ length: 16 }, (_, i) => signInStatus(api, `nobody-${i}@example.com`, 'wrong password').then((r) => r.status)),
      );
      expect(statuses.filter((status) => status === 429).length).toBeGreaterThanOrEqual(4);
    } finally {
      await server.stop();
    }
  });
});

describe('password policy and sign-in secrecy', () => {
  const { api } = defaultServer;

  it.each(['password123', 'qwertyuiop', 'iloveyou2024', 'aaaaaaaaaa'])('refuses the common password %s', async (password) => {
    const response = await api.signUp({ name: 'Weak', email: `weak-${Date.now()}@example.com`, password });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'PASSWORD_TOO_WEAK' });
  });

  it('does not reveal through timing whether an email has an account (both paths run the password hash)', async () => {
    const user = await api.createUser();
    const time = async (email: string) => {
      const started = performance.now();
      await api.signIn({ email, password: 'not the password at all' });
      return performance.now() - started;
    };
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 8; i++) {
      known.push(await time(user.email));
      unknown.push(await time(`nobody-${i}@example.com`));
    }
    const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    const ratio = median(unknown) / median(known);
    console.log(`[sign-in timing] known ${median(known).toFixed(1)} ms, unknown ${median(unknown).toFixed(1)} ms`);
    // A missing account without hashing would answer in ~1 ms against ~50+ ms.
    expect(ratio).toBeGreaterThan(0.5);
    expect(ratio).toBeLessThan(2);
  });
});

describe('CORS', () => {
  const { server } = useServer({ env: { TRUSTED_ORIGINS: 'https://app.example.com' } });

  const preflight = (path: string, origin: string) =>
    fetch(`${server.url}${path}`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, authorization' },
    });

  it('/api/auth never grants an arbitrary origin, with or without credentials', async () => {
    const response = await preflight('/api/auth/sign-in/email', 'https://evil.example');
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    // node:http, not fetch: fetch manages Origin and Sec-Fetch-* itself.
    const post = await rawRequest(
      `${server.url}/api/auth/sign-in/email`,
      'POST',
      {
        origin: 'https://evil.example',
        'sec-fetch-site': 'cross-site',
        'sec-fetch-mode': 'cors',
        'content-type': 'application/json',
      },
      JSON.stringify({ email: 'a@example.com', password: 'whatever password' }),
    );
    expect(post.headers['access-control-allow-origin']).toBeUndefined();
    expect(post.status).toBe(403); // Better Auth's origin check
  });

  it('/api/auth grants a configured trusted origin with credentials', async () => {
    const response = await preflight('/api/auth/sign-in/email', 'https://app.example.com');
    expect(response.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(response.headers.get('access-control-allow-credentials')).toBe('true');
  });

  it('/graphql allows any origin for bearer tokens but never with credentials', async () => {
    const response = await preflight('/graphql', 'https://evil.example');
    // Yoga answers '*' or echoes the origin; either way without credentials, so no cookie ever rides along.
    expect(['*', 'https://evil.example']).toContain(response.headers.get('access-control-allow-origin'));
    expect(response.headers.get('access-control-allow-credentials')).not.toBe('true');
    expect(response.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
  });

  it('puts security headers on every HTML response', async () => {
    for (const path of ['/', '/sign-in', '/some/client/route']) {
      const response = await fetch(`${server.url}${path}`);
      expect(response.headers.get('content-type')).toMatch(/text\/html/);
      expect(response.headers.get('content-security-policy')).toMatch(/script-src 'self'(;|$)/);
      expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    }
    const graphiql = await fetch(`${server.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(graphiql.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(graphiql.headers.get('x-content-type-options')).toBe('nosniff');
  });
});

describe('the auth event log', () => {
  it('records sign-up, sign-in success and failure, token minting, 401 and 403 with user id and IP, never secrets', async () => {
    const { server, api } = defaultServer;
    const alice = await api.createUser();
    const bob = await api.createUser();
    await api.signIn({ email: alice.email, password: 'a wrong password here' });
    const task = await api.graphql('mutation { createTask(input: {title: "mine"}) { id } }', {}, { token: alice.jwt });
    await api.graphql('query ($id: ID!) { task(id: $id) { id } }', { id: task.data!.createTask.id }, { token: bob.jwt });
    await api.graphql('{ me { id } }');
    await api.graphql('{ me { id } }', {}, { token: 'garbage.token.here' });
    const log = await server.flushedOutput();
    const events = log
      .split('\n')
      .filter((line) => line.includes('"log":"auth"'))
      .map((line) => JSON.parse(line) as { event: string; userId: string | null; ip: string | null });
    const has = (event: string, userId?: string) =>
      events.some((e) => e.event === event && (userId === undefined || e.userId === userId) && e.ip === '127.0.0.1');
    expect(has('sign_up', alice.id)).toBe(true);
    expect(has('token.minted', alice.id)).toBe(true);
    expect(has('sign_in.failed')).toBe(true);
    expect(has('api.forbidden', bob.id)).toBe(true);
    expect(has('api.unauthenticated')).toBe(true);
    for (const secret of [alice.password, bob.password, alice.jwt, alice.sessionToken, 'a wrong password here']) expect(log).not.toContain(secret);
  });

  it('names who signed out, and logs a GraphiQL page mint once, with the user and the IP', async () => {
    const { server, api } = defaultServer;
    const carol = await api.createUser();
    const cookie = `better-auth.session_token=${encodeURIComponent(carol.sessionToken)}`;
    const before = (await server.flushedOutput()).length;
    const page = await fetch(`${server.url}/graphql`, { headers: { accept: 'text/html', cookie, 'sec-fetch-site': 'same-origin' } });
    expect(page.status).toBe(200);
    expect((await api.post('/api/auth/sign-out', {}, { cookie })).status).toBe(200);
    const events = (await server.flushedOutput())
      .slice(before)
      .split('\n')
      .filter((line) => line.includes('"log":"auth"'))
      .map((line) => JSON.parse(line) as { event: string; userId: string | null; ip: string | null });
    expect(events.filter((e) => e.event === 'token.minted')).toEqual([expect.objectContaining({ userId: carol.id, ip: '127.0.0.1' })]);
    expect(events.filter((e) => e.event === 'sign_out')).toEqual([expect.objectContaining({ userId: carol.id, ip: '127.0.0.1' })]);
  });
});
