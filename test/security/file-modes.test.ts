// Review 4, finding 1: the SQLite file holds session tokens, password hashes and open reset
// tokens, so neither it, its -wal and -shm, its directory, nor a backup may be readable by
// another local user, whatever the umask says.
import { chmodSync, existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../support/client.js';
import { runCli } from '../support/cli.js';
import { startServer, tempDataDir } from '../support/server.js';

const modeOf = (path: string) => (statSync(path).mode & 0o777).toString(8);
const onPostgres = process.env.TEST_DATABASE === 'postgresql';

describe.skipIf(onPostgres)('SQLite file modes', { timeout: 300_000 }, () => {
  // The common default: without the fix, files come out 0644 and directories 0755.
  let umask: number;
  beforeAll(() => {
    umask = process.umask(0o022);
  });
  afterAll(() => {
    process.umask(umask);
  });

  const dataDir = join(tempDataDir(), 'nested', 'data');
  const databaseFile = join(dataDir, 'taskfort.db');
  // One secret for both starts: it decrypts the signing keys stored in the database.
  const env = { DATABASE_URL: `file:${databaseFile}`, BETTER_AUTH_SECRET: 'a-fixed-secret-for-the-file-modes-test-0123456789' };

  it('the server creates the data directory 0700 and the database, -wal and -shm 0600', async () => {
    const server = await startServer({ env, readyTimeoutMs: 180_000 });
    try {
      await new ApiClient(server.url).createUser();
      expect(modeOf(dataDir)).toBe('700');
      expect(modeOf(dirname(dataDir))).toBe('700');
      for (const suffix of ['', '-wal', '-shm']) expect(modeOf(`${databaseFile}${suffix}`), `taskfort.db${suffix}`).toBe('600');
    } finally {
      await server.stop();
    }
  });

  it('restricts an existing database, -wal and -shm to their owner at start', async () => {
    // Left by an older version, or copied in by hand.
    for (const suffix of ['', '-wal', '-shm']) if (existsSync(`${databaseFile}${suffix}`)) chmodSync(`${databaseFile}${suffix}`, 0o644);
    const server = await startServer({ env, readyTimeoutMs: 180_000 });
    try {
      await new ApiClient(server.url).createUser();
      for (const suffix of ['', '-wal', '-shm']) expect(modeOf(`${databaseFile}${suffix}`), `taskfort.db${suffix}`).toBe('600');
    } finally {
      await server.stop();
    }
  });

  it('npm run backup writes 0600; npm run restore leaves the restored database and the kept one 0600', async () => {
    const backupFile = join(tempDataDir('taskfort-backup-'), 'snapshot.db');
    const backup = await runCli('backup', [backupFile], { env });
    expect(backup.code, backup.stderr).toBe(0);
    expect(modeOf(backupFile)).toBe('600');

    // A backup made before this fix, and a database an older version created.
    chmodSync(backupFile, 0o644);
    chmodSync(databaseFile, 0o644);
    const restore = await runCli('restore', [backupFile], { env });
    expect(restore.code, restore.stderr).toBe(0);
    expect(modeOf(databaseFile)).toBe('600');
    const kept = readdirSync(dataDir).filter((name) => name.startsWith('taskfort.db.before-restore-'));
    expect(kept).toHaveLength(1);
    expect(modeOf(join(dataDir, kept[0]!))).toBe('600');
  });
});
