import { describe, expect, it, vi } from 'vitest';
import { fakeJwt } from '../testing/fakeTaskApi';
import { createAccessTokenStore, SessionEndedError, tokenLifetimeMs } from './accessToken';

describe('access token store (JWT in memory)', () => {
  it('reads the lifetime from iat/exp', () => {
    expect(tokenLifetimeMs(fakeJwt(20))).toBe(20_000);
    expect(tokenLifetimeMs('not-a-jwt')).toBeNull();
  });

  it('needs a token first, then renews a 20 s token 5 s before it expires', async () => {
    let now = 1_000_000;
    const store = createAccessTokenStore({ fetchToken: async () => fakeJwt(20), now: () => now });
    expect(store.needsRenewal()).toBe(true);
    await store.renew();
    expect(store.token).toMatch(/^ey/);
    now += 14_900;
    expect(store.needsRenewal()).toBe(false);
    now += 200;
    expect(store.needsRenewal()).toBe(true);
  });

  it('renews a 15 min token one minute before it expires', async () => {
    let now = 0;
    const store = createAccessTokenStore({ fetchToken: async () => fakeJwt(900), now: () => now });
    await store.renew();
    now = 839_000;
    expect(store.needsRenewal()).toBe(false);
    now = 840_000;
    expect(store.needsRenewal()).toBe(true);
  });

  it('shares one request between concurrent renewals', async () => {
    const fetchToken = vi.fn(async () => fakeJwt());
    const store = createAccessTokenStore({ fetchToken });
    const [first, second] = await Promise.all([store.renew(), store.renew()]);
    expect(first).toBe(second);
    expect(fetchToken).toHaveBeenCalledTimes(1);
    await store.renew();
    expect(fetchToken).toHaveBeenCalledTimes(2);
  });

  it('forgets the token on clear and discards a renewal that was in flight', async () => {
    let resolveToken!: (token: string) => void;
    const store = createAccessTokenStore({ fetchToken: () => new Promise<string>((resolve) => (resolveToken = resolve)) });
    const renewal = store.renew();
    store.clear();
    resolveToken(fakeJwt());
    await expect(renewal).rejects.toThrow(/Signed out/);
    expect(store.token).toBeNull();
    expect(store.needsRenewal()).toBe(true);
  });

  it('passes a refused renewal on to the caller', async () => {
    const store = createAccessTokenStore({ fetchToken: async () => Promise.reject(new SessionEndedError()) });
    await expect(store.renew()).rejects.toBeInstanceOf(SessionEndedError);
    expect(store.token).toBeNull();
  });
});
