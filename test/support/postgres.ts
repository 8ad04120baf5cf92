import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { freePort } from './server.js';

const BIN_DIR = process.env.POSTGRES_BIN_DIR ?? '/usr/local/bin';
const OS_USER = 'postgres';

export const postgresBinariesAvailable = () => existsSync(join(BIN_DIR, 'pg_ctl')) && existsSync(join(BIN_DIR, 'initdb'));

const isRoot = () => process.getuid?.() === 0;

/** PostgreSQL refuses to run as root: run its programs as the `postgres` user then. */
function runPostgresTool(tool: string, args: string[]) {
  const command = isRoot() ? 'runuser' : join(BIN_DIR, tool);
  const commandArgs = isRoot() ? ['-u', OS_USER, '--', join(BIN_DIR, tool), ...args] : args;
  const result = spawnSync(command, commandArgs, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${tool} ${args.join(' ')} failed:\n${result.stdout}\n${result.stderr}`);
}

export interface ThrowawayPostgres {
  /** Superuser URL of the maintenance database; tests create their own databases from it. */
  url: string;
  port: number;
  stop: () => void;
  /** Stops the server but keeps its data, so `start` can bring it back (outage tests). */
  pause: () => void;
  start: () => void;
}

/** initdb + pg_ctl in a temp dir on a free loopback port; trust auth, no fsync (test data only; commits still reach the OS before they are acknowledged, so a killed server loses nothing). */
export async function startThrowawayPostgres(): Promise<ThrowawayPostgres> {
  if (isRoot() && spawnSync('id', ['-u', OS_USER]).status !== 0) execFileSync('useradd', ['--system', '--no-create-home', OS_USER]);
  const dataDir = mkdtempSync(join(tmpdir(), 'taskfort-pg-'));
  chmodSync(dataDir, 0o777);
  const clusterDir = join(dataDir, 'cluster');
  const port = await freePort();
  if (isRoot()) execFileSync('chown', [OS_USER, dataDir]);
  runPostgresTool('initdb', ['-D', clusterDir, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8']);
  const options = `-p ${port} -k ${dataDir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=300`;
  const start = () => runPostgresTool('pg_ctl', ['-D', clusterDir, '-o', options, '-l', join(dataDir, 'server.log'), '-w', 'start']);
  const pause = () => runPostgresTool('pg_ctl', ['-D', clusterDir, '-m', 'immediate', '-w', 'stop']);
  start();
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    port,
    start,
    pause,
    stop: () => {
      try {
        runPostgresTool('pg_ctl', ['-D', clusterDir, '-m', 'fast', '-w', 'stop']);
      } catch {
        // already stopped
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A database name derived from a test's data directory, so servers sharing a dir share a database. */
export function postgresUrlFor(adminUrl: string, dataDir: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/tf_${basename(dataDir)
    .replace(/[^a-zA-Z0-9]/g, '_')
    .toLowerCase()}`;
  return url.toString();
}
