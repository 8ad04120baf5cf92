import cluster from 'node:cluster';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Server as NetServer, type Socket } from 'node:net';
import { createApp } from './app.js';
import type { Config } from '../config.js';
import { createDatabase, type Database } from '../db/client.js';
import { isDatabaseUpToDate, migrateDatabase } from '../db/migrate.js';
import { log, summarizeError } from '../log.js';
import { renderMetrics, startProcessMetrics } from '../observability/metrics.js';

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
 * Serves the app until SIGTERM/SIGINT, then shuts down gracefully (see `shutDownGracefully`).
 */
export async function serve(config: Config, { migrate }: { migrate: boolean }): Promise<Server> {
  const db = await openDatabase(config, { migrate });
  const app = createApp({ config, db });
  await app.warmUp();
  const { keepAliveTimeoutMs, headersTimeoutMs, requestTimeoutMs } = config.http;
  // maxHeaderSize: 16 KiB of headers at most (431 above); headers/request timeouts bound slow
  // clients; keep-alive outlives the proxies' idle timeouts so the proxy, not us, closes first.
  const server = createServer(
    { requestTimeout: requestTimeoutMs, headersTimeout: headersTimeoutMs, keepAliveTimeout: keepAliveTimeoutMs, maxHeaderSize: 16 * 1024 },
    app.handle,
  );
  const connections = trackConnections(server);

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
  const shutdown = (signal: NodeJS.Signals) => {
    if (shuttingDown) return;
    shuttingDown = true;
    // Ctrl-C at a terminal: no load balancer to wait for.
    const drainDelayMs = signal === 'SIGINT' ? 0 : config.http.shutdownDrainDelayMs;
    metricsServer?.close();
    void shutDownGracefully(server, connections, {
      signal,
      drainDelayMs,
      timeoutMs: config.http.shutdownTimeoutMs,
      onDrain: app.drain,
    })
      .then((clean) => db.$disconnect().then(() => clean))
      .then((clean) => process.exit(clean ? 0 : 1));
  };
  // A bug in one request must not take down every other: log it and keep serving.
  process.on('unhandledRejection', (reason) => {
    log.error({ err: summarizeError(reason) }, 'unhandled rejection');
  });
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  return server;
}

export interface ShutdownOptions {
  signal: NodeJS.Signals;
  /** How long to keep accepting (with /readyz at 503) before closing the listener. */
  drainDelayMs: number;
  /** From the signal: connections still open after this are cut and the result is `false`. */
  timeoutMs: number;
  /** Turns /readyz to 503 and makes every later response carry `Connection: close`. */
  onDrain: () => void;
}

/**
 * The SIGTERM sequence. 1. Drain: keep accepting for `drainDelayMs` while /readyz says 503, so
 * the load balancer stops routing here without a single refused connection; every response
 * now says `Connection: close`. 2. Stop accepting: close the listener (later connections are
 * refused by the kernel, never reset), close keep-alive connections that sit idle between
 * requests, and let every request already received finish.
 *
 * Node's own `server.close()` is not used: it also destroys connections that were accepted but
 * whose first request has not been read yet (a burst right at the close), which resets them.
 * Such a connection is left open here: its request is answered with `Connection: close`. One
 * that has sent nothing at all for SILENT_CONNECTION_GRACE_MS since it was accepted is closed
 * (a preconnect, or a client holding the process up); one that sent part of a request is left
 * to HTTP_HEADERS_TIMEOUT / HTTP_REQUEST_TIMEOUT, as any slow client.
 * Resolves `true` once the last connection is closed, `false` if `timeoutMs` ran out first.
 */
export function shutDownGracefully(server: Server, connections: ConnectionTracker, options: ShutdownOptions): Promise<boolean> {
  const startedAt = Date.now();
  options.onDrain();
  log.info({ signal: options.signal, drainDelayMs: options.drainDelayMs }, `${options.signal}: draining, finishing in-flight requests`);
  return new Promise((resolve) => {
    let idleSweep: NodeJS.Timeout | undefined;
    const deadline = setTimeout(() => {
      clearInterval(idleSweep);
      log.error({ timeoutMs: options.timeoutMs }, 'shutdown timed out with requests still running; closing them');
      server.closeAllConnections();
      resolve(false);
    }, options.timeoutMs);
    deadline.unref();
    // Closing the listener resets connections still in the kernel's accept queue (a busy event
    // loop leaves them there): close right after a poll phase, which accepts all it can, so only
    // connections arriving within that one loop turn can still be reset.
    setTimeout(
      () =>
        setImmediate(() => {
          NetServer.prototype.close.call(server, () => {
            clearTimeout(deadline);
            clearInterval(idleSweep);
            log.info({ durationMs: Date.now() - startedAt }, 'stopped: every connection answered and closed');
            resolve(true);
          });
          // A response started before the drain may still say keep-alive: close such a connection
          // as soon as it is idle again; and a connection silent since it was accepted, once past its grace.
          connections.closeIdle();
          // After a poll phase, like the close: bytes that arrived while the loop was busy are read
          // first, so a connection is never taken for idle or silent while its request waits unread.
          idleSweep = setInterval(() => setImmediate(connections.closeIdle), 50);
        }),
      options.drainDelayMs,
    );
  });
}

/**
 * How long a connection may stay silent after it was accepted, once the listener is closed,
 * before shutdown closes it. A client sends its request as soon as it has connected: the grace
 * covers one accepted while the event loop was busy, whose bytes Node has not read yet.
 */
export const SILENT_CONNECTION_GRACE_MS = 1500;

const ACTIVE = Symbol('activeRequests');
const SERVED = Symbol('servedRequests');
const ACCEPTED_AT = Symbol('acceptedAt');
type TrackedSocket = Socket & { [ACTIVE]?: number; [SERVED]?: number; [ACCEPTED_AT]?: number };

export interface ConnectionTracker {
  /**
   * Closes the connections that sit idle between requests (served one, none running), and those
   * that have not sent a byte within SILENT_CONNECTION_GRACE_MS of being accepted.
   */
  closeIdle: () => void;
}

/** Call right after creating the server, so that every connection is tracked. */
export function trackConnections(server: Server): ConnectionTracker {
  const sockets = new Set<TrackedSocket>();
  const track = (socket: TrackedSocket) => {
    if (sockets.has(socket)) return;
    sockets.add(socket);
    socket[ACCEPTED_AT] ??= performance.now();
    socket.once('close', () => sockets.delete(socket));
  };
  server.on('connection', track);
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const socket = request.socket as TrackedSocket;
    track(socket);
    socket[ACTIVE] = (socket[ACTIVE] ?? 0) + 1;
    response.once('close', () => {
      socket[ACTIVE] = (socket[ACTIVE] ?? 1) - 1;
      socket[SERVED] = (socket[SERVED] ?? 0) + 1;
    });
  });
  const isIdleBetweenRequests = (socket: TrackedSocket) => Boolean(socket[SERVED]) && !socket[ACTIVE];
  const isSilentPastGrace = (socket: TrackedSocket, now: number) =>
    !socket[SERVED] && !socket[ACTIVE] && socket.bytesRead === 0 && now - (socket[ACCEPTED_AT] ?? now) >= SILENT_CONNECTION_GRACE_MS;
  return {
    closeIdle: () => {
      const now = performance.now();
      for (const socket of sockets) if (isIdleBetweenRequests(socket) || isSilentPastGrace(socket, now)) socket.destroy();
    },
  };
}
