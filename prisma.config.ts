// Prisma CLI configuration. The data model lives in prisma/schema.prisma (SQLite, the
// default); the PostgreSQL schema is generated from it (server/scripts/generate-postgres-schema.ts)
// and chosen when DATABASE_URL is a postgresql:// URL.
import { resolve } from 'node:path';
import { defineConfig } from 'prisma/config';
import { databaseProviderOf, DEFAULT_DATABASE_URL, normalizeDatabaseUrl } from './server/config.js';

const repoRoot = import.meta.dirname;

// Prisma's CLI downloads a native schema engine, which offline machines cannot reach. This
// host runs Prisma's own engine compiled to WebAssembly instead (specs/prisma-offline.md).
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= resolve(repoRoot, 'prisma/engine/schema-engine-host.mjs');

// The same default and relative-path rule as the server (server/config.ts).
const url = normalizeDatabaseUrl(process.env.DATABASE_URL || DEFAULT_DATABASE_URL);
const isPostgres = databaseProviderOf(url) === 'postgresql';

export default defineConfig({
  schema: isPostgres ? 'prisma/postgresql/schema.prisma' : 'prisma/schema.prisma',
  migrations: { path: isPostgres ? 'prisma/postgresql/migrations' : 'prisma/migrations' },
  datasource: {
    url,
    ...(process.env.SHADOW_DATABASE_URL ? { shadowDatabaseUrl: process.env.SHADOW_DATABASE_URL } : {}),
  },
});
