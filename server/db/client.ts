import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaClient } from '../generated/prisma/client.js';
import { sqlitePathOf, type Config } from '../config.js';
import { withSqlStats } from './sqlStats.js';
import { withStatementCache } from './statementCache.js';
import { withGroupCommit } from './groupCommit.js';
import { rememberAdapter } from './rawRows.js';
import { preparedStatementNames } from './preparedStatements.js';
import { libraryLog, log, summarizeError } from '../log.js';
import { reportDatabasePool } from '../observability/metrics.js';

export type Database = PrismaClient;

/** Prisma's own warnings and errors arrive as events and go through pino, one summarised line each. */
const PRISMA_LOG = [
  { emit: 'event', level: 'warn' },
  { emit: 'event', level: 'error' },
] as const;

interface PrismaLogEvent {
  message: string;
  target?: string;
}

function routePrismaLog(client: { $on: (event: 'warn' | 'error', listener: (event: PrismaLogEvent) => void) => void }) {
  const write = libraryLog('prisma');
  client.$on('warn', (event) => write('warn', event.message));
  // Every Prisma error is also thrown to its caller, which logs it when it is unexpected (Yoga's
  // masked errors, failed auth requests); at error level this would also report expected ones
  // such as the probe for the migrations table on a fresh database.
  client.$on('error', (event) => write('debug', event.message));
}

async function createPostgresClient(databaseUrl: string, poolSize: number, sqlStats: boolean, preparedStatements: boolean): Promise<PrismaClient> {
  // The PostgreSQL client is generated from the same data model, so its API is identical.
  const [{ PrismaClient: PostgresPrismaClient }, { PrismaPg }, { default: pg }] = await Promise.all([
    import('../generated/prisma-postgresql/client.js'),
    import('@prisma/adapter-pg'),
    import('pg'),
  ]);
  // Our own pool (closed with the client) so its in-use/idle/waiting counts reach /metrics.
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: poolSize,
    // Fail fast when PostgreSQL is down (SERVICE_UNAVAILABLE) instead of hanging requests.
    connectionTimeoutMillis: 2000,
    idleTimeoutMillis: 30_000,
    query_timeout: 15_000,
  });
  const poolErrors = libraryLog('pg');
  const adapter = rememberAdapter(
    withSqlStats(
      new PrismaPg(pool, {
        disposeExternalPool: true,
        onPoolError: (error) => poolErrors('warn', 'idle connection error', error),
        // The task writes as named statements (db/preparedStatements.ts); everything else unnamed.
        ...(preparedStatements ? { statementNameGenerator: preparedStatementNames() } : {}),
      }),
      sqlStats,
    ),
    'text',
  );
  reportDatabasePool(() => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }));
  const client = new PostgresPrismaClient({ adapter: adapter.factory, log: [...PRISMA_LOG] });
  adapter.attach(client);
  routePrismaLog(client);
  return client as unknown as PrismaClient;
}

/**
 * The database holds session tokens, password hashes and unused reset tokens: only its owner may
 * read it, whatever the umask. A directory made here is 0700; the file is created 0600 before
 * SQLite opens it (SQLite gives -wal and -shm the mode of the database file), and files an older
 * version left readable are restricted now. An existing directory is left as it is: it may be
 * shared (/var/lib, a home directory), and with the files at 0600 it shows only their names.
 */
function restrictSqliteFiles(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  closeSync(openSync(path, 'a', 0o600));
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    if (!existsSync(file)) continue;
    try {
      chmodSync(file, 0o600);
    } catch (error) {
      // Another user's file that this one may write (a shared group): serve, but say so.
      log.warn({ file, err: summarizeError(error) }, 'could not make the database file readable by its owner only (chmod 600)');
    }
  }
}

async function createSqliteClient(databaseUrl: string, sqlStats: boolean, groupCommit: boolean): Promise<PrismaClient> {
  const path = sqlitePathOf(databaseUrl);
  if (path !== ':memory:') restrictSqliteFiles(path);
  // The adapter prepares every statement anew; reuse one compiled statement per SQL text.
  const cached = withStatementCache(new PrismaBetterSqlite3({ url: path, timeout: 5000 }));
  // With synchronous=FULL each commit waits for an fsync: writes arriving together share one.
  const factory = groupCommit ? withGroupCommit(cached) : cached;
  const adapter = rememberAdapter(withSqlStats(factory, sqlStats), 'sql');
  const client = new PrismaClient({ adapter: adapter.factory, log: [...PRISMA_LOG] });
  adapter.attach(client);
  routePrismaLog(client);
  // WAL lets readers proceed during a write; synchronous=FULL makes every acknowledged
  // commit durable across a power loss or SIGKILL (NORMAL could lose the last commits).
  await client.$queryRawUnsafe('PRAGMA journal_mode = WAL');
  await client.$executeRawUnsafe('PRAGMA synchronous = FULL');
  await client.$executeRawUnsafe('PRAGMA foreign_keys = ON');
  return client;
}

export function createDatabase(
  config: Pick<Config, 'databaseUrl' | 'databaseProvider'> &
    Partial<Pick<Config, 'databasePoolSize' | 'sqlStats' | 'databasePreparedStatements' | 'databaseGroupCommit'>>,
): Promise<PrismaClient> {
  const sqlStats = config.sqlStats ?? false;
  return config.databaseProvider === 'postgresql'
    ? createPostgresClient(config.databaseUrl, config.databasePoolSize ?? 10, sqlStats, config.databasePreparedStatements ?? true)
    : createSqliteClient(config.databaseUrl, sqlStats, config.databaseGroupCommit ?? true);
}

/** Whether the database answers a trivial query within `timeoutMs`. */
export async function isDatabaseReachable(db: PrismaClient, timeoutMs = 1000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([db.$queryRaw`SELECT 1`.then(() => true), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
