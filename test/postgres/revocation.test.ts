// Issue 12: after sign-out, a JWT is refused within 5 s on every ROLE=api node of a PostgreSQL
// deployment (one auth node, two API nodes, one database), each node having cached the
// session as alive just before.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, graphqlOnNewConnection, msUntilRefusedEverywhere, REVOCATION_BOUND_MS, signInSession } from '../api/sessionHelpers.js';
import { ApiClient } from '../support/client.js';
import { startServer, tempDataDir, type RunningServer } from '../support/server.js';

describe('revocation on two ROLE=api nodes over PostgreSQL', () => {
  const dataDir = tempDataDir();
  const secret = 'shared-secret-for-the-auth-node-0123456789abcdef';
  let authNode: RunningServer;
  let apiNodes: RunningServer[];

  beforeAll(async () => {
    authNode = await startServer({ dataDir, env: { ROLE: 'auth', BETTER_AUTH_SECRET: secret }, readyTimeoutMs: 180_000 });
    const apiEnv = {
      ROLE: 'api',
      AUTH_JWKS_URL: `${authNode.url}/api/auth/jwks`,
      BETTER_AUTH_URL: authNode.url,
      BETTER_AUTH_SECRET: undefined,
    };
    apiNodes = await Promise.all([
      startServer({ dataDir, env: apiEnv, readyTimeoutMs: 180_000 }),
      startServer({ dataDir, env: apiEnv, readyTimeoutMs: 180_000 }),
    ]);
  }, 400_000);
  afterAll(async () => {
    await Promise.all([...(apiNodes ?? []).map((node) => node.stop()), authNode?.stop()]);
  });

  it('refuses the JWTs of a signed-out session and of revoked sessions on both API nodes within 5 s', async () => {
    const auth = new ApiClient(authNode.url);
    const user = await auth.createUser();
    const other = await signInSession(auth, user.email, user.password);
    const urls = apiNodes.map((node) => node.url);
    for (const url of urls) {
      for (const jwt of [user.jwt, other.jwt]) expect(await graphqlOnNewConnection(url, jwt, `warm-${url}`)).toMatchObject({ status: 200, codes: [] });
    }

    const signedOut = await auth.post('/api/auth/sign-out', {}, bearer(other.sessionToken));
    const signedOutAt = Date.now();
    expect(signedOut.status).toBe(200);
    expect(await msUntilRefusedEverywhere(urls, other.jwt, signedOutAt)).toBeLessThanOrEqual(REVOCATION_BOUND_MS);
    // The user's other session is untouched.
    for (const url of urls) expect(await graphqlOnNewConnection(url, user.jwt, `still-${url}`)).toMatchObject({ status: 200, codes: [] });

    const revoked = await auth.post('/api/auth/revoke-sessions', {}, bearer(user.sessionToken));
    const revokedAt = Date.now();
    expect(revoked.status).toBe(200);
    expect(await msUntilRefusedEverywhere(urls, user.jwt, revokedAt)).toBeLessThanOrEqual(REVOCATION_BOUND_MS);
  }, 120_000);
});
