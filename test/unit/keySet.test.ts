import { exportJWK, generateKeyPair, SignJWT, type JSONWebKeySet, type JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { KeySetUnavailableError, reloadingKeySet } from '../../server/tokens/keySet.js';

async function signingKey(kid: string) {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'EdDSA' };
  const token = await new SignJWT({ sub: 'u' }).setProtectedHeader({ alg: 'EdDSA', kid }).sign(privateKey);
  const header = { alg: 'EdDSA', kid };
  return { jwk, token, header, flattened: { payload: token.split('.')[1]!, signature: token.split('.')[2]!, protected: token.split('.')[0]! } };
}

/** A loader whose answer the test changes, counting how often the key set is fetched. */
function countingLoader(initial: JWK[]) {
  const state = { keys: initial, loads: 0 };
  const load = async (): Promise<JSONWebKeySet> => {
    state.loads += 1;
    return { keys: state.keys };
  };
  return { state, load };
}

describe('reloadingKeySet', () => {
  it('loads once for concurrent first verifications', async () => {
    const first = await signingKey('k1');
    const { state, load } = countingLoader([first.jwk]);
    const getKey = reloadingKeySet(load, { minReloadIntervalMs: 0 });
    await Promise.all(Array.from({ length: 10 }, () => getKey(first.header, first.flattened)));
    expect(state.loads).toBe(1);
  });

  it('picks up a rotated key on first sight, with one reload for many tokens naming it', async () => {
    const first = await signingKey('k1');
    const rotated = await signingKey('k2');
    const { state, load } = countingLoader([first.jwk]);
    const getKey = reloadingKeySet(load, { minReloadIntervalMs: 50 });
    await getKey(first.header, first.flattened);
    state.keys = [first.jwk, rotated.jwk];
    await Promise.all(Array.from({ length: 10 }, () => getKey(rotated.header, rotated.flattened)));
    expect(state.loads).toBe(2);
  });

  it('refuses an unknown kid after one reload, and reloads at most once per interval', async () => {
    const first = await signingKey('k1');
    const unknown = await signingKey('nobody');
    const { state, load } = countingLoader([first.jwk]);
    const getKey = reloadingKeySet(load, { minReloadIntervalMs: 200 });
    await getKey(first.header, first.flattened);
    const started = Date.now();
    await expect(getKey(unknown.header, unknown.flattened)).rejects.toThrow();
    await expect(getKey(unknown.header, unknown.flattened)).rejects.toThrow();
    expect(state.loads).toBe(3);
    expect(Date.now() - started).toBeGreaterThanOrEqual(350); // two waits for the interval
  });

  it('reports an unreachable key source as KeySetUnavailableError, not as a bad token', async () => {
    const first = await signingKey('k1');
    const getKey = reloadingKeySet(() => Promise.reject(new Error('connect ECONNREFUSED')), { minReloadIntervalMs: 0 });
    await expect(getKey(first.header, first.flattened)).rejects.toBeInstanceOf(KeySetUnavailableError);
    expect(getKey.isLoaded()).toBe(false);
  });
});
