// Bulk rows for the benchmark, written straight into the database (the API would take hours
// for a million rows). SQLite: one better-sqlite3 transaction with one prepared statement.
// PostgreSQL: one INSERT … SELECT generate_series per batch. Both write the same shapes the
// server writes (Prisma's text timestamps on SQLite, TIMESTAMP(3) on PostgreSQL).
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import pg from 'pg';

export const OTHER_USERS = 1000;
const otherUserId = (i: number) => `benchuser${String(i).padStart(5, '0')}`;
const DAY_MS = 86_400_000;

/** cuid-like ids: 'c', a time part, a counter and randomness; unique across a run. */
let sequence = 0;
const runTag = randomBytes(3).toString('hex');
export function cuidLike(): string {
  sequence += 1;
  return `c${Date.now().toString(36)}${runTag}${sequence.toString(36).padStart(5, '0')}${Math.random().toString(36).slice(2, 8)}`;
}

/** How the server (Prisma's better-sqlite3 adapter, iso8601 format) stores DateTime values. */
const sqliteTimestamp = (ms: number) => new Date(ms).toISOString().replace('Z', '+00:00');

export interface TaskSeeder {
  /** Adds tasks until the database holds `total` tasks and `measuredUserId` owns `measuredUserTasks` of them. */
  grow(target: { total: number; measuredUserId: string; measuredUserTasks: number }): Promise<{ total: number; measured: number; seconds: number }>;
  close(): Promise<void>;
}

interface Plan {
  forMeasured: number;
  forOthers: number;
}

function planGrowth(current: { total: number; measured: number }, target: { total: number; measuredUserTasks: number }): Plan {
  const forMeasured = Math.max(0, target.measuredUserTasks - current.measured);
  const forOthers = Math.max(0, target.total - current.total - forMeasured);
  return { forMeasured, forOthers };
}

