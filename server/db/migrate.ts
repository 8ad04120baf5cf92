import { execFile } from 'node:child_process';
import { readdirSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot, type DatabaseProvider } from '../config.js';
import type { Database } from './client.js';

const run = promisify(execFile);
const prismaCli = createRequire(import.meta.url).resolve('prisma/build/index.js');

export const migrationsDirectory = (provider: DatabaseProvider) =>
  resolve(repoRoot, provider === 'postgresql' ? 'prisma/postgresql/migrations' : 'prisma/migrations');

function committedMigrations(provider: DatabaseProvider): string[] {
  const directory = migrationsDirectory(provider);
  return readdirSync(directory, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(resolve(directory, entry.name, 'migration.sql')))
    .map((entry) => entry.name);
}

function redact(text: string, databaseUrl: string): string {
  return text.replaceAll(databaseUrl, '<DATABASE_URL>').replace(/postgres(ql)?:\/\/[^\s"']+/gi, '<DATABASE_URL>');
}

/**
 * True when every committed migration is recorded as applied. Lets a server start without
 * running the CLI (and without its exclusive SQLite lock) while another process has the file open.
 */
export async function isDatabaseUpToDate(db: Database, provider: DatabaseProvider): Promise<boolean> {
  try {
    const applied = await db.$queryRaw<{ migration_name: string }[]>`
      SELECT "migration_name" FROM "_prisma_migrations" WHERE "finished_at" IS NOT NULL AND "rolled_back_at" IS NULL`;
    const names = new Set(applied.map((row) => row.migration_name));
    return committedMigrations(provider).every((name) => names.has(name));
  } catch {
    return false; // no migration table yet
  }
}

/**
 * Applies the committed Prisma migrations with Prisma's own CLI (`prisma migrate deploy`):
 * creates the database when missing, never generates or resets anything, and records the
 * history in `_prisma_migrations` exactly as `npm run db:migrate` does.
 */
export async function migrateDatabase(databaseUrl: string): Promise<void> {
  try {
    await run(process.execPath, [prismaCli, 'migrate', 'deploy'], {
      cwd: repoRoot,
      env: { ...process.env, DATABASE_URL: databaseUrl, PRISMA_HIDE_UPDATE_MESSAGE: '1' },
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    // No cause: the original error's message carries the unredacted DATABASE_URL.
    // eslint-disable-next-line preserve-caught-error
    throw new Error(`Database migration failed:\n${redact(`${stdout}\n${stderr}`.trim(), databaseUrl)}`);
  }
}
