import { generateKeyPair, SignJWT, decodeJwt, decodeProtectedHeader, base64url } from 'jose';
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ApiClient, codesOf } from '../support/client.js';
import { useServerWithUser } from '../support/fixtures.js';
import { startServer } from '../support/server.js';

const ME = '{ me { id email } }';

// A fixed secret, so a second server on the same database (an API node) shares its keys.
const secret = 'shared-secret-for-servers-on-one-database-0123456789';
const { server, api, user } = useServerWithUser({ env: { BETTER_AUTH_SECRET: secret } });

function expectInvalidToken(response: Awaited<ReturnType<ApiClient['graphql']>>) {
  expect(response.status).toBe(401);
  expect(response.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
  expect(response.errors).toHaveLength(1);
  expect(codesOf(response)).toEqual(['UNAUTHENTICATED']);
  expect(response.data ?? null).toBeNull();
}

const encodeJson = (value: unknown) => base64url.encode(JSON.stringify(value));

async function signWithFreshKey(claims: Record<string, unknown>, kid: string) {
  const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  return new SignJWT(claims).setProtectedHeader({ alg: 'EdDSA', kid }).sign(privateKey);
}

describe('authenticated API access (US3, FR-008..FR-009)', () => {
  it('answers a valid bearer JWT', async () => {
    const response = await api.graphql(ME, {}, { token: user.jwt });
    expect(response.status).toBe(200);
    expect(response.data).toEqual({ me: { id: user.id, email: user.email } });
  });

  it('refuses a protected field without a token: 401, WWW-Authenticate: Bearer, UNAUTHENTICATED', async () => {
    const response = await api.graphql(ME);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
    expect(codesOf(response)).toEqual(['UNAUTHENTICATED']);
  });

  it('keeps introspection and __typename open for GraphiQL', async () => {
    const typename = await api.graphql('{ __typename }');
    expect(typename.status).toBe(200);
    expect(typename.data).toEqual({ __typename: 'Query' });
    const introspection = await api.graphql('{ __schema { queryType { name } } }');
    expect(introspection.status).toBe(200);
    expect(introspection.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
  });

  it('ignores session cookies and query-string tokens: only the Authorization header counts', async () => {
    const signIn = await api.signIn({ email: user.email, password: user.password });
    const cookie = signIn.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    expect(cookie).toContain('session_token');
    const withCookie = await api.graphql(ME, {}, { headers: { cookie } });
    expect(withCookie.status).toBe(401);
    const inQuery = await fetch(`${server.url}/graphql?access_token=${user.jwt}&query=${encodeURIComponent(ME)}`);
    expect(inQuery.status).toBe(401);
  });
});

describe('forged and unusable tokens are refused as a whole request (RFC 8725)', () => {
  it('refuses a tampered payload (bad signature)', async () => {
    const [header, , signature] = user.jwt.split('.');
    const claims = { ...decodeJwt(user.jwt), sub: 'someone-else' };
    expectInvalidToken(await api.graphql(ME, {}, { token: `${header}.${encodeJson(claims)}.${signature}` }));
  });

  it('refuses alg=none', async () => {
    const token = `${encodeJson({ alg: 'none', typ: 'JWT' })}.${encodeJson(decodeJwt(user.jwt))}.`;
    expectInvalidToken(await api.graphql(ME, {}, { token }));
  });

  it('refuses HS256 signed with the public key as the HMAC secret', async () => {
    const jwks = await (await fetch(`${server.url}/api/auth/jwks`)).json();
    const publicKey = jwks.keys[0];
    const kid = decodeProtectedHeader(user.jwt).kid;
    const signingInput = `${encodeJson({ alg: 'HS256', kid })}.${encodeJson(decodeJwt(user.jwt))}`;
    for (const secret of [JSON.stringify(publicKey), publicKey.x, base64url.decode(publicKey.x)]) {
      const signature = createHmac('sha256', secret).update(signingInput).digest('base64url');
      expectInvalidToken(await api.graphql(ME, {}, { token: `${signingInput}.${signature}` }));
    }
  });

  it('refuses a well-formed token signed by an unknown key', async () => {
    const now = Math.floor(Date.now() / 1000);
    const claims = { ...decodeJwt(user.jwt), iat: now, exp: now + 600 };
    expectInvalidToken(await api.graphql(ME, {}, { token: await signWithFreshKey(claims, 'unknown-kid') }));
    // Same kid as the real key, different key material.
    const realKid = decodeProtectedHeader(user.jwt).kid!;
    expectInvalidToken(await api.graphql(ME, {}, { token: await signWithFreshKey(claims, realKid) }));
  });

  it.each([
    ['garbage', 'not-a-jwt'],
    ['three garbage segments', 'a.b.c'],
    ['an oversized token', 'a'.repeat(10_000)],
  ])('refuses %s', async (_label, token) => {
    expectInvalidToken(await api.graphql(ME, {}, { token }));
  });

  it('refuses a Better Auth session token used as a bearer token', async () => {
    expectInvalidToken(await api.graphql(ME, {}, { token: user.sessionToken }));
  });

  it('refuses another authorization scheme', async () => {
    expectInvalidToken(await api.graphql(ME, {}, { headers: { authorization: `Basic ${btoa('a:b')}` } }));
  });

  it('refuses even public operations when the token is invalid', async () => {
    expectInvalidToken(await api.graphql('{ __typename }', {}, { token: 'not-a-jwt' }));
  });
});

// Tokens with the wrong issuer or audience, or expired, are refused by the same verifier:
// test/security/jwt-forgery.test.ts signs each of them with a trusted key.
describe('an API running apart from the auth server', () => {
  it('verifies tokens through AUTH_JWKS_URL when the API runs apart from the auth server', async () => {
    const apiNode = await startServer({
      dataDir: server.dataDir,
      env: {
        BETTER_AUTH_SECRET: secret,
        AUTH_JWKS_URL: `${server.url}/api/auth/jwks`,
        JWT_ISSUER: server.url,
      },
    });
    try {
      const someone = await api.createUser();
      const viaApiNode = new ApiClient(apiNode.url);
      const response = await viaApiNode.graphql(ME, {}, { token: someone.jwt });
      expect(response.status).toBe(200);
      expect(response.data).toEqual({ me: { id: someone.id, email: someone.email } });
      const forged = await signWithFreshKey({ ...decodeJwt(someone.jwt) }, 'unknown-kid');
      expectInvalidToken(await viaApiNode.graphql(ME, {}, { token: forged }));
    } finally {
      await apiNode.stop();
    }
  });
});
