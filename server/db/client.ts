import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaClient } from '../generated/prisma/client.js';
import { sqlitePathOf, type Config } from '../config.js';
import { withSqlStats } from './sqlStats.js';

export type Database = PrismaClient;

async function createPostgresClient(databaseUrl: string, poolSize: number, sqlStats: boolean): Promise<PrismaClient> {
  // The PostgreSQL client is generated from the same data model, so its API is identical.
  const [{ PrismaClient: PostgresPrismaClient }, { PrismaPg }] = await Promise.all([
    import('../generated/prisma-postgresql/client.js'),
    import('@prisma/adapter-pg'),
  ]);
  const adapter = withSqlStats(new PrismaPg({
    connectionString: databaseUrl,
    max: poolSize,
    // Fail fast when PostgreSQL is down (SERVICE_UNAVAILABLE) instead of hanging requests.
    connectionTimeoutMillis: 2000,
    idleTimeoutMillis: 30_000,
    query_timeout: 15_000,
  }), sqlStats);
  return new PostgresPrismaClient({ adapter }) as unknown as PrismaClient;
}

async function createSqliteClient(databaseUrl: string, sqlStats: boolean): Promise<PrismaClient> {
  const path = sqlitePathOf(databaseUrl);
  mkdirSync(dirname(path), { recursive: true });
  const client = new PrismaClient({
    adapter: withSqlStats(new PrismaBetterSqlite3({ url: path, timeout: 5000 }), sqlStats),
  });
  // WAL lets readers proceed during a write; synchronous=FULL makes every acknowledged
  // commit durable across a power loss or SIGKILL (NORMAL could lose the last commits).
  await client.$queryRawUnsafe('PRAGMA journal_mode = WAL');
  await client.$executeRawUnsafe('PRAGMA synchronous = FULL');
  await client.$executeRawUnsafe('PRAGMA foreign_keys = ON');
  return client;
}

export function createDatabase(
  config: Pick<Config, 'databaseUrl' | 'databaseProvider'> & Partial<Pick<Config, 'databasePoolSize' | 'sqlStats'>>,
): Promise<PrismaClient> {
  const sqlStats = config.sqlStats ?? false;
  return config.databaseProvider === 'postgresql'
    ? createPostgresClient(config.databaseUrl, config.databasePoolSize ?? 10, sqlStats)
    : createSqliteClient(config.databaseUrl, sqlStats);
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
