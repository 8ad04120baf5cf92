/**
 * npm run backup -- <file>: a consistent snapshot of the SQLite database while the server runs.
 * SQLite's online backup API copies every page inside one read transaction of its own, so the
 * copy holds exactly the transactions committed before it started (WAL mode: writers go on).
 */
import { closeSync, existsSync, openSync, renameSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import Database from 'better-sqlite3';
import { assertIntact, loadOperatorConfig, OperatorError, runOperatorCommand, sqliteFileOf } from './operator.js';

export const POSTGRES_BACKUP_HINT = 'use pg_dump -Fc "$DATABASE_URL" -f taskfort.dump (README "Backups"); npm run backup is for SQLite';

async function main() {
  const target = process.argv[2];
  if (!target) throw new OperatorError('usage: npm run backup -- <file>');
  const config = loadOperatorConfig();
  const source = sqliteFileOf(config, POSTGRES_BACKUP_HINT);
  const destination = resolve(target);
  if (!existsSync(source)) throw new OperatorError(`no database at ${source} (DATABASE_URL)`);
  if (existsSync(destination)) throw new OperatorError(`${destination} exists; choose a new file name`);

  const partial = `${destination}.partial`;
  rmSync(partial, { force: true });
  const db = new Database(source, { fileMustExist: true, timeout: 5000 });
  try {
    // Session tokens, password hashes, unused reset tokens: readable by the owner only. SQLite
    // writes into the empty file made here, keeping its mode, and gives its journal the same.
    closeSync(openSync(partial, 'wx', 0o600));
    // All pages in one step: one read transaction, so writes during the copy cannot restart it.
    const { totalPages } = await db.backup(partial, { progress: () => 0x7fffffff });
    assertIntact(partial);
    renameSync(partial, destination);
    console.log(`backed up ${source} to ${destination} (${totalPages} pages, integrity_check ok)`);
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  } finally {
    db.close();
  }
}

await runOperatorCommand('backup', main);
