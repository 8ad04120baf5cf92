import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/server.js';

const run = promisify(execFile);
const prismaCli = join(repoRoot, 'node_modules/prisma/build/index.js');
const adminUrl = () => process.env.TEST_POSTGRES_URL!;

async function prisma(args: string[], databaseUrl: string) {
  try {
    const { stdout, stderr } = await run(process.execPath, [prismaCli, ...args], {
      cwd: repoRoot,
      env: { ...process.env, DATABASE_URL: databaseUrl, PRISMA_HIDE_UPDATE_MESSAGE: '1' },
    });
    return { code: 0, output: `${stdout}${stderr}` };
  } catch (error) {
    const failure = error as { code: number; stdout: string; stderr: string };
    return { code: failure.code, output: `${failure.stdout}${failure.stderr}` };
  }
}

async function databases(): Promise<string[]> {
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  const { rows } = await client.query<{ datname: string }>('SELECT datname FROM pg_database');
  await client.end();
  return rows.map((row) => row.datname);
}

describe('PostgreSQL migrations through the WASM engine host', () => {
  it('replaying prisma/postgresql/migrations gives exactly the generated schema, and leaves no shadow database behind', async () => {
    const before = await databases();
    const result = await prisma(
      ['migrate', 'diff', '--from-migrations', 'prisma/postgresql/migrations', '--to-schema', 'prisma/postgresql/schema.prisma', '--exit-code'],
      adminUrl(),
    );
    expect(result.output).not.toMatch(/error/i);
    expect(result.code).toBe(0);
    // Other test files create and drop their own databases (all named tf_…) meanwhile: any other new one is a leftover shadow database.
    const appeared = (await databases()).filter((name) => !before.includes(name) && !name.startsWith('tf_'));
    expect(appeared).toEqual([]);
  });

  it('db:migrate creates a missing database, applies every migration, and is then a no-op', async () => {
    const url = new URL(adminUrl());
    url.pathname = `/tf_deploy_${randomBytes(4).toString('hex')}`;
    const first = await prisma(['migrate', 'deploy'], url.toString());
    expect(first.code).toBe(0);
    expect(first.output).toMatch(/successfully applied/i);

    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    const { rows } = await client.query<{ tablename: string }>("SELECT tablename FROM pg_tables WHERE schemaname = 'public'");
    const { rows: indexes } = await client.query<{ indexdef: string }>("SELECT indexdef FROM pg_indexes WHERE tablename = 'task'");
    await client.end();
    expect(rows.map((row) => row.tablename)).toEqual(
      expect.arrayContaining(['_prisma_migrations', 'account', 'jwks', 'session', 'task', 'user', 'verification']),
    );
    expect(indexes.map((index) => index.indexdef).join('\n')).toMatch(/"userId", "createdAt" DESC, id DESC/);

    const second = await prisma(['migrate', 'deploy'], url.toString());
    expect(second.code).toBe(0);
    expect(second.output).toMatch(/No pending migrations/i);
  });
});
