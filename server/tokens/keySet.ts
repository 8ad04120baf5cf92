import { createLocalJWKSet, errors, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';

export type KeySetLoader = () => Promise<JSONWebKeySet>;

/** The keys could not be loaded (auth node or database down): not the token's fault. */
export class KeySetUnavailableError extends Error {
  constructor(cause: unknown) {
    super('The signing keys could not be loaded', { cause });
  }
}

/**
 * A key set that reloads itself when a token names a key id it has not seen, so a freshly
 * rotated key is picked up on first sight instead of producing 401s until a cache expires.
 * Reloads are coalesced and at most one per `minReloadIntervalMs`: a token with an unknown kid
 * that arrives inside that window waits for the next reload rather than being refused.
 */
export function reloadingKeySet(
  load: KeySetLoader,
  { minReloadIntervalMs = 1000, maxAgeMs = 10 * 60_000 } = {},
): JWTVerifyGetKey & { reload(): Promise<void>; isLoaded(): boolean } {
  let current: ReturnType<typeof createLocalJWKSet> | undefined;
  let loadedAt = 0;
  let pending: Promise<void> | undefined;

  function reload(): Promise<void> {
    pending ??= (async () => {
      const wait = loadedAt + minReloadIntervalMs - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      try {
        current = createLocalJWKSet(await load());
        loadedAt = Date.now();
      } catch (error) {
        throw new KeySetUnavailableError(error);
      } finally {
        pending = undefined;
      }
    })();
    return pending;
  }

  const getKey: JWTVerifyGetKey = async (header, token) => {
    if (!current || Date.now() - loadedAt > maxAgeMs) await reload();
    try {
      return await current!(header, token);
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey)) throw error;
      const seenBefore = loadedAt;
      await reload();
      if (loadedAt === seenBefore) throw error;
      return current!(header, token);
    }
  };
  return Object.assign(getKey, { reload, isLoaded: () => current !== undefined });
}

export function remoteKeySetLoader(url: string, timeoutMs = 5000): KeySetLoader {
  return async () => {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } });
    if (!response.ok) throw new Error(`JWKS fetch from ${url} failed with HTTP ${response.status}`);
    const body = (await response.json()) as JSONWebKeySet;
    if (!Array.isArray(body.keys)) throw new Error(`JWKS at ${url} has no "keys" array`);
    return body;
  };
}
