// Prisma CLI configuration. The data model lives in prisma/schema.prisma (SQLite, the
// default); the PostgreSQL schema is generated from it (server/scripts/generate-postgres-schema.ts)
// and chosen when DATABASE_URL is a postgresql:// URL.
import { isAbsolute, resolve } from 'node:path';
import { defineConfig } from 'prisma/config';

const repoRoot = import.meta.dirname;

// Prisma's CLI downloads a native schema engine, which offline machines cannot reach. This
// host runs Prisma's own engine compiled to WebAssembly instead (specs/prisma-offline.md).
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= resolve(repoRoot, 'prisma/engine/schema-engine-host.mjs');

function databaseUrl(): string {
  const url = process.env.DATABASE_URL || 'file:./data/taskfort.db';
  if (!url.startsWith('file:')) return url;
  const path = url.slice('file:'.length);
  return isAbsolute(path) ? url : `file:${resolve(repoRoot, path)}`;
}

const url = databaseUrl();
const isPostgres = /^postgres(ql)?:\/\//i.test(url);

export default defineConfig({
  schema: isPostgres ? 'prisma/postgresql/schema.prisma' : 'prisma/schema.prisma',
  migrations: { path: isPostgres ? 'prisma/postgresql/migrations' : 'prisma/migrations' },
  datasource: {
    url,
    ...(process.env.SHADOW_DATABASE_URL ? { shadowDatabaseUrl: process.env.SHADOW_DATABASE_URL } : {}),
  },
});
