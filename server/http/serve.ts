import { createServer, type Server } from 'node:http';
import { createApp } from './app.js';
import type { Config } from '../config.js';
import { createDatabase, type Database } from '../db/client.js';
import { isDatabaseUpToDate, migrateDatabase } from '../db/migrate.js';

const SHUTDOWN_TIMEOUT_MS = 10_000;

export function describeDatabase(config: Config): string {
  if (config.databaseProvider === 'sqlite') return `SQLite ${config.databaseUrl.slice('file:'.length)}`;
  const url = new URL(config.databaseUrl);
  return `PostgreSQL ${url.hostname}:${url.port || 5432}${url.pathname}`; // no credentials in logs
}

/** Opens the database, applying committed migrations first when any is pending. */
export async function openDatabase(config: Config, { migrate }: { migrate: boolean }): Promise<Database> {
  const db = await createDatabase(config);
  if (!migrate || (await isDatabaseUpToDate(db, config.databaseProvider))) return db;
  await db.$disconnect();
  await migrateDatabase(config.databaseUrl);
  return createDatabase(config);
}

/**
 * Serves the app until SIGTERM/SIGINT, then shuts down gracefully: /readyz turns 503, the
 * listener stops accepting, in-flight requests finish, and the database pool closes.
 */
export async function serve(config: Config, { migrate }: { migrate: boolean }): Promise<Server> {
  const db = await openDatabase(config, { migrate });
  const app = createApp({ config, db });
  await app.warmUp();
  // maxHeaderSize: 16 KiB of headers at most (431 above); timeouts bound slow clients.
  const server = createServer(
    { requestTimeout: 30_000, headersTimeout: 15_000, keepAliveTimeout: 5_000, maxHeaderSize: 16 * 1024 },
    app.handle,
  );

  await new Promise<void>((resolve) => server.listen(config.port, config.host, resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  console.log(
    `[taskfort] ${config.role} node listening on http://${config.host}:${port} (pid ${process.pid}, ${describeDatabase(config)})`,
  );

  let shuttingDown = false;
  const shutdown = (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    console.log(`[taskfort] ${signal}: draining, finishing in-flight requests (pid ${process.pid})`);
    app.drain();
    server.close(() => {
      void db.$disconnect().finally(() => process.exit(0));
    });
    server.closeIdleConnections();
    setTimeout(() => {
      console.error('[taskfort] shutdown timed out; exiting');
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS).unref();
  };
  // A bug in one request must not take down every other: log it and keep serving.
  process.on('unhandledRejection', (reason) => {
    console.error(`[taskfort] unhandled rejection: ${reason instanceof Error ? reason.message.split('\n')[0] : String(reason)}`);
  });
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  return server;
}
