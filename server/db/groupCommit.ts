// Group commit on SQLite. With synchronous = FULL every commit waits for an fsync of the WAL (about
// 170 µs here, far more under load), and a write on its own is one commit. Here the data changes
// that reach the database in one turn of the event loop share one transaction: the first opens it
// (BEGIN IMMEDIATE), the others run inside it, and it commits — one fsync — once the turn's I/O
// callbacks are done (setImmediate). No caller hears of its write before that commit: each write's
// result is held until the transaction is durable, so an acknowledged write survives a power loss
// exactly as before.
//
// - A statement that fails inside the batch is undone on its own (SQLite's statement-level abort)
//   and its caller gets its error at once; the batch goes on. An error that ends the whole
//   transaction (SQLITE_FULL, IOERR, BUSY, NOMEM) fails every write of the batch: none of them is
//   stored, and each caller hears so.
// - Everything else (reads, PRAGMA, scripts, Prisma's interactive transactions) waits for an open
//   batch to commit, so no read sees a write before it is durable.
// - While an interactive transaction is open, writes run as the adapter ran them before.
import type { Database } from 'better-sqlite3';
import type { SqlDriverAdapter, SqlDriverAdapterFactory, SqlQuery, Transaction } from '@prisma/driver-adapter-utils';
import { onEveryConnection, sqliteDatabaseOf } from './adapterConnections.js';

/** INSERT, UPDATE, DELETE or REPLACE, after any leading comments (e.g. the PREPARED mark). */
const DATA_CHANGE = /^\s*(?:\/\*[\s\S]*?\*\/\s*)*(?:INSERT|UPDATE|DELETE|REPLACE)\b/i;

const statement = (sql: string): SqlQuery => ({ sql, args: [], argTypes: [] });
const BEGIN = statement('BEGIN IMMEDIATE');
const COMMIT = statement('COMMIT');
const ROLLBACK = statement('ROLLBACK');

interface Batch {
  /** Resolves once the batch's writes are durable; rejects when they were undone. */
  readonly durable: Promise<void>;
  /** Resolves once the batch has ended, either way. */
  readonly settled: Promise<void>;
  finish(error?: unknown): void;
  open: boolean;
}

function newBatch(): Batch {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const durable = new Promise<void>((onResolve, onReject) => {
    resolve = onResolve;
    reject = onReject;
  });
  // Every write of the batch attaches its own handler; this one keeps an unobserved failure quiet.
  durable.catch(() => {});
  const batch: Batch = {
    durable,
    settled: durable.then(
      () => {},
      () => {},
    ),
    open: true,
    finish(error) {
      if (!batch.open) return;
      batch.open = false;
      if (error === undefined) resolve();
      else reject(error);
    },
  };
  return batch;
}

/** Adds group commit to a connected better-sqlite3 adapter whose database is `db`; returns the adapter. */
export function groupCommits(adapter: SqlDriverAdapter, db: Pick<Database, 'inTransaction'>): SqlDriverAdapter {
  const queryRaw = adapter.queryRaw.bind(adapter);
  const executeRaw = adapter.executeRaw.bind(adapter);
  const executeScript = adapter.executeScript.bind(adapter);
  const startTransaction = adapter.startTransaction.bind(adapter);
  const dispose = adapter.dispose.bind(adapter);
  let batch: Batch | undefined;
  let interactiveTransactions = 0;

  /** Ends `current` if it is still the open batch: COMMIT, or ROLLBACK of what is left when the commit failed. */
  const commit = (current: Batch) => {
    if (batch !== current) return;
    batch = undefined;
    // The adapter runs a statement synchronously; its promise only carries the converted error.
    const committed = executeRaw(COMMIT);
    if (db.inTransaction) void executeRaw(ROLLBACK).catch(() => {});
    committed.then(
      () => current.finish(),
      (error: unknown) => current.finish(error),
    );
  };

  const open = (): Batch | undefined => {
    if (interactiveTransactions > 0 || db.inTransaction) return undefined;
    void executeRaw(BEGIN).catch(() => {});
    // BEGIN failed (e.g. another process held the write lock past the busy timeout): the write
    // then runs on its own and reports its own error.
    if (!db.inTransaction) return undefined;
    const opened = newBatch();
    batch = opened;
    setImmediate(() => commit(opened));
    return opened;
  };

  const write = <T>(run: (query: SqlQuery) => Promise<T>, query: SqlQuery): Promise<T> => {
    const current = batch ?? open();
    if (!current) return run(query);
    const result = run(query);
    if (!db.inTransaction) {
      // The statement's failure ended the whole transaction: every write of the batch is undone.
      batch = undefined;
      result.then(
        () => current.finish(new Error('the group commit transaction ended unexpectedly')),
        (error: unknown) => current.finish(error),
      );
      return result;
    }
    return result.then((value) => current.durable.then(() => value));
  };

  const afterBatch = <A, T>(run: (arg: A) => Promise<T>) => {
    // Checked again after waiting: a write in the turn's remaining microtasks may have opened the next batch.
    const runAfterBatch = (arg: A): Promise<T> => (batch ? batch.settled.then(() => runAfterBatch(arg)) : run(arg));
    return runAfterBatch;
  };

  const countUntilDone = (transaction: Transaction): Transaction => {
    let done = false;
    const end = () => {
      if (done) return;
      done = true;
      interactiveTransactions--;
    };
    const commitTransaction = transaction.commit.bind(transaction);
    const rollbackTransaction = transaction.rollback.bind(transaction);
    transaction.commit = () => commitTransaction().finally(end);
    transaction.rollback = () => rollbackTransaction().finally(end);
    return transaction;
  };

  const readAfterBatch = afterBatch(queryRaw);
  const executeAfterBatch = afterBatch(executeRaw);
  adapter.queryRaw = (query) => (DATA_CHANGE.test(query.sql) ? write(queryRaw, query) : readAfterBatch(query));
  adapter.executeRaw = (query) => (DATA_CHANGE.test(query.sql) ? write(executeRaw, query) : executeAfterBatch(query));
  adapter.executeScript = afterBatch(executeScript);
  adapter.startTransaction = async (isolationLevel) => {
    while (batch) await batch.settled;
    interactiveTransactions++;
    try {
      return countUntilDone(await startTransaction(isolationLevel));
    } catch (error) {
      interactiveTransactions--;
      throw error;
    }
  };
  adapter.dispose = () => {
    if (batch) commit(batch);
    return dispose();
  };
  return adapter;
}

/** The better-sqlite3 adapter factory with group commit on every connection it makes. */
export function withGroupCommit<F extends SqlDriverAdapterFactory>(factory: F): F {
  return onEveryConnection(factory, (adapter) => {
    const db = sqliteDatabaseOf(adapter);
    return db ? groupCommits(adapter, db) : adapter;
  });
}
