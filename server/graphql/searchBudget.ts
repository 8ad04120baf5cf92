import { LRUCache } from 'lru-cache';
import { apiError } from './errors.js';

/**
 * A search reads every one of its owner's rows (LIKE '%…%' uses no index): at 100,000 tasks
 * with long descriptions that is about a second of database time per statement, and on SQLite
 * that second blocks the event loop for every user. So each user's searches share a budget of
 * database time, a token bucket refilled at `msPerMinute` per minute (and holding at most that
 * much). A search may start while the bucket is not empty; the time it took is then taken out,
 * so one long search may overdraw it and the next waits until it has refilled. A user's searches
 * run one after another: on SQLite statements run one at a time on the one thread anyway, and
 * searches started together would each be charged the time of all of them.
 *
 * Per process: with WEB_CONCURRENCY workers each has its own budget.
 */
export interface SearchBudget {
  /** Runs one searched statement for the user, or refuses it with RATE_LIMITED (429). */
  run<T>(userId: string, search: () => Promise<T>): Promise<T>;
}

/** Searches of one user running or waiting their turn (a request's page and totalCount, in two tabs). */
const MAX_SEARCHES_IN_FLIGHT = 4;
/** Users whose buckets are remembered; one forgotten is simply full again. */
const USERS_REMEMBERED = 10_000;

interface Bucket {
  /** Milliseconds of search time left; negative after an overdraw. */
  balance: number;
  at: number;
  inFlight: number;
  /** Settles when the user's latest search has finished. */
  tail: Promise<void>;
}

const rateLimitedFor = (retryAfterSeconds: number) =>
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
      const fresh = { balance: msPerMinute, at, inFlight: 0, tail: Promise.resolve() };
      buckets.set(userId, fresh);
      return fresh;
    }
    bucket.balance = Math.min(msPerMinute, bucket.balance + (at - bucket.at) * refillPerMs);
    bucket.at = at;
    return bucket;
  };

  /** Throws RATE_LIMITED while the user's bucket is empty. */
  const admit = (userId: string): Bucket => {
    const bucket = bucketOf(userId);
    if (bucket.balance <= 0) throw rateLimitedFor(Math.max(1, Math.ceil(-bucket.balance / refillPerMs / 1000)));
    return bucket;
  };

  return {
    async run(userId, search) {
      const bucket = admit(userId);
      if (bucket.inFlight >= MAX_SEARCHES_IN_FLIGHT) throw rateLimitedFor(1);
      bucket.inFlight++;
      const previous = bucket.tail;
      let finished!: () => void;
      bucket.tail = new Promise<void>((resolve) => (finished = resolve));
      try {
        await previous;
        // The searches ahead of this one may have emptied the bucket meanwhile.
        admit(userId);
        const started = now();
        try {
          return await search();
        } finally {
          bucketOf(userId).balance -= now() - started;
        }
      } finally {
        bucket.inFlight--;
        finished();
      }
    },
  };
}
