// The verified-token cache (server/tokenCache.ts, on by default) must never make the API
// accept what it would refuse without it: not after `exp`, not a forged variant of a cached
// token, and a refused token must not poison the cache for the genuine one.
import { base64url, decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VerifiedTokenCache } from '../../server/tokens/tokenCache.js';
import { ApiClient, codesOf, type TestUser } from '../support/client.js';
import { startServer, type RunningServer } from '../support/server.js';

const ME = '{ me { id } }';
const LIFETIME_S = 4;
const CLOCK_TOLERANCE_S = 2; // server/viewer.ts

let server: RunningServer;
let api: ApiClient;
let user: TestUser;

beforeAll(async () => {
  // Short-lived tokens, so expiry happens inside the test.
  server = await startServer({ env: { JWT_EXPIRES_IN: `${LIFETIME_S}s`, TOKEN_CACHE_SIZE: '100' } });
  api = new ApiClient(server.url);
  user = await api.createUser();
});
afterAll(() => server?.stop());

const encodeJson = (value: unknown) => base64url.encode(JSON.stringify(value));

describe('verified-token cache through the real server', () => {
  it('refuses a cached token once it has expired', async () => {
    const jwt = await api.jwtFor(user.sessionToken);
    const { exp } = decodeJwt(jwt);
    // Used (and cached) several times while valid.
    for (let i = 0; i < 3; i++) {
      const response = await api.graphql(ME, {}, { token: jwt });
      expect(response.status).toBe(200);
      expect(response.data).toEqual({ me: { id: user.id } });
    }
    const waitMs = exp! * 1000 + CLOCK_TOLERANCE_S * 1000 + 300 - Date.now();
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, waitMs)));
    const expired = await api.graphql(ME, {}, { token: jwt });
    expect(expired.status).toBe(401);
    expect(codesOf(expired)).toEqual(['UNAUTHENTICATED']);
    expect(expired.errors![0]!.message).toMatch(/expired/);
  }, 20_000);

  it('refuses forged variants of a cached token, and still accepts the genuine one after them', async () => {
    const jwt = await api.jwtFor(user.sessionToken);
    expect((await api.graphql(ME, {}, { token: jwt })).status).toBe(200);
    const [header, payload, signature] = jwt.split('.') as [string, string, string];
    const otherSub = `${header}.${encodeJson({ ...decodeJwt(jwt), sub: 'someone-else' })}.${signature}`;
    const flipped = signature.at(-2) === 'A' ? 'B' : 'A';
    const badSignature = `${header}.${payload}.${signature.slice(0, -2)}${flipped}${signature.at(-1)}`;
    const longerExp = `${header}.${encodeJson({ ...decodeJwt(jwt), exp: decodeJwt(jwt).exp! + 3600 })}.${signature}`;
    for (const forged of [otherSub, badSignature, longerExp, `${jwt}x`, `${jwt}.`]) {
      // Twice each: a refusal is not remembered as anything the genuine token could inherit.
      for (let i = 0; i < 2; i++) {
        const response = await api.graphql(ME, {}, { token: forged });
        expect(response.status, forged).toBe(401);
        expect(codesOf(response)).toEqual(['UNAUTHENTICATED']);
      }
    }
    const genuine = await api.graphql(ME, {}, { token: jwt });
    expect(genuine.status).toBe(200);
    expect(genuine.data).toEqual({ me: { id: user.id } });
  });

  it('answers many concurrent requests carrying one new token, each as its own user', async () => {
    const second = await api.createUser();
    const [a, b] = await Promise.all([api.jwtFor(user.sessionToken), api.jwtFor(second.sessionToken)]);
    const responses = await Promise.all(Array.from({ length: 40 }, (_, i) => api.graphql(ME, {}, { token: i % 2 ? b : a })));
    responses.forEach((response, i) => {
      expect(response.status).toBe(200);
      expect(response.data).toEqual({ me: { id: i % 2 ? second.id : user.id } });
    });
  });
});

describe('VerifiedTokenCache', () => {
  const expiresAtMs = Date.now() + 60_000;

  it('answers until the expiry and never at or after it', async () => {
    const cache = new VerifiedTokenCache<{ id: string }>(10);
    await cache.getOrVerify('t', async () => ({ value: { id: 'u' }, expiresAtMs }));
    expect(cache.get('t', expiresAtMs - 1)).toEqual({ id: 'u' });
    expect(cache.get('t', expiresAtMs)).toBeUndefined();
    // …and the entry is gone for good, even for an earlier clock reading.
    expect(cache.get('t', expiresAtMs - 1)).toBeUndefined();
  });

  it('does not store failures or already-expired tokens, and verifies a token once for concurrent callers', async () => {
    const cache = new VerifiedTokenCache<{ id: string }>(10);
    let calls = 0;
    const failing = () => {
      calls += 1;
      return Promise.reject(new Error('bad signature'));
    };
    await expect(Promise.all([cache.getOrVerify('f', failing), cache.getOrVerify('f', failing)])).rejects.toThrow('bad signature');
    expect(calls).toBe(1);
    await expect(cache.getOrVerify('f', failing)).rejects.toThrow('bad signature');
    expect(calls).toBe(2);
    expect(cache.size).toBe(0);

    await cache.getOrVerify('old', async () => ({ value: { id: 'u' }, expiresAtMs: Date.now() - 1 }));
    expect(cache.size).toBe(0);
  });

  it('stays within its bound, dropping the least recently used token', async () => {
    const cache = new VerifiedTokenCache<{ id: string }>(3);
    for (const token of ['a', 'b', 'c']) await cache.getOrVerify(token, async () => ({ value: { id: token }, expiresAtMs }));
    cache.get('a');
    await cache.getOrVerify('d', async () => ({ value: { id: 'd' }, expiresAtMs }));
    expect(cache.size).toBe(3);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toEqual({ id: 'a' });
  });
});
