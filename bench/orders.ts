// npx tsx bench/orders.ts [--sizes=1k,10k,100k --postgres=auto|on|off --sqlite=on|off]
// Is every list order served by an index? For each database size, one user owns every task
// (the worst case for that user's list) and the first page of each order (taskOrderBy in
// server/graphql/schema/taskList.ts: field, direction, then its tie-breakers, as Prisma writes
// the SQL) is timed through the driver, with the plan's sort step if any. Flat = index-served.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { migrateDatabase } from '../server/db/migrate.js';
import { postgresBinariesAvailable, postgresUrlFor, startThrowawayPostgres } from '../test/support/postgres.js';
import { tempDataDir } from '../test/support/server.js';
import { postgresSeeder, sqliteSeeder } from './seed.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => args.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const sizes = option('sizes', '1k,10k,100k')
  .split(',')
  .map((text) => Number.parseFloat(text) * ({ k: 1e3, m: 1e6 }[text.slice(-1).toLowerCase()] ?? 1));
const postgresWanted = option('postgres', 'auto');
const sqliteWanted = option('sqlite', 'on');

const FIELDS = ['createdAt', 'updatedAt', 'dueDate', 'priority', 'title'] as const;
const COLUMNS = `"id", "title", "description", "completed", "priority", "dueDate", "createdAt", "updatedAt", "userId"`;

/** The ORDER BY Prisma emits for taskOrderBy(field, direction). */
function orderBy(field: (typeof FIELDS)[number], direction: 'ASC' | 'DESC'): string {
  const primary = `"${field}" ${direction}${field === 'dueDate' ? ' NULLS LAST' : ''}`;
  return field === 'createdAt' ? `${primary}, "id" ${direction}` : `${primary}, "createdAt" DESC, "id" DESC`;
}

const ORDERS = FIELDS.flatMap((field) => (['ASC', 'DESC'] as const).map((direction) => ({ name: `${field} ${direction}`, sql: orderBy(field, direction) })));

interface Probe {
  timeMs(sql: string): Promise<number>;
  sortStep(sql: string): Promise<string>;
}

async function medianMs(run: () => Promise<unknown>, times = 30): Promise<number> {
  for (let i = 0; i < 5; i++) await run();
  const samples: number[] = [];
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    await run();
    samples.push(performance.now() - started);
  }
  return samples.sort((a, b) => a - b)[Math.floor(times / 2)]!;
}

async function measure(database: string, grow: (total: number) => Promise<void>, probe: Probe) {
  const table: Record<string, { ms: number[]; sort: string }> = {};
  for (const size of sizes) {
    await grow(size);
    for (const order of ORDERS) {
      const sql = `SELECT ${COLUMNS} FROM "task" WHERE "userId" = 'bench-owner' ORDER BY ${order.sql} LIMIT 21`;
      const entry = (table[order.name] ??= { ms: [], sort: '' });
      entry.ms.push(await probe.timeMs(sql));
      entry.sort = await probe.sortStep(sql);
    }
  }
  console.log(`\n${database}: first page (21 rows) of one user's list, median of 30, by the user's task count`);
  console.log(`| order | ${sizes.map((size) => `${size / 1000}k`).join(' | ')} | largest / smallest | plan |`);
  console.log(`|---|${sizes.map(() => '---:').join('|')}|---:|---|`);
  for (const [name, { ms, sort }] of Object.entries(table)) {
    console.log(`| ${name} | ${ms.map((value) => `${value.toFixed(3)} ms`).join(' | ')} | ${(ms.at(-1)! / ms[0]!).toFixed(1)}× | ${sort} |`);
  }
}

async function sqlite() {
  const dir = tempDataDir('taskfort-orders-');
  const url = `file:${join(dir, 'orders.db')}`;
  await migrateDatabase(url);
  const seed = new Database(url.slice('file:'.length));
  seed
    .prepare(
      `INSERT INTO "user" ("id", "name", "email", "emailVerified", "createdAt", "updatedAt") VALUES ('bench-owner', 'o', 'o@bench.invalid', 0, '2026-01-01', '2026-01-01')`,
    )
    .run();
  seed.close();
  const seeder = sqliteSeeder(url.slice('file:'.length));
  const db = new Database(url.slice('file:'.length), { readonly: true });
  await measure('SQLite', async (total) => void (await seeder.grow({ total, measuredUserId: 'bench-owner', measuredUserTasks: total })), {
    timeMs: (sql) => {
      const statement = db.prepare(sql);
      return medianMs(async () => statement.all());
    },
    sortStep: async (sql) => {
      const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((row) => row.detail);
      const index = plan.map((detail) => /USING (?:COVERING )?INDEX (\w+)/.exec(detail)?.[1]).find(Boolean) ?? 'no index';
      const sort = plan.find((detail) => detail.includes('TEMP B-TREE'));
      return `${index}${sort ? `, ${sort}` : ', no sort'}`;
    },
  });
  db.close();
  await seeder.close();
}

async function postgres() {
  const server = process.env.TEST_POSTGRES_URL ? undefined : await startThrowawayPostgres();
  try {
    const url = postgresUrlFor(process.env.TEST_POSTGRES_URL ?? server!.url, tempDataDir('taskfort-orders-'));
    await migrateDatabase(url);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(
      `INSERT INTO "user" ("id", "name", "email", "emailVerified", "createdAt", "updatedAt") VALUES ('bench-owner', 'o', 'o@bench.invalid', false, now(), now())`,
    );
    const seeder = postgresSeeder(url);
    await measure('PostgreSQL', async (total) => void (await seeder.grow({ total, measuredUserId: 'bench-owner', measuredUserTasks: total })), {
      timeMs: (sql) => medianMs(() => client.query(sql)),
      sortStep: async (sql) => {
        const plan = (await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`)).rows.map((row) => row['QUERY PLAN']).join('\n');
        const index = /Index (?:Only )?Scan(?: Backward)? using "?(\w+)"?/.exec(plan)?.[1] ?? 'no index';
        return `${index}${/Sort/.test(plan) ? `, ${/Incremental Sort/.test(plan) ? 'incremental sort' : 'sort'}` : ', no sort'}`;
      },
    });
    await client.end();
    await seeder.close();
  } finally {
    server?.stop();
  }
}

if (sqliteWanted === 'on') await sqlite();
if (postgresWanted === 'on' || (postgresWanted === 'auto' && (process.env.TEST_POSTGRES_URL || postgresBinariesAvailable()))) await postgres();
