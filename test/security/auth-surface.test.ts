import { existsSync, statSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, type TestUser } from '../support/client.js';
import { startServer, type RunningServer } from '../support/server.js';

// Issue 10: MEDIUM 5 (database rows from any /api/auth/ path), LOW 8 (NFKC), LOW 9 (password
// oracle routes), LOW 15 (the error page), LOW 16 (JWTs outside /token), and the Origin check
// that Better Auth skips in "test mode". The server runs WITH TEST=1 and NODE_ENV=test and the
// rate limiter on, so every check here holds whatever those variables say.

const EVIL_ORIGIN = 'https://evil.example';

/** node:http, not fetch: fetch will not send a Host header of the caller's choosing. */
function requestWithHost(method: string, url: string, host: string, headers: Record<string, string>, body = '') {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const request = httpRequest(url, {
      method,
      headers: { ...headers, host, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) },
    });
    request.on('response', (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
    });
    request.on('error', reject);
    request.end(body);
  });
}

function databaseFootprint(server: RunningServer): { rows: number; bytes: number } {
  const file = join(server.dataDir, 'taskfort.db');
  const database = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const { rows } = database.prepare('SELECT COUNT(*) AS rows FROM "rateLimit"').get() as { rows: number };
    const bytes = [file, `${file}-wal`].filter(existsSync).reduce((total, path) => total + statSync(path).size, 0);
    return { rows, bytes };
  } finally {
    database.close();
  }
}

describe('the Better Auth surface', () => {
  let server: RunningServer;
  let api: ApiClient;
  let user: TestUser;
  beforeAll(async () => {
    server = await startServer({ env: { AUTH_RATE_LIMIT: 'on' }, unscrubbedEnv: { TEST: '1', NODE_ENV: 'test' } });
    api = new ApiClient(server.url);
    user = await api.createUser();
  });
  afterAll(() => server?.stop());

  it('refuses a cross-origin sign-up and sign-in with 403 even with TEST=1 and NODE_ENV=test set', async () => {
    const signUp = await api.post(
      '/api/auth/sign-up/email',
      { name: 'Mallory', email: 'mallory@example.com', password: 'correct horse battery staple' },
      { origin: EVIL_ORIGIN },
    );
    expect(signUp.status).toBe(403);
    const signIn = await api.post('/api/auth/sign-in/email', { email: user.email, password: user.password }, { origin: EVIL_ORIGIN });
    expect(signIn.status).toBe(403);
  });

  it('answers 404 for 300 random unknown /api/auth/ paths without writing a row or growing the database', async () => {
    const before = databaseFootprint(server);
    for (let batch = 0; batch < 30; batch++) {
      await Promise.all(
        Array.from({ length: 10 }, async (_, i) => {
          const response = await fetch(`${server.url}/api/auth/${'x'.repeat(2000)}-${batch}-${i}-${Math.random().toString(36).slice(2)}`, {
            method: i % 2 ? 'GET' : 'POST',
          });
          expect(response.status).toBe(404);
        }),
      );
    }
    const after = databaseFootprint(server);
    expect(after.rows).toBe(before.rows);
    expect(after.bytes).toBe(before.bytes);
  });

  it('does not count routes without a limit: 20 get-session calls write no row', async () => {
    const before = databaseFootprint(server);
    for (let i = 0; i < 20; i++) {
      const response = await fetch(`${server.url}/api/auth/get-session`, { headers: { authorization: `Bearer ${user.sessionToken}` } });
      expect(response.status).toBe(200);
      // LOW 16: get-session does not mint a JWT on the side.
      expect(response.headers.get('set-auth-jwt')).toBeNull();
    }
    expect(databaseFootprint(server).rows).toBe(before.rows);
  });

  it('keys rate-limit rows by client IP and route name only', async () => {
    const database = new Database(join(server.dataDir, 'taskfort.db'), { readonly: true });
    try {
      const keys = (database.prepare('SELECT "key" FROM "rateLimit"').all() as { key: string }[]).map((row) => row.key);
      expect(keys.length).toBeGreaterThan(0);
      for (const key of keys) expect(key).toMatch(/^[0-9a-f.:]+\|\/(sign-up\/email|sign-in\/email|token|change-password|update-user)$/);
    } finally {
      database.close();
    }
  });

  // Reset, deletion and session routes are served since issue 12 (test/api/accounts.test.ts); their
  // token-in-URL variants (the GET reset callback, deletion by mailed token) are not.
  for (const route of [
    '/reset-password/x',
    '/delete-user/callback',
    '/forget-password',
    '/verify-password',
    '/set-password',
    '/verify-email',
    '/send-verification-email',
    '/change-email',
    '/sign-jwt',
    '/ok',
  ]) {
    it(`has no ${route} route (404), even with a valid session`, async () => {
      const response = await api.post(
        `/api/auth${route}`,
        { password: user.password, newPassword: 'another good passphrase here', token: 'x' },
        { authorization: `Bearer ${user.sessionToken}` },
      );
      expect(response.status).toBe(404);
    });
  }

  it('refuses a Host header that carries a path, so an allowed route cannot reach a closed one (verify-password, a password oracle)', async () => {
    const headers = { authorization: `Bearer ${user.sessionToken}`, origin: server.url };
    const body = JSON.stringify({ password: user.password });
    // Fetch-API adapters build the URL Better Auth routes on as http://<Host><path>.
    for (const host of ['h/api/auth/verify-password?', 'h/api/auth/verify-password#', 'h?x=', `127.0.0.1:${new URL(server.url).port}/x`]) {
      const response = await requestWithHost('POST', `${server.url}/api/auth/jwks`, host, headers, body);
      expect(response.status, host).toBe(400);
      expect(response.body, host).not.toContain('"status"');
    }
    // Well-formed hosts still work, the bracketed IPv6 form included.
    const port = new URL(server.url).port;
    for (const host of [`localhost:${port}`, `[::1]:${port}`, 'taskfort.example']) {
      const jwks = await requestWithHost('GET', `${server.url}/api/auth/jwks`, host, {});
      expect(jwks.status, host).toBe(200);
    }
  });

  it('has no error page that renders attacker text', async () => {
    const response = await fetch(`${server.url}/api/auth/error?error=%3Cscript%3Ealert(1)%3C/script%3E&error_description=Call+us`);
    expect(response.status).toBe(404);
    const body = await response.text();
    expect(body).not.toContain('<script>');
    expect(body).not.toContain('Call us');
  });

  it('answers /api/auth/token with Cache-Control: no-store', async () => {
    const response = await api.mintJwt(user.sessionToken);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it('scores the password as stored (NFKC): full-width "ｐａｓｓｗｏｒｄ１２３４" is refused', async () => {
    const response = await api.post(
      '/api/auth/change-password',
      { currentPassword: user.password, newPassword: 'ｐａｓｓｗｏｒｄ１２３４' },
      { authorization: `Bearer ${user.sessionToken}` },
    );
    expect(response.status).toBe(400);
    expect(((await response.json()) as { code: string }).code).toBe('PASSWORD_TOO_WEAK');
  });
});
