import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { resolve } from 'node:path';
import { createApp } from './app.js';
import { loadConfig, repoRoot } from './config.js';
import { createDatabase } from './db.js';
import { isDatabaseUpToDate, migrateDatabase } from './migrate.js';

const envFile = resolve(repoRoot, '.env');
if (existsSync(envFile)) process.loadEnvFile(envFile);

const config = loadConfig();
let db = await createDatabase(config);
if (!(await isDatabaseUpToDate(db, config.databaseProvider))) {
  await db.$disconnect();
  await migrateDatabase(config.databaseUrl);
  db = await createDatabase(config);
}
const server = createServer(createApp({ config, db }));

server.listen(config.port, config.host, () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  console.log(`[taskfort] listening on http://${config.host}:${port} (GraphQL at /graphql, auth at /api/auth)`);
});

let shuttingDown = false;
function shutdown(signal: string) {
  if (shuttingDown) return;
  shuttingDown = true;
  console.log(`[taskfort] ${signal}: finishing in-flight requests`);
  server.close(() => {
    void db.$disconnect().finally(() => process.exit(0));
  });
  server.closeIdleConnections();
  setTimeout(() => process.exit(1), 10_000).unref();
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
