import { LRUCache } from 'lru-cache';

/**
 * Verified bearer tokens, keyed by the exact token string, each kept no longer than its own
 * `exp`. A token is only ever added after its signature and claims have verified, so a forged
 * or altered token (a different string) can never be answered from here; failures are never
 * stored. Bounded (least recently used out first), so a flood of distinct valid tokens costs
 * memory up to `max` entries and no more.
 *
 * What it does not do: a key removed from the key set does not evict tokens it signed; they
 * stay accepted until they expire (≤ JWT_EXPIRES_IN), exactly as a stateless JWT would be.
 */
export class VerifiedTokenCache<V extends object> {
  readonly #entries: LRUCache<string, { value: V; expiresAtMs: number }>;
  /** Verifications under way, so concurrent requests with one new token verify it once. */
  readonly #pending = new Map<string, Promise<V>>();

  constructor(readonly max: number) {
    this.#entries = new LRUCache({ max });
  }

  /** The cached value while `now` is before the token's expiry; expired entries are dropped. */
  get(token: string, now = Date.now()): V | undefined {
    const entry = this.#entries.get(token);
    if (!entry) return undefined;
    if (now >= entry.expiresAtMs) {
      this.#entries.delete(token);
      return undefined;
    }
    return entry.value;
  }

  /**
   * Answers from the cache, or runs `verify` once per token however many callers ask at the
   * same time. `verify` returns the value and the token's expiry (its `exp`, in ms); the
   * result is cached only when it resolved, and only until that expiry.
   */
  async getOrVerify(token: string, verify: () => Promise<{ value: V; expiresAtMs: number }>): Promise<V> {
    const cached = this.get(token);
    if (cached) return cached;
    let pending = this.#pending.get(token);
    if (!pending) {
      pending = verify()
        .then(({ value, expiresAtMs }) => {
          if (expiresAtMs > Date.now()) this.#entries.set(token, { value, expiresAtMs });
          return value;
        })
        .finally(() => this.#pending.delete(token));
      this.#pending.set(token, pending);
    }
    return pending;
  }

  get size(): number {
    return this.#entries.size;
  }

  clear(): void {
    this.#entries.clear();
  }
}

/** Verified tokens kept per process unless TOKEN_CACHE_SIZE says otherwise. */
export const DEFAULT_TOKEN_CACHE_SIZE = 10_000;
