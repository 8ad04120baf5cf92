import { existsSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import Database from 'better-sqlite3';
import { loadConfig, repoRoot, type Config } from '../config.js';

/** Thrown for anything the operator must fix; printed as one line, exit status 1. */
export class OperatorError extends Error {}

/** The server's configuration, read the same way server/main.ts reads it (.env, then the environment). */
export function loadOperatorConfig(): Config {
  const envFile = resolve(repoRoot, '.env');
  if (existsSync(envFile)) process.loadEnvFile(envFile);
  try {
    return loadConfig();
  } catch (error) {
    throw new OperatorError(error instanceof Error ? error.message : String(error));
  }
}

/** Runs a command-line program: an OperatorError (or any error) becomes one line on stderr and exit status 1. */
export async function runOperatorCommand(program: string, main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (error) {
    // Our own messages may add a usage block; anything unexpected is cut to its first line.
    const message = error instanceof OperatorError ? error.message : error instanceof Error ? error.message.split('\n')[0] : String(error);
    process.stderr.write(`${program}: ${message}\n`);
    process.exitCode = error instanceof OperatorError ? 1 : 2;
  }
}

/** The SQLite file the configuration points at; PostgreSQL has its own tools. */
export function sqliteFileOf(config: Config, postgresHint: string): string {
  if (config.databaseProvider !== 'sqlite') throw new OperatorError(`DATABASE_URL is PostgreSQL: ${postgresHint}`);
  const path = config.databaseUrl.slice('file:'.length);
  if (path === ':memory:') throw new OperatorError('DATABASE_URL is an in-memory database: nothing to back up or restore');
  return path;
}

/** Opens a finished copy and asks SQLite to check every page and index. */
export function assertIntact(file: string): void {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const rows = db.pragma('integrity_check') as { integrity_check: string }[];
    const verdict = rows.map((row) => row.integrity_check).join('; ');
    if (verdict !== 'ok') throw new OperatorError(`${file} failed PRAGMA integrity_check: ${verdict}`);
  } catch (error) {
    if (error instanceof OperatorError) throw error;
    throw new OperatorError(`${file} is not a readable SQLite database: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    db.close();
    // Reading a WAL-mode copy leaves empty -wal/-shm files beside it; only copies we made come here.
    for (const suffix of ['-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
  }
}
