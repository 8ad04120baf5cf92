import { describe, expect, it } from 'vitest';
import { PREPARED_STATEMENT_MARK, preparedStatementNames } from '../../server/db/preparedStatements.js';

describe('names of prepared statements (PostgreSQL)', () => {
  it('names only marked statements, the same text always with the same name', () => {
    const nameOf = preparedStatementNames();
    const toggle = `${PREPARED_STATEMENT_MARK}UPDATE "task" SET "completed" = NOT "completed" WHERE "id" = $1 RETURNING "id"`;
    const create = `${PREPARED_STATEMENT_MARK}INSERT INTO "task" ("id") SELECT $1 FROM "user" WHERE "id" = $2 RETURNING "id"`;
    expect(nameOf({ sql: toggle })).toMatch(/^taskfort_/);
    expect(nameOf({ sql: create })).toMatch(/^taskfort_/);
    expect(nameOf({ sql: create })).not.toBe(nameOf({ sql: toggle }));
    expect(nameOf({ sql: toggle })).toBe(nameOf({ sql: toggle }));
    // Lists and everything else Prisma writes stay unnamed: planned on every run.
    expect(nameOf({ sql: 'SELECT "id" FROM "task" WHERE "userId" = $1 ORDER BY "createdAt" DESC LIMIT $2' })).toBe('');
  });

  it('names a bounded number of texts; the rest run unnamed', () => {
    const nameOf = preparedStatementNames(2);
    const names = [1, 2, 3, 4].map((n) => nameOf({ sql: `${PREPARED_STATEMENT_MARK}SELECT ${n}` }));
    expect(names.slice(0, 2).every((name) => name.startsWith('taskfort_'))).toBe(true);
    expect(names.slice(2)).toEqual(['', '']);
  });
});
