// The verified-token cache (server/tokenCache.ts, on by default) must never make the API
// accept what it would refuse without it: not after `exp`, not a forged variant of a cached
// token, and a refused token must not poison the cache for the genuine one.
import { base64url, decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { codesOf } from '../support/client.js';
import { useServerWithUser } from '../support/fixtures.js';

const ME = '{ me { id } }';
const LIFETIME_S = 4;
const CLOCK_TOLERANCE_S = 2; // server/viewer.ts

// Short-lived tokens, so expiry happens inside the test.
const { api, user } = useServerWithUser({ env: { JWT_EXPIRES_IN: `${LIFETIME_S}s`, TOKEN_CACHE_SIZE: '100' } });

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
