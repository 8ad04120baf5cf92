// Review 4, HTTP and authentication surface: no response carries a stack trace, whatever escapes
// the Fetch-API adapters (finding 3), and requests that can never succeed do not spend the
// per-IP auth limits of the users behind that IP (finding 5).
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, type TestUser } from '../support/client.js';
import { startServer, type RunningServer } from '../support/server.js';

const EVIL_ORIGIN = 'https://evil.example';
const STACK_OR_DETAILS = /\n\s+at |TypeError|Invalid URL|Prisma|no such table|node_modules|main\.js/;

/** node:http, not fetch: fetch will not send a Host header of the caller's choosing. */
function requestWithHost(path: string, host: string) {
  return new Promise<{ status: number; contentType: string; body: string }>((resolve, reject) => {
    const request = httpRequest(`${server.url}${path}`, { headers: { host } });
    request.on('response', (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, contentType: String(response.headers['content-type']), body: text }));
    });
    request.on('error', reject);
    request.end();
  });
}

let server: RunningServer;
let api: ApiClient;
let user: TestUser;
let nextAddress = 1;
/** Each test its own client IP (TRUST_PROXY=loopback), so its per-IP counters start at zero. */
const freshClientIp = () => `198.51.100.${nextAddress++}`;

beforeAll(async () => {
  server = await startServer({ env: { AUTH_RATE_LIMIT: 'on', TRUST_PROXY: 'loopback' } });
  api = new ApiClient(server.url);
  user = await api.createUser();
});
afterAll(() => server?.stop());

