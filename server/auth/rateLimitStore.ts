import { createHash, randomUUID } from 'node:crypto';
import { Prisma } from '../generated/prisma/client.js';
import type { Database } from '../db/client.js';
import { ENABLED_AUTH_ROUTES } from './routes.js';

interface Rule {
  window: number;
  max: number;
}

/** Route names that have a limit: the only ones that may ever own a row. */
const LIMITED_ROUTES = new Set(
  Object.entries(ENABLED_AUTH_ROUTES)
    .filter(([, route]) => route.rateLimit)
    .map(([name]) => name),
);

/** Password reset mails per account: at most 3 an hour, whatever the IPs asking (no mail bombing). */
export const PASSWORD_RESET_MAIL_LIMIT: Rule = { window: 3600, max: 3 };

/** The counter row of one account's reset mails: keyed by the user id, never by client input. */
export const passwordResetMailKey = (userId: string) => `user:${userId}|password-reset-mail`;

/** How Better Auth compares emails (it stores and looks them up lowercased); the form trims. */
export const normalizeEmail = (email: string) => email.trim().toLowerCase();

/**
 * The counter row of one email's failed sign-ins. Keyed by a digest: the email comes from the
 * client, account or not, and a stored digest is of bounded length and names no address.
 */
export const signInFailuresKey = (email: string) => `account:${createHash('sha256').update(normalizeEmail(email)).digest('base64url')}|sign-in-failures`;

const LONGEST_ROUTE_WINDOW_MS = Math.max(
  PASSWORD_RESET_MAIL_LIMIT.window * 1000,
  ...Object.values(ENABLED_AUTH_ROUTES).map((route) => (route.rateLimit?.window ?? 0) * 1000),
);
const PRUNE_INTERVAL_MS = 60_000;

/**
 * Better Auth builds keys as `<ip>|<route>`; the IP is the one app.ts resolved and the route
 * passed app.ts's allowlist. Anything else (a key built from raw client input) is not stored.
 */
function isLimitedRouteKey(key: string): boolean {
  const separator = key.lastIndexOf('|');
  return separator > 0 && LIMITED_ROUTES.has(key.slice(separator + 1));
}

/**
 * Better Auth's rate-limit storage, as ONE atomic statement per request (an upsert that resets
 * or increments a fixed window and returns the new count). Its default database storage reads
 * then writes inside a transaction, which two processes on one SQLite file turn into
 * SQLITE_BUSY errors; a single write statement simply waits for the lock. Same SQL on
 * SQLite (3.35+) and PostgreSQL. Rows whose window has ended are deleted about once a minute.
 */
export function createRateLimitStore(db: Database, signInFailuresPerAccount: Rule) {
  let lastPrune = Date.now();
  // A pruned row would reopen a throttled account early, so rows live as long as the longest window.
  const longestWindowMs = Math.max(LONGEST_ROUTE_WINDOW_MS, signInFailuresPerAccount.window * 1000);
  return {
    async consume(key: string, rule: Rule): Promise<{ allowed: boolean; retryAfter: number | null }> {
      if (!isLimitedRouteKey(key)) return { allowed: true, retryAfter: null };
      return consumeWindow(key, rule);
    },
    /**
     * Counts one password reset mail for this user id (a key we build, never client input) and
     * says whether it may be sent. Counted whatever AUTH_RATE_LIMIT says: it guards inboxes.
     */
    async mayMailPasswordReset(userId: string): Promise<boolean> {
      return (await consumeWindow(passwordResetMailKey(userId), PASSWORD_RESET_MAIL_LIMIT)).allowed;
    },
    /**
     * Counts one sign-in attempt for this email before its password is checked, whatever the
     * client IP, and says whether it may go ahead. Counting the attempt up front (not the failure
     * afterwards) keeps parallel guesses within the budget; a success forgets the count, so
     * what remains are the failures since the last success.
     */
    async countSignInAttempt(email: string): Promise<{ allowed: boolean; retryAfter: number | null }> {
      return consumeWindow(signInFailuresKey(email), signInFailuresPerAccount);
    },
    /** After a successful sign-in or a completed password reset. */
    async forgetSignInFailures(email: string): Promise<void> {
      await db.rateLimit.deleteMany({ where: { key: signInFailuresKey(email) } });
    },
  };

  async function consumeWindow(key: string, rule: Rule): Promise<{ allowed: boolean; retryAfter: number | null }> {
    const now = BigInt(Date.now());
    const windowMs = BigInt(rule.window * 1000);
    const [row] = await db.$queryRaw<{ count: number | bigint; lastRequest: number | bigint }[]>(Prisma.sql`
      INSERT INTO "rateLimit" ("id", "key", "count", "lastRequest") VALUES (${randomUUID()}, ${key}, 1, ${now})
      ON CONFLICT ("key") DO UPDATE SET
        "count" = CASE WHEN ${now} - "rateLimit"."lastRequest" >= ${windowMs} THEN 1 ELSE "rateLimit"."count" + 1 END,
        "lastRequest" = CASE WHEN ${now} - "rateLimit"."lastRequest" >= ${windowMs} THEN ${now} ELSE "rateLimit"."lastRequest" END
      RETURNING "count", "lastRequest"`);
    if (Date.now() - lastPrune >= PRUNE_INTERVAL_MS) {
      lastPrune = Date.now();
      const expiredBefore = now - BigInt(longestWindowMs);
      void db.rateLimit.deleteMany({ where: { lastRequest: { lt: expiredBefore } } }).catch(() => {});
    }
    const count = Number(row!.count);
    if (count <= rule.max) return { allowed: true, retryAfter: null };
    const windowEndsAt = Number(row!.lastRequest) + rule.window * 1000;
    return { allowed: false, retryAfter: Math.max(1, Math.ceil((windowEndsAt - Date.now()) / 1000)) };
  }
}

export type RateLimitStore = ReturnType<typeof createRateLimitStore>;
