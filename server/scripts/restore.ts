/**
 * npm run restore -- <file>: replaces the SQLite database with a backup, with the server stopped.
 *
 * "Stopped" is asked of SQLite itself: the database runs in WAL mode, where every open
 * connection holds a shared lock on it, so taking an exclusive lock (locking_mode=EXCLUSIVE,
 * BEGIN EXCLUSIVE, no busy wait) succeeds only when no process — server, cluster worker,
 * admin command, sqlite3 shell — has the file open. No pid file to go stale after a crash.
 * The lock is held until the new file is in place; the replaced database is kept beside it.
 * Both are left readable by their owner only (0600): they hold tokens and password hashes.
 */
import { chmodSync, createReadStream, createWriteStream, existsSync, renameSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import Database from 'better-sqlite3';
import { assertIntact, loadOperatorConfig, OperatorError, runOperatorCommand, sqliteFileOf } from './operator.js';

const POSTGRES_RESTORE_HINT = 'use pg_restore --clean --if-exists -d "$DATABASE_URL" taskfort.dump (README "Backups"); npm run restore is for SQLite';

/** Holds an exclusive lock on the database, or refuses because something has it open. */
function lockExclusively(file: string): Database.Database {
  const db = new Database(file, { fileMustExist: true, timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
    db.exec('COMMIT');
    return db;
  } catch (error) {
    db.close();
    if ((error as { code?: string }).code?.startsWith('SQLITE_BUSY')) {
      throw new OperatorError(`${file} is in use — the server (or another program) has it open; stop the server first`);
    }
    throw error;
  }
}

/** Copies a file into place readable by its owner only, whatever mode the source has (copyFile would copy it). */
function copyPrivately(from: string, to: string): Promise<void> {
  return pipeline(createReadStream(from), createWriteStream(to, { flags: 'wx', mode: 0o600 }));
}

/**
 * Stages the backup beside the target. A copy taken of a running server's directory (a volume
 * snapshot, `cp -a data/`) keeps committed transactions in its -wal: that file comes along and is
 * folded into the staged copy, so they are restored too. Nothing beside the backup is changed.
 */
async function stage(backup: string, staged: string): Promise<void> {
  await copyPrivately(backup, staged);
  if (!existsSync(`${backup}-wal`)) return;
  await copyPrivately(`${backup}-wal`, `${staged}-wal`);
  const db = new Database(staged, { fileMustExist: true });
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
  } catch (error) {
    throw new OperatorError(`${backup} (with its -wal) is not a readable SQLite database: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    db.close();
  }
}

async function main() {
  const source = process.argv[2];
  if (!source) throw new OperatorError('usage: npm run restore -- <backup file>');
  const backup = resolve(source);
  if (!existsSync(backup)) throw new OperatorError(`no backup at ${backup}`);
  const config = loadOperatorConfig();
  const target = sqliteFileOf(config, POSTGRES_RESTORE_HINT);

  const staged = `${target}.restoring`;
  const removeStaged = () => {
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${staged}${suffix}`, { force: true });
  };
  removeStaged();
  try {
    await stage(backup, staged);
    assertIntact(staged);
    const lock = existsSync(target) ? lockExclusively(target) : undefined;
    let keptAs: string | undefined;
    if (lock) {
      keptAs = `${target}.before-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      // Checkpoint so the kept copy is complete on its own, then release; nothing else can have
      // opened it meanwhile (the lock stood until now).
      lock.pragma('wal_checkpoint(TRUNCATE)');
      lock.close();
      renameSync(target, keptAs);
      chmodSync(keptAs, 0o600);
    }
    // A WAL left from the replaced database must never be replayed onto the restored one.
    for (const suffix of ['-wal', '-shm']) rmSync(`${target}${suffix}`, { force: true });
    renameSync(staged, target);
    console.log(`restored ${target} from ${backup}, integrity_check ok${keptAs ? `; the replaced database is kept at ${keptAs}` : ''}`);
  } finally {
    removeStaged();
  }
}

await runOperatorCommand('restore', main);