describe('no response carries a stack trace', () => {
  it('answers a Host that passes the syntax check but is no valid URL authority with 400 JSON, on GraphQL and auth routes', async () => {
    for (const host of ['localhost:99999', '[1.2.3.4]', '999.1.1.1', '[:::::]', 'foo.09']) {
      for (const path of ['/graphql', '/api/auth/get-session']) {
        const response = await requestWithHost(path, host);
        expect(response.status, `${host} ${path}`).toBe(400);
        expect(response.contentType, `${host} ${path}`).toMatch(/^application\/json/);
        expect(JSON.parse(response.body), `${host} ${path}`).toMatchObject({ error: 'bad_request' });
        expect(response.body).not.toMatch(STACK_OR_DETAILS);
      }
    }
  });

  it('answers a database error during the GraphiQL token prefill with the masked 500 JSON, logged without its message', async () => {
    const database = new Database(join(server.dataDir, 'taskfort.db'), { timeout: 5000 });
    database.exec('ALTER TABLE "rateLimit" RENAME TO "rateLimitAway"');
    try {
      // A session cookie (even a forged one) makes the page try to mint a token, which is counted against the /token limit first.
      const response = await fetch(`${server.url}/graphql`, {
        headers: { accept: 'text/html', cookie: 'better-auth.session_token=forged.value', 'x-forwarded-for': freshClientIp() },
      });
      const body = await response.text();
      expect(response.status).toBe(500);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(JSON.parse(body)).toEqual({ code: 'INTERNAL_SERVER_ERROR', message: 'Unexpected error.' });
      expect(body).not.toMatch(STACK_OR_DETAILS);
    } finally {
      database.exec('ALTER TABLE "rateLimitAway" RENAME TO "rateLimit"');
      database.close();
    }
    const output = await server.flushedOutput();
    const logged = output.split('\n').filter((line) => line.includes('an error escaped the request handler'));
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatch(/"level":"error".*"err":\{"type":"\w+".*"handler":"graphql"/);
    expect(output).not.toContain('no such table');
  });
});

describe('per-IP auth limits count only requests that pass the origin and content-type checks', () => {
  it('a cross-site page cannot spend the sign-in limit: refused requests leave the real sign-in alone', async () => {
    const ip = freshClientIp();
    const attempt = (headers: Record<string, string>, body: string) =>
      fetch(`${server.url}/api/auth/sign-in/email`, { method: 'POST', headers: { 'x-forwarded-for': ip, ...headers }, body });
    const credentials = JSON.stringify({ email: user.email, password: 'attacker guesses wrong 1' });
    const refusals: number[] = [];
    for (let i = 0; i < 4; i++) {
      // fetch(url, { mode: 'no-cors', method: 'POST', body }) from another site: text/plain, its own Origin.
      refusals.push((await attempt({ origin: EVIL_ORIGIN, 'sec-fetch-site': 'cross-site', 'content-type': 'text/plain;charset=UTF-8' }, credentials)).status);
      // JSON from another origin (a browser would need a CORS grant it never gets).
      refusals.push((await attempt({ origin: EVIL_ORIGIN, 'content-type': 'application/json' }, credentials)).status);
      // Right origin, wrong content type.
      refusals.push((await attempt({ origin: server.url, 'content-type': 'text/plain' }, credentials)).status);
    }
    expect(
      refusals.every((status) => status === 403 || status === 415),
      refusals.join(' '),
    ).toBe(true);
    const signIn = await api.post('/api/auth/sign-in/email', { email: user.email, password: user.password }, { 'x-forwarded-for': ip });
    expect(signIn.status, await signIn.clone().text()).toBe(200);
  });

  it('a cross-site <img src=/api/auth/token> cannot spend the token limit: the web app still renews its JWT', async () => {
    const ip = freshClientIp();
    for (let i = 0; i < 30; i++) {
      const refused = await fetch(`${server.url}/api/auth/token`, {
        headers: { 'x-forwarded-for': ip, 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors', 'sec-fetch-dest': 'image' },
      });
      expect(refused.status).toBe(403);
    }
    const minted = await fetch(`${server.url}/api/auth/token`, { headers: { authorization: `Bearer ${user.sessionToken}`, 'x-forwarded-for': ip } });
    expect(minted.status, await minted.clone().text()).toBe(200);
  });

  it('a cross-site page that sends its visitors to GraphiQL gets no token minted for them, so it cannot spend their token limit either', async () => {
    const ip = freshClientIp();
    const cookie = `better-auth.session_token=${encodeURIComponent(user.sessionToken)}`;
    const navigation = { accept: 'text/html', cookie, 'x-forwarded-for': ip, 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' };
    for (let i = 0; i < 30; i++) {
      const page = await fetch(`${server.url}/graphql`, { headers: { ...navigation, 'sec-fetch-site': 'cross-site' } });
      expect(page.status).toBe(200);
      expect(await page.text()).not.toMatch(/Bearer ey/);
    }
    const ownPage = await fetch(`${server.url}/graphql`, { headers: { ...navigation, 'sec-fetch-site': 'same-origin' } });
    expect((await ownPage.text()).replaceAll('\\n', '')).toMatch(/Bearer ey[\w-]+\.[\w-]+\.[\w-]+/);
  });

  it('still counts requests that pass the checks: the 11th sign-in of one IP in a minute is 429', async () => {
    const ip = freshClientIp();
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      statuses.push((await api.post('/api/auth/sign-in/email', { email: user.email, password: 'not the password 1' }, { 'x-forwarded-for': ip })).status);
    }
    expect(statuses).toEqual([...Array<number>(10).fill(401), 429]);
  });
});

// Review 5: a proxy that writes the client as `ip:port` (Azure App Service, IIS ARR) put every
// client into Better Auth's one shared bucket for addresses it cannot parse.
describe('clients behind a proxy that writes ip:port in X-Forwarded-For', () => {
  it('are limited one by one, by their address without the port', async () => {
    const ip = freshClientIp();
    const otherIp = freshClientIp();
    let attempt = 0;
    // A new email each time, so only the per-IP limit can answer 429.
    const signIn = (forwardedFor: string) =>
      api.post(
        '/api/auth/sign-in/email',
        { email: `nobody-${attempt++}-${Date.now()}@example.com`, password: 'not the password 1' },
        { 'x-forwarded-for': forwardedFor },
      );
    for (let port = 40_000; port < 40_010; port++) expect((await signIn(`${ip}:${port}`)).status).toBe(401);
    expect((await signIn(`${ip}:41000`)).status).toBe(429);
    expect((await signIn(`[::ffff:${ip}]:41001`)).status).toBe(429);
    expect((await signIn(`${otherIp}:40000`)).status).toBe(401);
  });
});
