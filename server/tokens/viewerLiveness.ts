import { LRUCache } from 'lru-cache';
import type { Viewer } from './verifier.js';

/**
 * Whether the user behind a verified JWT still exists. A JWT outlives the account it was minted
 * for (up to JWT_EXPIRES_IN), so the API asks the database — but at most once per user per
 * `ttlMs` in each process, never once per request: answers (alive or gone) are cached, and
 * concurrent requests for one user share a single lookup.
 *
 * The one place to extend for session revocation later (a `sid` claim checked the same way).
 */
export interface ViewerLiveness {
  isAlive(viewer: Viewer): Promise<boolean>;
}

export interface ViewerLivenessOptions {
  /** One indexed read: does this user id exist? */
  userExists: (userId: string) => Promise<boolean>;
  /** How long an answer is trusted (default 5 s): the longest a deleted account keeps reading. */
  ttlMs?: number;
  /** Users remembered per process (least recently used out first). */
  maxEntries?: number;
}

export function createViewerLiveness({ userExists, ttlMs = 5000, maxEntries = 10_000 }: ViewerLivenessOptions): ViewerLiveness {
  const answers = new LRUCache<string, { alive: boolean }>({
    max: maxEntries,
    ttl: ttlMs,
    // fetch() coalesces concurrent lookups of one key into one call.
    fetchMethod: async (userId) => ({ alive: await userExists(userId) }),
  });
  return {
    async isAlive(viewer) {
      const answer = await answers.fetch(viewer.id);
      return answer?.alive ?? false;
    },
  };
}