export function sqliteSeeder(path: string): TaskSeeder {
  const db = new Database(path, { timeout: 10_000 });
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');

  const insertUser = db.prepare(`INSERT OR IGNORE INTO "user" ("id", "name", "email", "emailVerified", "createdAt", "updatedAt") VALUES (?, ?, ?, 0, ?, ?)`);
  const insertTask = db.prepare(
    `INSERT INTO "task" ("id", "title", "description", "completed", "priority", "dueDate", "createdAt", "updatedAt", "userId")
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const countAll = db.prepare(`SELECT count(*) AS n FROM "task"`).pluck();
  const countFor = db.prepare(`SELECT count(*) AS n FROM "task" WHERE "userId" = ?`).pluck();

  const insertMany = db.transaction((plan: Plan, measuredUserId: string) => {
    const now = Date.now();
    const stamp = sqliteTimestamp(now);
    for (let i = 0; i < OTHER_USERS; i++) insertUser.run(otherUserId(i), `Bench user ${i}`, `${otherUserId(i)}@bench.invalid`, stamp, stamp);
    const rows = plan.forMeasured + plan.forOthers;
    let measuredLeft = plan.forMeasured;
    for (let i = 0; i < rows; i++) {
      // The measured user's rows are spread evenly among everyone else's, in time and on disk.
      const mine = measuredLeft > 0 && Math.random() * (rows - i) < measuredLeft;
      if (mine) measuredLeft -= 1;
      const userId = mine ? measuredUserId : otherUserId(Math.floor(Math.random() * OTHER_USERS));
      const created = now - DAY_MS - Math.floor(Math.random() * 365 * DAY_MS);
      const due = Math.random() < 0.3 ? new Date(created + 14 * DAY_MS).toISOString().slice(0, 10) : null;
      insertTask.run(
        cuidLike(),
        `Seeded task ${i} — ${Math.random().toString(36).slice(2, 10)}`,
        Math.random() < 0.5 ? 'A description long enough to look like a real note about the task at hand.' : null,
        Math.random() < 0.3 ? 1 : 0,
        Math.floor(Math.random() * 3),
        due,
        sqliteTimestamp(created),
        sqliteTimestamp(created),
        userId,
      );
    }
  });

  return {
    async grow({ total, measuredUserId, measuredUserTasks }) {
      const started = performance.now();
      const plan = planGrowth({ total: countAll.get() as number, measured: countFor.get(measuredUserId) as number }, { total, measuredUserTasks });
      insertMany(plan, measuredUserId);
      // No ANALYZE: the server never runs it, so its planner works without statistics, as here.
      // (Statistics gathered by another connection mid-run once made the server's connection pick
      // a 6x slower plan for the unindexed PRIORITY order.)
      db.pragma('wal_checkpoint(TRUNCATE)');
      return {
        total: countAll.get() as number,
        measured: countFor.get(measuredUserId) as number,
        seconds: (performance.now() - started) / 1000,
      };
    },
    async close() {
      db.close();
    },
  };
}

export function postgresSeeder(url: string): TaskSeeder {
  const client = new pg.Client({ connectionString: url });
  const connected = client.connect();
  const count = async (userId?: string) => {
    const result = userId
      ? await client.query<{ n: string }>(`SELECT count(*) AS n FROM "task" WHERE "userId" = $1`, [userId])
      : await client.query<{ n: string }>(`SELECT count(*) AS n FROM "task"`);
    return Number(result.rows[0]!.n);
  };
  // Rows generated by the server itself: one statement per batch, no round trip per row.
  const insertTasks = (rows: number, userSql: string, params: unknown[]) =>
    client.query(
      `INSERT INTO "task" ("id", "title", "description", "completed", "priority", "dueDate", "createdAt", "updatedAt", "userId")
       SELECT 'c' || substr(md5(random()::text || g::text || clock_timestamp()::text), 1, 24),
              'Seeded task ' || g,
              CASE WHEN random() < 0.5 THEN 'A description long enough to look like a real note about the task at hand.' END,
              random() < 0.3,
              floor(random() * 3)::int,
              CASE WHEN random() < 0.3 THEN to_char(now() + (random() * 365) * interval '1 day', 'YYYY-MM-DD') END,
              t, t,
              ${userSql}
       FROM (SELECT g, date_trunc('milliseconds', now() - interval '1 day' - (random() * 365) * interval '1 day') AS t
             FROM generate_series(1, ${rows}) AS g) AS rows`,
      params,
    );
  return {
    async grow({ total, measuredUserId, measuredUserTasks }) {
      await connected;
      const started = performance.now();
      await client.query(
        `INSERT INTO "user" ("id", "name", "email", "emailVerified", "createdAt", "updatedAt")
         SELECT 'benchuser' || lpad(i::text, 5, '0'), 'Bench user ' || i, 'benchuser' || lpad(i::text, 5, '0') || '@bench.invalid', false, now(), now()
         FROM generate_series(0, ${OTHER_USERS - 1}) AS i ON CONFLICT DO NOTHING`,
      );
      const plan = planGrowth({ total: await count(), measured: await count(measuredUserId) }, { total, measuredUserTasks });
      // Interleave the measured user's rows with everyone else's, batch by batch.
      const batches = Math.max(1, Math.ceil((plan.forMeasured + plan.forOthers) / 50_000));
      for (let b = 0; b < batches; b++) {
        const mine = Math.floor(plan.forMeasured / batches) + (b < plan.forMeasured % batches ? 1 : 0);
        const others = Math.floor(plan.forOthers / batches) + (b < plan.forOthers % batches ? 1 : 0);
        if (mine) await insertTasks(mine, '$1', [measuredUserId]);
        if (others) await insertTasks(others, `'benchuser' || lpad(floor(random() * ${OTHER_USERS})::int::text, 5, '0')`, []);
      }
      // What autovacuum would have done by now: statistics, and the visibility map that lets
      // COUNT(*) answer from the index alone.
      await client.query('VACUUM ANALYZE "task"');
      return { total: await count(), measured: await count(measuredUserId), seconds: (performance.now() - started) / 1000 };
    },
    async close() {
      await connected.catch(() => undefined);
      await client.end();
    },
  };
}
