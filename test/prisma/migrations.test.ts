import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { postgresSchemaFrom, postgresSchemaPath, sqliteSchemaPath } from '../../server/scripts/generate-postgres-schema.js';
import { repoRoot, tempDataDir } from '../support/server.js';

const run = promisify(execFile);
const prismaCli = join(repoRoot, 'node_modules/prisma/build/index.js');
const tempDirs: string[] = [];
afterAll(() => tempDirs.splice(0)); // dirs live under the OS temp dir

/** Runs Prisma's CLI as a user would; resolves with its exit code and output. */
async function prisma(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run(process.execPath, [prismaCli, ...args], {
      cwd: repoRoot,
      env: { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: '1', ...env },
    });
    return { code: 0, output: `${stdout}${stderr}` };
  } catch (error) {
    const failure = error as { code: number; stdout: string; stderr: string };
    return { code: failure.code, output: `${failure.stdout}${failure.stderr}` };
  }
}

function freshSqliteUrl() {
  const dir = tempDataDir('taskfort-prisma-');
  tempDirs.push(dir);
  return `file:${join(dir, 'fresh.db')}`;
}

describe('one data model, two providers', () => {
  it('prisma/postgresql/schema.prisma is exactly what server/scripts/generate-postgres-schema.ts makes of prisma/schema.prisma', () => {
    expect(readFileSync(postgresSchemaPath, 'utf8')).toBe(postgresSchemaFrom(readFileSync(sqliteSchemaPath, 'utf8')));
  });
});

describe('migrations agree with the data model (run `npm run db:migrate:dev` after changing it)', () => {
  const diff = (migrations: string, schema: string) =>
    prisma(['migrate', 'diff', '--from-migrations', migrations, '--to-schema', schema, '--exit-code'], {
      DATABASE_URL: freshSqliteUrl(),
    });

  it('SQLite: replaying prisma/migrations gives exactly prisma/schema.prisma', async () => {
    const result = await diff('prisma/migrations', 'prisma/schema.prisma');
    expect(result.output).not.toMatch(/error/i);
    expect(result.code).toBe(0);
  });

  it('detects drift: a model change without a migration makes the same check fail', async () => {
    const drifted = join(tempDataDir('taskfort-drift-'), 'schema.prisma');
    writeFileSync(drifted, readFileSync(sqliteSchemaPath, 'utf8').replace(/(model Task \{)/, '$1\n  archived Boolean @default(false)'));
    const result = await diff('prisma/migrations', drifted);
    expect(result.code).toBe(2);
  });
});

describe('npm run db:migrate (prisma migrate deploy) through the WASM engine host', () => {
  it('creates a fresh SQLite database with every table and records the migration, then is a no-op', async () => {
    const url = freshSqliteUrl();
    const first = await prisma(['migrate', 'deploy'], { DATABASE_URL: url });
    expect(first.code).toBe(0);
    expect(first.output).toMatch(/successfully applied/i);

    const db = new Database(url.slice('file:'.length), { readonly: true });
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[];
    expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(['_prisma_migrations', 'account', 'jwks', 'session', 'task', 'user', 'verification']));
    const applied = db.prepare('SELECT migration_name, finished_at FROM _prisma_migrations').all() as { finished_at: unknown }[];
    expect(applied.length).toBeGreaterThan(0);
    expect(applied.every((row) => row.finished_at !== null)).toBe(true);
    const taskIndexes = db.prepare("SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'task'").all() as { sql: string }[];
    expect(taskIndexes.map((i) => i.sql).join('\n')).toMatch(/"userId", "createdAt" DESC, "id" DESC/);
    db.close();

    const second = await prisma(['migrate', 'deploy'], { DATABASE_URL: url });
    expect(second.code).toBe(0);
    expect(second.output).toMatch(/No pending migrations/i);
  });

  it("reports the engine it runs: Prisma 7.10.0's own schema engine, hosted from the repo", async () => {
    const result = await prisma(['-v']);
    expect(result.output).toMatch(/Schema Engine\s*:\s*schema-engine-cli 0edf323efd1d98336f3f0a68684b56f689b900d3/);
    expect(result.output).toMatch(/prisma\/engine\/schema-engine-host\.mjs/);
  });
});
