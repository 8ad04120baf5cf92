import { createServer, type Server } from 'node:http';
import { CompactSign, exportJWK, generateKeyPair, SignJWT, base64url, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, codesOf } from '../support/client.js';
import { freePort, startServer, testDatabaseUrl, type RunningServer } from '../support/server.js';
import { databaseProviderOf } from '../../server/config.js';
import { createDatabase } from '../../server/db/client.js';

// RFC 8725 (JWT BCP): the API node trusts one key set (AUTH_JWKS_URL) and pins alg, iss and aud.
// Here the test owns that key set, so it can sign tokens that are perfectly signed but wrong.
const ISSUER = 'https://auth.test.example';
const AUDIENCE = 'taskfort-api';
const QUERY = '{ tasks { totalCount } }';

let jwksServer: Server;
let apiNode: RunningServer;
let api: ApiClient;
let trustedKey: CryptoKey;
const trustedKid = 'trusted-key-1';

beforeAll(async () => {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  trustedKey = privateKey;
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: trustedKid, alg: 'EdDSA' };
  const port = await freePort();
  jwksServer = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => jwksServer.listen(port, '127.0.0.1', resolve));
  apiNode = await startServer({
    env: { ROLE: 'api', AUTH_JWKS_URL: `http://127.0.0.1:${port}/jwks`, JWT_ISSUER: ISSUER, BETTER_AUTH_SECRET: undefined },
  });
  api = new ApiClient(apiNode.url);
  // The API refuses a token whose session (sid) does not exist (issue 12): give the control one.
  const databaseUrl = testDatabaseUrl(apiNode.dataDir);
  const db = await createDatabase({ databaseUrl, databaseProvider: databaseProviderOf(databaseUrl) });
  try {
    await db.user.create({ data: { id: 'user-1', name: 'Mallory', email: 'mallory@example.com' } });
    await db.session.create({ data: { id: 'session-1', token: 'session-1-token', userId: 'user-1', expiresAt: new Date(Date.now() + 3600_000) } });
  } finally {
    await db.$disconnect();
  }
});
afterAll(async () => {
  await apiNode?.stop();
  jwksServer?.close();
});

const now = () => Math.floor(Date.now() / 1000);

function sign(claims: Record<string, unknown>, options: { key?: CryptoKey; header?: Record<string, unknown> } = {}) {
  return new SignJWT({ email: 'mallory@example.com', name: 'Mallory', ...claims })
    .setProtectedHeader({ alg: 'EdDSA', kid: trustedKid, ...options.header })
    .sign(options.key ?? trustedKey);
}

const valid = () => ({ sub: 'user-1', sid: 'session-1', iss: ISSUER, aud: AUDIENCE, iat: now(), exp: now() + 300 });

async function expectRefused(token: string) {
  const response = await api.graphql(QUERY, {}, { token });
  expect(response.status).toBe(401);
  expect(response.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
  expect(codesOf(response)).toEqual(['UNAUTHENTICATED']);
}

describe('forged JWTs against an API node (AUTH_JWKS_URL)', () => {
  it('accepts a correctly signed token (the control)', async () => {
    const response = await api.graphql(QUERY, {}, { token: await sign(valid()) });
    expect(response.status).toBe(200);
    expect(response.data).toEqual({ tasks: { totalCount: 0 } });
  });

  it.each([
    ['not yet valid (nbf in the future)', { nbf: now() + 600 }],
    ['expired', { iat: now() - 600, exp: now() - 300 }],
    ['the wrong issuer', { iss: 'https://evil.example' }],
    ['the wrong audience', { aud: 'some-other-api' }],
    ['no subject', { sub: undefined }],
    ['no expiry', { exp: undefined }],
    ['no issued-at', { iat: undefined }],
  ])('refuses a token that is %s', async (_label, overrides) => {
    await expectRefused(await sign({ ...valid(), ...overrides }));
  });

  it('refuses a token signed by another key that claims the trusted kid', async () => {
    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    await expectRefused(await sign(valid(), { key: privateKey }));
  });

  it('refuses a token that brings its own key in the header (jwk / jku)', async () => {
    const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    const attackerJwk = await exportJWK(publicKey);
    await expectRefused(await sign(valid(), { key: privateKey, header: { jwk: attackerJwk, kid: 'attacker' } }));
    await expectRefused(await sign(valid(), { key: privateKey, header: { jku: 'https://evil.example/jwks', kid: 'attacker' } }));
  });

  it('refuses an unknown critical header', async () => {
    // Signed with jose's CompactSign, which (unlike SignJWT) lets the signer declare the extension.
    const token = await new CompactSign(new TextEncoder().encode(JSON.stringify({ ...valid(), email: 'm@example.com', name: 'M' })))
      .setProtectedHeader({ alg: 'EdDSA', kid: trustedKid, crit: ['x-evil'], 'x-evil': true })
      .sign(trustedKey, { crit: { 'x-evil': true } });
    await expectRefused(token);
  });

  it('refuses alg=none and a swapped algorithm', async () => {
    const payload = base64url.encode(JSON.stringify(valid()));
    await expectRefused(`${base64url.encode(JSON.stringify({ alg: 'none', kid: trustedKid }))}.${payload}.`);
    const genuine = (await sign(valid())).split('.');
    await expectRefused(`${base64url.encode(JSON.stringify({ alg: 'HS256', kid: trustedKid }))}.${genuine[1]}.${genuine[2]}`);
  });

  it('refuses a tampered payload, a truncated signature and extra segments', async () => {
    const [header, payload, signature] = (await sign(valid())).split('.') as [string, string, string];
    const tampered = base64url.encode(JSON.stringify({ ...valid(), sub: 'someone-else' }));
    await expectRefused(`${header}.${tampered}.${signature}`);
    await expectRefused(`${header}.${payload}.${signature.slice(0, -4)}`);
    await expectRefused(`${header}.${payload}.${signature}.extra`);
  });

  it('refuses an oversized token before verifying it', async () => {
    await expectRefused(await sign({ ...valid(), padding: 'x'.repeat(6000) }));
  });
});
