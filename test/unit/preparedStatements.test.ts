import { describe, expect, it } from 'vitest';
import { preparedStatementNames } from '../../server/db/preparedStatements.js';

describe('names of prepared statements (PostgreSQL)', () => {
  it('gives the same SQL the same name and different SQL different names', () => {
    const nameOf = preparedStatementNames();
    const list = nameOf({ sql: 'SELECT "id" FROM "task" WHERE "userId" = $1 LIMIT $2' });
    const count = nameOf({ sql: 'SELECT COUNT(*) FROM "task" WHERE "userId" = $1' });
    expect(list).toMatch(/^taskfort_/);
    expect(count).not.toBe(list);
    expect(nameOf({ sql: 'SELECT "id" FROM "task" WHERE "userId" = $1 LIMIT $2' })).toBe(list);
  });

  it('names a bounded number of statements; the rest run unnamed, so id lists of every length cannot pile up', () => {
    const nameOf = preparedStatementNames(3);
    const names = Array.from({ length: 10 }, (_v, n) =>
      nameOf({ sql: `SELECT 1 WHERE "id" IN (${Array.from({ length: n + 1 }, (_w, i) => `$${i + 1}`).join(', ')})` }),
    );
    expect(names.slice(0, 3).every((name) => name.startsWith('taskfort_'))).toBe(true);
    expect(names.slice(3)).toEqual(Array(7).fill(''));
    expect(nameOf({ sql: 'SELECT 1 WHERE "id" IN ($1)' })).toBe(names[0]);
  });
});
