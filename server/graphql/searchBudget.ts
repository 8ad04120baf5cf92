import { LRUCache } from 'lru-cache';
import { apiError } from './errors.js';

/**
 * A search reads every one of its owner's rows (LIKE '%…%' uses no index): at 100,000 tasks
 * with long descriptions that is about a second of database time per statement, and on SQLite
 * that second blocks the event loop for every user. So each user's searches share a budget of
 * database time, a token bucket refilled at `msPerMinute` per minute (and holding at most that
 * much). A search may start while the bucket is not empty; the time it took is then taken out,
 * so one long search may overdraw it and the next waits until it has refilled.
 *
 * Per process: with WEB_CONCURRENCY workers each has its own budget.
 */
export interface SearchBudget {
  /** Runs one searched statement for the user, or refuses it with RATE_LIMITED (429). */
  run<T>(userId: string, search: () => Promise<T>): Promise<T>;
}

/** Searches of one user running at once (a request's page and totalCount, in two tabs). */
const MAX_SEARCHES_IN_FLIGHT = 4;
/** Users whose buckets are remembered; one forgotten is simply full again. */
const USERS_REMEMBERED = 10_000;

interface Bucket {
  /** Milliseconds of search time left; negative after an overdraw. */
  balance: number;
  at: number;
  inFlight: number;
}

const rateLimited = (retryAfterSeconds: number) =>
  apiError('RATE_LIMITED', `Your searches have used their share of the database for now: retry in ${retryAfterSeconds} s.`, {
    headers: { 'Retry-After': String(retryAfterSeconds) },
  });

export function createSearchBudget(msPerMinute: number, now: () => number = performance.now.bind(performance)): SearchBudget {
  const refillPerMs = msPerMinute / 60_000;
  const buckets = new LRUCache<string, Bucket>({ max: USERS_REMEMBERED });

  const bucketOf = (userId: string): Bucket => {
    const at = now();
    const bucket = buckets.get(userId);
    if (!bucket) {
      const fresh = { balance: msPerMinute, at, inFlight: 0 };
      buckets.set(userId, fresh);
      return fresh;
    }
    bucket.balance = Math.min(msPerMinute, bucket.balance + (at - bucket.at) * refillPerMs);
    bucket.at = at;
    return bucket;
  };

  return {
    async run(userId, search) {
      const bucket = bucketOf(userId);
      if (bucket.balance <= 0) throw rateLimited(Math.max(1, Math.ceil(-bucket.balance / refillPerMs / 1000)));
      if (bucket.inFlight >= MAX_SEARCHES_IN_FLIGHT) throw rateLimited(1);
      bucket.inFlight++;
      const started = now();
      try {
        return await search();
      } finally {
        bucket.inFlight--;
        bucketOf(userId).balance -= now() - started;
      }
    },
  };
}
