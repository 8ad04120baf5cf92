// queryRows (server/db/rawRows.ts) against Prisma's own $queryRaw on the real client and database
// (SQLite here; PostgreSQL in the server-postgres project): the same rows stored, the same values
// and JavaScript types returned, and the adapter's error kinds for failures.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../../server/db/client.js';
import { queryRows } from '../../server/db/rawRows.js';
import { Prisma } from '../../server/generated/prisma/client.js';
import { tempDataDir } from '../support/server.js';

const onPostgres = process.env.TEST_DATABASE === 'postgresql';
let db: Database;
let dropDatabase = async () => {};

beforeAll(async () => {
  if (onPostgres) {
    const adminUrl = process.env.TEST_POSTGRES_URL!;
    const name = `tf_raw_rows_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    db = await createDatabase({ databaseProvider: 'postgresql', databaseUrl: url.toString(), databasePoolSize: 2 });
    dropDatabase = async () => {
      const dropper = new pg.Client({ connectionString: adminUrl });
      await dropper.connect();
      await dropper.query(`DROP DATABASE IF EXISTS ${name}`);
      await dropper.end();
    };
  } else {
    db = await createDatabase({ databaseProvider: 'sqlite', databaseUrl: `file:${join(tempDataDir('taskfort-raw-rows-'), 'test.db')}` });
  }
  const timestamp = onPostgres ? 'TIMESTAMP(3)' : 'DATETIME';
  await db.$executeRawUnsafe(
    `CREATE TABLE "sample" ("id" TEXT PRIMARY KEY, "flag" BOOLEAN NOT NULL, "n" INTEGER NOT NULL, "at" ${timestamp} NOT NULL, "due" ${timestamp}, "note" TEXT)`,
  );
});

afterAll(async () => {
  await db?.$disconnect();
  await dropDatabase();
});

const at = new Date('2026-12-03T10:11:12.345Z');
const atParameter = () => (onPostgres ? Prisma.sql`CAST(${at} AS TIMESTAMP(3))` : Prisma.sql`${at}`);
const insert = (id: string, note: string | null, due: Date | null) =>
  Prisma.sql`INSERT INTO "sample" ("id", "flag", "n", "at", "due", "note")
    VALUES (${id}, ${true}, CAST(${7} AS INTEGER), ${atParameter()}, ${due}${onPostgres ? Prisma.sql`::TIMESTAMP(3)` : Prisma.empty}, ${note})
    RETURNING "id", "flag", "n", "at", "due", "note"`;
const withoutId = (rows: Record<string, unknown>[]) => rows.map(({ id: _id, ...rest }) => rest);

describe('queryRows', () => {
  it('stores and returns what $queryRaw stores and returns, with the same JavaScript types', async () => {
    const due = new Date('2027-01-02T00:00:00.000Z');
    for (const [note, dueDate] of [
      ['a note', due],
      [null, null],
    ] as const) {
      const suffix = randomBytes(4).toString('hex');
      const direct = await queryRows<Record<string, unknown>>(db, insert(`direct-${suffix}`, note, dueDate));
      const throughPrisma = await db.$queryRaw<Record<string, unknown>[]>(insert(`prisma-${suffix}`, note, dueDate));
      expect(direct[0]!.id).toBe(`direct-${suffix}`);
      expect(withoutId(direct)).toEqual(withoutId(throughPrisma));
      expect(direct[0]!.at).toBeInstanceOf(Date);
      expect((direct[0]!.at as Date).toISOString()).toBe(at.toISOString());
      expect(direct[0]!.flag).toBe(true);
      expect(direct[0]!.n).toBe(7);
      const stored = await db.$queryRaw<
        Record<string, unknown>[]
      >`SELECT * FROM "sample" WHERE "id" IN (${`direct-${suffix}`}, ${`prisma-${suffix}`}) ORDER BY "id"`;
      expect(stored).toHaveLength(2);
      expect(withoutId(stored.slice(0, 1))).toEqual(withoutId(stored.slice(1)));
    }
  });

  it('returns no row when the statement matches none', async () => {
    expect(await queryRows(db, Prisma.sql`UPDATE "sample" SET "n" = "n" + 1 WHERE "id" = ${'missing'} RETURNING "id"`)).toEqual([]);
  });

  it("rejects with the adapter's error kind (a duplicate key) and changes nothing", async () => {
    const id = `dup-${randomBytes(4).toString('hex')}`;
    await queryRows(db, insert(id, 'first', null));
    const failure = await queryRows(db, insert(id, 'second', null)).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect((failure as { cause?: { kind?: string } }).cause?.kind).toBe('UniqueConstraintViolation');
    expect(await db.$queryRaw`SELECT "note" FROM "sample" WHERE "id" = ${id}`).toEqual([{ note: 'first' }]);
  });

  it('goes through Prisma after the client disconnected, which connects anew', async () => {
    const id = `reconnect-${randomBytes(4).toString('hex')}`;
    await queryRows(db, insert(id, 'before', null));
    await db.$disconnect();
    expect(await queryRows(db, Prisma.sql`SELECT "note" FROM "sample" WHERE "id" = ${id}`)).toEqual([{ note: 'before' }]);
    expect(await queryRows(db, Prisma.sql`SELECT "note" FROM "sample" WHERE "id" = ${id}`)).toEqual([{ note: 'before' }]);
  });
});
