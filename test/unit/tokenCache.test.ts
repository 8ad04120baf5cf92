import { describe, expect, it } from 'vitest';
import { VerifiedTokenCache } from '../../server/tokens/tokenCache.js';

// The cache on its own; test/api/tokenCache.test.ts checks it through the real server.
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
