import cluster from 'node:cluster';
import { createServer, type Server } from 'node:http';
import { createApp } from './app.js';
import type { Config } from '../config.js';
import { createDatabase, type Database } from '../db/client.js';
import { isDatabaseUpToDate, migrateDatabase } from '../db/migrate.js';
import { log, summarizeError } from '../log.js';
import { renderMetrics, startProcessMetrics } from '../observability/metrics.js';

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
 * METRICS_PORT: a listener on 127.0.0.1 only (never the public interface) that serves
 * GET /metrics without a token, for a Prometheus on the same machine or through a tunnel.
 */
export async function serveMetricsPort(port: number, render: () => Promise<{ body: string; contentType: string }>): Promise<Server> {
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (path !== '/metrics' || (request.method !== 'GET' && request.method !== 'HEAD')) {
      response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('not found\n');
      return;
    }
    render().then(
      ({ body, contentType }) => response.writeHead(200, { 'Content-Type': contentType, 'Cache-Control': 'no-store' }).end(body),
      () => response.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8' }).end('metrics unavailable\n'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  server.unref();
  log.info({ port }, `metrics on http://127.0.0.1:${port}/metrics`);
  return server;
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
  log.info(
    { role: config.role, url: `http://${config.host}:${port}`, database: describeDatabase(config) },
    `${config.role} node listening on http://${config.host}:${port} (pid ${process.pid}, ${describeDatabase(config)})`,
  );
  if (config.metricsToken || config.metricsPort) startProcessMetrics();
  // In a cluster the primary serves METRICS_PORT for every worker.
  const metricsServer = config.metricsPort && !cluster.isWorker ? await serveMetricsPort(config.metricsPort, renderMetrics) : undefined;

  let shuttingDown = false;
  const shutdown = (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    log.info({ signal }, `${signal}: draining, finishing in-flight requests (pid ${process.pid})`);
    app.drain();
    metricsServer?.close();
    server.close(() => {
      void db.$disconnect().finally(() => process.exit(0));
    });
    server.closeIdleConnections();
    setTimeout(() => {
      log.error('shutdown timed out; exiting');
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS).unref();
  };
  // A bug in one request must not take down every other: log it and keep serving.
  process.on('unhandledRejection', (reason) => {
    log.error({ err: summarizeError(reason) }, 'unhandled rejection');
  });
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  return server;
}
