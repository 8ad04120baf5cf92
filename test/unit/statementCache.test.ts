// The SQLite statement cache (server/db/statementCache.ts) on the real adapter and driver: the
// same answers as preparing every statement anew, whatever runs in between.
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import type { SqlDriverAdapter } from '@prisma/driver-adapter-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_CACHED_STATEMENTS, withStatementCache } from '../../server/db/statementCache.js';

type Query = Parameters<SqlDriverAdapter['queryRaw']>[0];
const STRING = { scalarType: 'string', arity: 'scalar' } as Query['argTypes'][number];
const query = (sql: string, ...args: string[]): Query => ({ sql, args, argTypes: args.map(() => STRING) });
let adapter: SqlDriverAdapter | undefined;

async function connect(): Promise<SqlDriverAdapter> {
  adapter = await withStatementCache(new PrismaBetterSqlite3({ url: ':memory:' })).connect();
  await adapter.executeScript('CREATE TABLE "task" ("id" TEXT PRIMARY KEY, "title" TEXT NOT NULL, "completed" BOOLEAN NOT NULL DEFAULT 0)');
  return adapter;
}

afterEach(async () => {
  await adapter?.dispose();
  adapter = undefined;
});

describe('SQLite statement cache', () => {
  it('runs one SQL text with different arguments and returns each run its own rows', async () => {
    const db = await connect();
    const insert = 'INSERT INTO "task" ("id", "title") VALUES (?, ?) RETURNING "id", "title", "completed"';
    for (const id of ['a', 'b', 'c']) {
      const result = await db.queryRaw(query(insert, id, `title ${id}`));
      expect(result.columnNames).toEqual(['id', 'title', 'completed']);
      expect(result.rows).toEqual([[id, `title ${id}`, 0]]);
    }
    const select = 'SELECT "title" FROM "task" WHERE "id" = ?';
    expect((await db.queryRaw(query(select, 'b'))).rows).toEqual([['title b']]);
    expect((await db.queryRaw(query(select, 'c'))).rows).toEqual([['title c']]);
    expect((await db.queryRaw(query(select, 'missing'))).rows).toEqual([]);
  });

  it('leaves a statement usable after it failed (a constraint violation)', async () => {
    const db = await connect();
    const insert = 'INSERT INTO "task" ("id", "title") VALUES (?, ?)';
    expect(await db.executeRaw(query(insert, 'x', 'first'))).toBe(1);
    await expect(db.executeRaw(query(insert, 'x', 'again'))).rejects.toThrow();
    expect(await db.executeRaw(query(insert, 'y', 'second'))).toBe(1);
    const count = await db.queryRaw(query('SELECT COUNT(*) AS "n" FROM "task"'));
    expect(Number(count.rows[0]![0])).toBe(2);
  });

  it('keeps transactions working (BEGIN, statements, rollback)', async () => {
    const db = await connect();
    const insert = 'INSERT INTO "task" ("id", "title") VALUES (?, ?)';
    await db.executeRaw(query(insert, 't1', 'kept'));
    const transaction = await db.startTransaction();
    await transaction.executeRaw(query(insert, 't2', 'rolled back'));
    await transaction.executeRaw(query('ROLLBACK'));
    await transaction.rollback();
    const rows = await db.queryRaw(query('SELECT "id" FROM "task" ORDER BY "id"'));
    expect(rows.rows).toEqual([['t1']]);
  });

  it(`caches at most ${MAX_CACHED_STATEMENTS} texts and still runs every further one`, async () => {
    const db = await connect();
    for (let n = 0; n < MAX_CACHED_STATEMENTS + 20; n++) {
      const result = await db.queryRaw(query(`SELECT ${n} AS "n"`));
      expect(Number(result.rows[0]![0])).toBe(n);
    }
  });
});
