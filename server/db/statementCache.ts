// Prepared statements reused across queries on SQLite. @prisma/adapter-better-sqlite3 calls
// `db.prepare(sql)` for every statement it runs, so SQLite compiles the same text again each time
// (for the quota-checked INSERT with its triggers, tens of microseconds). This keeps one compiled
// statement per distinct SQL text and gives the adapter a fresh binding of it for each run.
import type { Database, Statement } from 'better-sqlite3';
import type { SqlDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { onEveryConnection, sqliteDatabaseOf } from './adapterConnections.js';

/** Distinct SQL texts kept; texts beyond it are prepared per use as before (e.g. `IN (…)` lists of every length). */
export const MAX_CACHED_STATEMENTS = 500;

/** What the adapter uses of `prepare(sql).bind(args)`. */
interface BoundStatement {
  readonly reader: boolean;
  columns(): ReturnType<Statement['columns']>;
  raw(): { all(): unknown[] };
  run(): ReturnType<Statement['run']>;
}

function bindOnce(statement: Statement, args: unknown[]): BoundStatement {
  return {
    reader: statement.reader,
    columns: () => statement.columns(),
    raw: () => ({ all: () => statement.raw(true).all(args) }),
    run: () => statement.run(args),
  };
}

/** Makes `db.prepare` answer from a cache of compiled statements; returns the database. */
export function cachePreparedStatements(db: Database): Database {
  const prepare = db.prepare.bind(db);
  const cache = new Map<string, Statement>();
  const cachedPrepare = (sql: string) => {
    let statement = cache.get(sql);
    if (!statement) {
      statement = prepare(sql) as Statement;
      if (cache.size >= MAX_CACHED_STATEMENTS) return statement;
      cache.set(sql, statement);
    }
    const cached = statement;
    // A cached statement is never bound for good (better-sqlite3 refuses to bind twice): each use
    // gets its own view that passes its arguments to the run; `run()` without bind is the adapter's BEGIN.
    return { reader: cached.reader, bind: (args: unknown[]) => bindOnce(cached, args), run: () => cached.run() };
  };
  (db as { prepare: unknown }).prepare = cachedPrepare;
  return db;
}

/** The better-sqlite3 adapter factory with every connection it makes caching its statements. */
export function withStatementCache<F extends SqlDriverAdapterFactory>(factory: F): F {
  return onEveryConnection(factory, (adapter) => {
    const db = sqliteDatabaseOf(adapter);
    if (db) cachePreparedStatements(db);
    return adapter;
  });
}
