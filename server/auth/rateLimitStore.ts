import { randomUUID } from 'node:crypto';
import { Prisma } from '../generated/prisma/client.js';
import type { Database } from '../db/client.js';

interface Rule {
  window: number;
  max: number;
}

const PRUNE_EVERY = 500;
const PRUNE_OLDER_THAN_MS = 60 * 60_000;

/**
 * Better Auth's rate-limit storage, as ONE atomic statement per request (an upsert that resets
 * or increments a fixed window and returns the new count). Its default database storage reads
 * then writes inside a transaction, which two processes on one SQLite file turn into
 * SQLITE_BUSY errors; a single write statement simply waits for the lock. Same SQL on
 * SQLite (3.35+) and PostgreSQL.
 */
export function createRateLimitStore(db: Database) {
  let calls = 0;
  return {
    async consume(key: string, rule: Rule): Promise<{ allowed: boolean; retryAfter: number | null }> {
      const now = BigInt(Date.now());
      const windowMs = BigInt(rule.window * 1000);
      const [row] = await db.$queryRaw<{ count: number | bigint; lastRequest: number | bigint }[]>(Prisma.sql`
        INSERT INTO "rateLimit" ("id", "key", "count", "lastRequest") VALUES (${randomUUID()}, ${key}, 1, ${now})
        ON CONFLICT ("key") DO UPDATE SET
          "count" = CASE WHEN ${now} - "rateLimit"."lastRequest" >= ${windowMs} THEN 1 ELSE "rateLimit"."count" + 1 END,
          "lastRequest" = CASE WHEN ${now} - "rateLimit"."lastRequest" >= ${windowMs} THEN ${now} ELSE "rateLimit"."lastRequest" END
        RETURNING "count", "lastRequest"`);
      if (++calls % PRUNE_EVERY === 0) {
        void db.rateLimit.deleteMany({ where: { lastRequest: { lt: now - BigInt(PRUNE_OLDER_THAN_MS) } } }).catch(() => {});
      }
      const count = Number(row!.count);
      if (count <= rule.max) return { allowed: true, retryAfter: null };
      const windowEndsAt = Number(row!.lastRequest) + rule.window * 1000;
      return { allowed: false, retryAfter: Math.max(1, Math.ceil((windowEndsAt - Date.now()) / 1000)) };
    },
  };
}
