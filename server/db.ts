import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaClient } from './generated/prisma/client.js';
import { sqlitePathOf, type Config } from './config.js';

export type Database = PrismaClient;

async function createPostgresClient(databaseUrl: string): Promise<PrismaClient> {
  // The PostgreSQL client is generated from the same data model, so its API is identical.
  const [{ PrismaClient: PostgresPrismaClient }, { PrismaPg }] = await Promise.all([
    import('./generated/prisma-postgresql/client.js'),
    import('@prisma/adapter-pg'),
  ]);
  return new PostgresPrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl }) }) as unknown as PrismaClient;
}

async function createSqliteClient(databaseUrl: string): Promise<PrismaClient> {
  const path = sqlitePathOf(databaseUrl);
  mkdirSync(dirname(path), { recursive: true });
  const client = new PrismaClient({
    adapter: new PrismaBetterSqlite3({ url: path, timeout: 5000 }),
  });
  // WAL lets readers proceed during a write; synchronous=FULL makes every acknowledged
  // commit durable across a power loss or SIGKILL (NORMAL could lose the last commits).
  await client.$queryRawUnsafe('PRAGMA journal_mode = WAL');
  await client.$executeRawUnsafe('PRAGMA synchronous = FULL');
  await client.$executeRawUnsafe('PRAGMA foreign_keys = ON');
  return client;
}

export function createDatabase(config: Pick<Config, 'databaseUrl' | 'databaseProvider'>): Promise<PrismaClient> {
  return config.databaseProvider === 'postgresql'
    ? createPostgresClient(config.databaseUrl)
    : createSqliteClient(config.databaseUrl);
}
