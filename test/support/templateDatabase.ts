import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { migrateDatabase } from '../../server/db/migrate.js';

/**
 * Every test server used to run `prisma migrate deploy` on its own empty database (about half
 * of its start time). Instead, globalSetup migrates one template per run — always rebuilt, so
 * new migrations are picked up — and each server starts on a copy of it. The server still
 * checks `_prisma_migrations` on start and skips the CLI only because every migration is there.
 */
const SQLITE_TEMPLATE_ENV = 'TASKFORT_TEST_SQLITE_TEMPLATE';
const POSTGRES_TEMPLATE_ENV = 'TASKFORT_TEST_POSTGRES_TEMPLATE';

const quoteIdentifier = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** globalSetup: migrates a SQLite template file for this run; returns the teardown. */
export async function buildSqliteTemplate(): Promise<() => void> {
  // Several projects (server, e2e) share it: the first one's setup builds it for the whole run.
  const built = process.env[SQLITE_TEMPLATE_ENV];
  if (built && existsSync(built)) return () => {};
  const directory = mkdtempSync(join(tmpdir(), 'taskfort-template-'));
  const file = join(directory, 'template.db');
  await migrateDatabase(`file:${file}`);
  // One self-contained file (no -wal beside it), so a plain copy is a complete database.
  const db = new Database(file);
  db.pragma('journal_mode = DELETE');
  db.close();
  process.env[SQLITE_TEMPLATE_ENV] = file;
  return () => {
    delete process.env[SQLITE_TEMPLATE_ENV];
    rmSync(directory, { recursive: true, force: true });
  };
}

/** globalSetup: migrates a template database on the PostgreSQL server at `adminUrl`; returns the teardown. */
export async function buildPostgresTemplate(adminUrl: string): Promise<() => Promise<void>> {
  const name = `tf_template_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(name)}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  await migrateDatabase(url.toString()); // creates the database, as on a first start
  process.env[POSTGRES_TEMPLATE_ENV] = name;
  return async () => {
    delete process.env[POSTGRES_TEMPLATE_ENV];
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(name)}`).catch(() => {});
    await client.end();
  };
}

/**
 * Gives `databaseUrl` the template's schema and migration history, unless that database exists
 * already (a restart on the same data directory) or no template was built (a file run outside
 * a project with the globalSetup: the server then migrates on its own, as before).
 */
export async function seedFromTemplate(databaseUrl: string): Promise<void> {
  if (databaseUrl.startsWith('file:')) {
    const template = process.env[SQLITE_TEMPLATE_ENV];
    const target = databaseUrl.slice('file:'.length);
    if (template && !existsSync(target)) copyFileSync(template, target);
    return;
  }
  const template = process.env[POSTGRES_TEMPLATE_ENV];
  if (!template) return;
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.slice(1));
  url.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: url.toString() });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${quoteIdentifier(name)} TEMPLATE ${quoteIdentifier(template)}`);
  } catch (error) {
    if ((error as { code?: string }).code !== '42P04') throw error; // 42P04: it exists already
  } finally {
    await admin.end();
  }
}
