// Issue 12: every JWT names the session it was minted from (`sid`); the verifier requires it,
// so tokens minted before revocation existed (no sid) are refused, and liveness follows the session.
import { generateKeyPair, SignJWT } from 'jose';
import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createTokenVerifier } from '../../server/tokens/verifier.js';
import { createViewerLiveness, type SessionRow } from '../../server/tokens/viewerLiveness.js';

const ISSUER = 'https://auth.test.example';
const AUDIENCE = 'taskfort-api';

async function setUp() {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  const verify = createTokenVerifier({ getKey: async () => publicKey, issuer: ISSUER, audience: AUDIENCE, cacheSize: 0 });
  const sign = (claims: Record<string, unknown>) =>
    new SignJWT({ email: 'ada@example.com', name: 'Ada', ...claims })
      .setProtectedHeader({ alg: 'EdDSA' })
      .setSubject('user-1')
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey);
  return { verify, sign };
}

describe('the sid claim', () => {
  it('puts the session id on the viewer', async () => {
    const { verify, sign } = await setUp();
    expect(await verify(await sign({ sid: 'session-1' }))).toMatchObject({ id: 'user-1', email: 'ada@example.com', name: 'Ada', sessionId: 'session-1' });
  });

  it.each([
    ['no sid', {}],
    ['an empty sid', { sid: '' }],
    ['a numeric sid', { sid: 42 }],
  ])('refuses a token with %s as UNAUTHENTICATED', async (_name, claims) => {
    const { verify, sign } = await setUp();
    const error = await verify(await sign(claims)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(GraphQLError);
    expect((error as GraphQLError).extensions.code).toBe('UNAUTHENTICATED');
  });
});

describe('session liveness', () => {
  const viewer = { id: 'user-1', email: 'ada@example.com', name: 'Ada', sessionId: 'session-1', tokenExpiresAtMs: Date.now() + 60_000 };

  it('reads a session once per ttl, however many requests, and sees its end after the ttl', async () => {
    let row: SessionRow | null = { userId: 'user-1', expiresAt: new Date(Date.now() + 60_000) };
    let reads = 0;
    const liveness = createViewerLiveness({ ttlMs: 200, findSession: async () => (reads++, row) });
    const answers = await Promise.all(Array.from({ length: 20 }, () => liveness.isAlive(viewer)));
    expect(answers.every(Boolean)).toBe(true);
    expect(reads).toBe(1);
    row = null;
    expect(await liveness.isAlive(viewer)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(await liveness.isAlive(viewer)).toBe(false);
    expect(reads).toBe(2);
  });

  it('refuses a session that expired or belongs to another user', async () => {
    const expired = createViewerLiveness({ findSession: async () => ({ userId: 'user-1', expiresAt: new Date(Date.now() - 1) }) });
    expect(await expired.isAlive(viewer)).toBe(false);
    const foreign = createViewerLiveness({ findSession: async () => ({ userId: 'user-2', expiresAt: new Date(Date.now() + 60_000) }) });
    expect(await foreign.isAlive(viewer)).toBe(false);
  });
});
