// Group commit (server/db/groupCommit.ts) on the real adapter, driver and a WAL file with
// synchronous=FULL: a second connection to the same file shows what is committed at each moment.
import { join } from 'node:path';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import type { SqlDriverAdapter } from '@prisma/driver-adapter-utils';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { withGroupCommit } from '../../server/db/groupCommit.js';
import { withStatementCache } from '../../server/db/statementCache.js';
import { tempDataDir } from '../support/server.js';

type Query = Parameters<SqlDriverAdapter['queryRaw']>[0];
const STRING = { scalarType: 'string', arity: 'scalar' } as Query['argTypes'][number];
const query = (sql: string, ...args: string[]): Query => ({ sql, args, argTypes: args.map(() => STRING) });
const INSERT = '/* taskfort:prepared */ INSERT INTO "task" ("id", "title") VALUES (?, ?) RETURNING "id"';
const insert = (id: string, title = `title ${id}`) => query(INSERT, id, title);

let adapter: SqlDriverAdapter | undefined;
let observer: Database.Database | undefined;

async function connect(): Promise<{ db: SqlDriverAdapter; committedIds: () => string[] }> {
  const file = join(tempDataDir('taskfort-group-commit-'), 'test.db');
  adapter = await withGroupCommit(withStatementCache(new PrismaBetterSqlite3({ url: file }))).connect();
  await adapter.queryRaw(query('PRAGMA journal_mode = WAL'));
  await adapter.executeRaw(query('PRAGMA synchronous = FULL'));
  await adapter.executeScript(`
    CREATE TABLE "task" ("id" TEXT PRIMARY KEY, "title" TEXT NOT NULL);
    CREATE TRIGGER "poison" BEFORE INSERT ON "task" WHEN NEW."title" = 'poison'
      BEGIN SELECT RAISE(ROLLBACK, 'poisoned'); END;`);
  observer = new Database(file, { readonly: true });
  const read = observer.prepare('SELECT "id" FROM "task" ORDER BY "id"').pluck();
  return { db: adapter, committedIds: () => read.all() as string[] };
}

afterEach(async () => {
  observer?.close();
  observer = undefined;
  await adapter?.dispose();
  adapter = undefined;
});

describe('SQLite group commit', () => {
  it('commits the writes of one turn together and answers each only once they are on disk', async () => {
    const { db, committedIds } = await connect();
    const seenWhenAnswered: string[][] = [];
    const writes = ['a', 'b', 'c'].map((id) => db.queryRaw(insert(id)).then((result) => (seenWhenAnswered.push(committedIds()), result)));
    // Three autocommit writes would each be visible to another connection by now.
    expect(committedIds()).toEqual([]);
    const results = await Promise.all(writes);
    expect(results.map((result) => result.rows)).toEqual([[['a']], [['b']], [['c']]]);
    expect(seenWhenAnswered).toEqual([
      ['a', 'b', 'c'],
      ['a', 'b', 'c'],
      ['a', 'b', 'c'],
    ]);
    // The next turn's writes form a batch of their own.
    await db.executeRaw(insert('d'));
    expect(committedIds()).toEqual(['a', 'b', 'c', 'd']);
  });

  it('fails only the write that broke a constraint, and keeps the rest of its batch', async () => {
    const { db, committedIds } = await connect();
    await db.executeRaw(insert('x'));
    const outcomes = await Promise.allSettled([db.executeRaw(insert('y')), db.executeRaw(insert('x', 'duplicate')), db.executeRaw(insert('z'))]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(committedIds()).toEqual(['x', 'y', 'z']);
    expect((await db.queryRaw(query('SELECT "title" FROM "task" WHERE "id" = ?', 'x'))).rows).toEqual([['title x']]);
  });

  it('tells every write of a batch that was undone as a whole, and stores none of them', async () => {
    const { db, committedIds } = await connect();
    const first = db.executeRaw(insert('p'));
    const poison = db.executeRaw(insert('q', 'poison'));
    // After the batch ended, the next write opens a new one.
    const after = db.executeRaw(insert('r'));
    const outcomes = await Promise.allSettled([first, poison, after]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected', 'fulfilled']);
    // The others hear what ended the transaction (in production: a full disk, an I/O error).
    expect((outcomes[0] as PromiseRejectedResult).reason).toBe((outcomes[1] as PromiseRejectedResult).reason);
    expect(committedIds()).toEqual(['r']);
  });

  it('lets a read issued while a batch is open see its writes only once they are committed', async () => {
    const { db, committedIds } = await connect();
    void db.executeRaw(insert('m'));
    let committedWhenRead: string[] | undefined;
    const read = db.queryRaw(query('SELECT "id" FROM "task"')).then((result) => ((committedWhenRead = committedIds()), result));
    expect((await read).rows).toEqual([['m']]);
    expect(committedWhenRead).toEqual(['m']);
  });

  it('starts an interactive transaction after the open batch commits, and batches again once it ends', async () => {
    const { db, committedIds } = await connect();
    const batched = db.executeRaw(insert('t1'));
    const transaction = await db.startTransaction();
    expect(committedIds()).toEqual(['t1']);
    await transaction.executeRaw(insert('t2'));
    await transaction.executeRaw(query('ROLLBACK'));
    await transaction.rollback();
    await batched;
    await Promise.all([db.executeRaw(insert('t3')), db.executeRaw(insert('t4'))]);
    expect(committedIds()).toEqual(['t1', 't3', 't4']);
  });

  it('commits an open batch before the connection closes', async () => {
    const { db, committedIds } = await connect();
    const write = db.executeRaw(insert('last'));
    await db.dispose();
    adapter = undefined;
    expect(await write).toBe(1);
    expect(committedIds()).toEqual(['last']);
  });
});
