import { LRUCache } from 'lru-cache';
import type { Viewer } from './verifier.js';

/**
 * Whether the session a verified JWT was minted from (its `sid`) still exists, belongs to the
 * token's user and has not expired. A JWT outlives sign-out, revoked sessions, password changes
 * and resets, and account deletion (the user's sessions go with it) by up to JWT_EXPIRES_IN, so
 * the API asks the database — but at most once per session per `ttlMs` in each process, never
 * once per request: answers (alive or ended) are cached, and concurrent requests for one
 * session share a single lookup. Every process reads the same database, so every API process
 * and node refuses an ended session's tokens within `ttlMs`.
 */
export interface ViewerLiveness {
  isAlive(viewer: Viewer): Promise<boolean>;
  /** Drops every cached answer: after this process ended sessions, their JWTs are asked about afresh. */
  forgetAll(): void;
}

export interface SessionRow {
  userId: string;
  expiresAt: Date;
}

export interface ViewerLivenessOptions {
  /** One primary-key read: the session's owner and expiry, or null when it has ended. */
  findSession: (sessionId: string) => Promise<SessionRow | null>;
  /** How long an answer is trusted (default 4 s): the longest an ended session's JWT keeps working. */
  ttlMs?: number;
  /** Sessions remembered per process (least recently used out first). */
  maxEntries?: number;
}

export const DEFAULT_LIVENESS_TTL_MS = 4000;

export function createViewerLiveness({ findSession, ttlMs = DEFAULT_LIVENESS_TTL_MS, maxEntries = 10_000 }: ViewerLivenessOptions): ViewerLiveness {
  const answers = new LRUCache<string, { session: SessionRow | null }>({
    max: maxEntries,
    ttl: ttlMs,
    // fetch() coalesces concurrent lookups of one key into one call.
    fetchMethod: async (sessionId) => ({ session: await findSession(sessionId) }),
  });
  return {
    async isAlive(viewer) {
      const session = (await answers.fetch(viewer.sessionId))?.session;
      return !!session && session.userId === viewer.id && session.expiresAt.getTime() > Date.now();
    },
    forgetAll: () => answers.clear(),
  };
}
