import { copyFileSync, existsSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ApiClient } from '../support/client.js';
import { runCli } from '../support/cli.js';
import { startServer, tempDataDir, testDatabaseUrl } from '../support/server.js';

const CREATE = 'mutation ($input: CreateTaskInput!) { createTask(input: $input) { id } }';
const TITLES = 'query { tasks(first: 100) { edges { node { title } } pageInfo { hasNextPage endCursor } } }';
const onPostgres = process.env.TEST_DATABASE === 'postgresql';

describe.skipIf(onPostgres)('npm run backup / restore (SQLite)', { timeout: 240_000 }, () => {
  it('backs up during a burst of writes; restore refuses while the server runs, then the server starts on the restored file', async () => {
    const dataDir = tempDataDir();
    const secret = 'a-fixed-secret-for-the-backup-test-0123456789';
    const env = { DATABASE_URL: testDatabaseUrl(dataDir) };
    const first = await startServer({ dataDir, env: { BETTER_AUTH_SECRET: secret }, readyTimeoutMs: 180_000 });
    const api = new ApiClient(first.url);
    const user = await api.createUser();

    const acknowledged: string[] = [];
    let writing = true;
    const writer = async (lane: number) => {
      for (let i = 0; writing; i++) {
        const title = `lane ${lane} #${i}`;
        const response = await api.graphql(CREATE, { input: { title } }, { token: user.jwt });
        if (response.status === 200 && response.data?.createTask) acknowledged.push(title);
      }
    };
    const writers = Array.from({ length: 4 }, (_v, lane) => writer(lane));
    while (acknowledged.length < 20) await new Promise((r) => setTimeout(r, 20));
    const acknowledgedBeforeBackup = [...acknowledged];
    const backupFile = join(tempDataDir('taskfort-backup-'), 'snapshot.db');
    const backup = await runCli('backup', [backupFile], { env });
    const acknowledgedBeforeBackupEnded = acknowledged.length;
    writing = false;
    await Promise.all(writers);
    expect(backup.code, backup.stderr).toBe(0);
    expect(backup.stdout).toMatch(/integrity_check ok/);
    expect(existsSync(backupFile)).toBe(true);

    const whileRunning = await runCli('restore', [backupFile], { env });
    expect(whileRunning.code).toBe(1);
    expect(whileRunning.stderr).toMatch(/in use .* stop the server first/);

    expect(await first.stop()).toBe(0);
    const restore = await runCli('restore', [backupFile], { env });
    expect(restore.code, restore.stderr).toBe(0);
    expect(restore.stdout).toMatch(/restored .* the replaced database is kept at/);

    const second = await startServer({ dataDir, env: { BETTER_AUTH_SECRET: secret }, readyTimeoutMs: 180_000 });
    try {
      const api2 = new ApiClient(second.url);
      const token = await api2.jwtFor(user.sessionToken);
      const titles: string[] = [];
      let after: string | null = null;
      for (;;) {
        const page = await api2.graphql(after ? TITLES.replace('first: 100', `first: 100, after: "${after}"`) : TITLES, {}, { token });
        const tasks = page.data!.tasks as { edges: { node: { title: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string } };
        titles.push(...tasks.edges.map((edge) => edge.node.title));
        if (!tasks.pageInfo.hasNextPage) break;
        after = tasks.pageInfo.endCursor;
      }
      for (const title of acknowledgedBeforeBackup) expect(titles).toContain(title);
      expect(titles.length).toBeLessThanOrEqual(acknowledgedBeforeBackupEnded + 4); // + requests in flight
      expect(titles.length).toBeLessThan(acknowledged.length + 1);
      console.log(
        `[backup] acknowledged before backup ${acknowledgedBeforeBackup.length}, in backup ${titles.length}, acknowledged in all ${acknowledged.length}`,
      );
    } finally {
      await second.stop();
    }
  });
  it("restores a copy of a running server's files with the transactions still in its -wal, and leaves that copy as it was", async () => {
    const dataDir = tempDataDir();
    const env = { DATABASE_URL: testDatabaseUrl(dataDir) };
    const server = await startServer({ dataDir, readyTimeoutMs: 180_000 });
    const api = new ApiClient(server.url);
    const user = await api.createUser();
    for (const title of ['one', 'two', 'three']) await api.graphql(CREATE, { input: { title } }, { token: user.jwt });
    expect(await server.stop()).toBe(0);

    // What a volume snapshot (or `cp -a data/`) of a live server holds: committed changes that are
    // only in the -wal, not yet checkpointed into the main file.
    const live = testDatabaseUrl(dataDir).slice('file:'.length);
    const snapshot = join(tempDataDir('taskfort-snapshot-'), 'taskfort.db');
    const writer = new Database(live);
    try {
      writer.pragma('wal_autocheckpoint = 0');
      writer.prepare(`UPDATE "task" SET "title" = 'renamed before the snapshot: ' || "title"`).run();
      for (const suffix of ['', '-wal', '-shm']) copyFileSync(`${live}${suffix}`, `${snapshot}${suffix}`);
    } finally {
      writer.close();
    }
    const walBytes = statSync(`${snapshot}-wal`).size;
    expect(walBytes).toBeGreaterThan(0);

    const restore = await runCli('restore', [snapshot], { env });
    expect(restore.code, restore.stderr).toBe(0);
    const restored = new Database(live, { readonly: true });
    try {
      const titles = (restored.prepare('SELECT "title" FROM "task" ORDER BY "title"').all() as { title: string }[]).map((row) => row.title);
      expect(titles).toEqual(['renamed before the snapshot: one', 'renamed before the snapshot: three', 'renamed before the snapshot: two']);
    } finally {
      restored.close();
    }
    expect(statSync(`${snapshot}-wal`).size).toBe(walBytes);
  });
});

describe('npm run backup on PostgreSQL', { timeout: 60_000 }, () => {
  it('points at pg_dump and exits non-zero', async () => {
    const result = await runCli('backup', ['/tmp/never-written.db'], { env: { DATABASE_URL: 'postgresql://taskfort@127.0.0.1:1/taskfort' } });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^backup: DATABASE_URL is PostgreSQL: use pg_dump/);
  });
});
