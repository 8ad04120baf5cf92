// Writes prisma/postgresql/schema.prisma from prisma/schema.prisma: Prisma wants one
// provider per schema, so the PostgreSQL schema is derived, never edited by hand.
// test/prisma/schemas.test.ts fails when the committed copy drifts.
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

const prismaDir = resolve(import.meta.dirname, '../../prisma');
export const sqliteSchemaPath = resolve(prismaDir, 'schema.prisma');
export const postgresSchemaPath = resolve(prismaDir, 'postgresql/schema.prisma');

function replaceOnce(source: string, pattern: RegExp, replacement: string): string {
  if (!pattern.test(source)) throw new Error(`prisma/schema.prisma no longer matches ${pattern}`);
  return source.replace(pattern, replacement);
}

export function postgresSchemaFrom(sqliteSchema: string): string {
  let schema = sqliteSchema;
  schema = replaceOnce(schema, /^\/\/ The single Taskfort data model[^\n]*\n(\/\/[^\n]*\n)*/m, '');
  // Pothos types describe the model, which is the same for both providers: generate them once.
  schema = replaceOnce(schema, /generator pothos \{[^}]*\}\n\n/, '');
  schema = replaceOnce(schema, /output(\s*)= "\.\.\/server\/generated\/prisma"/, 'output$1= "../../server/generated/prisma-postgresql"');
  schema = replaceOnce(schema, /provider = "sqlite"/, 'provider = "postgresql"');
  return `// GENERATED from ../schema.prisma by server/scripts/generate-postgres-schema.ts: do not edit.\n// Run \`npm run db:generate\` after changing the data model.\n\n${schema.trimStart()}`;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  writeFileSync(postgresSchemaPath, postgresSchemaFrom(readFileSync(sqliteSchemaPath, 'utf8')));
  console.log(`Wrote ${postgresSchemaPath}`);
}
