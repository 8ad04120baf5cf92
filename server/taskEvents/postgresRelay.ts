import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { log } from '../log.js';
import { isTaskChange, type DeliverTaskChange, type TaskChangeRelay } from './taskChange.js';

export const TASK_CHANGES_CHANNEL = 'taskfort_task_changes';
const RECONNECT_MIN_MS = 100;
const RECONNECT_MAX_MS = 5_000;
const READY_TIMEOUT_MS = 5_000;

/**
 * Several ROLE=api nodes (and their workers) on PostgreSQL: LISTEN/NOTIFY on one dedicated
 * connection per process. After the connection drops (e.g. a database restart) it reconnects with
 * backoff and LISTENs again; changes committed while it was down are not replayed (at-most-once:
 * clients refetch after they reconnect).
 */
export function postgresRelay(connectionString: string, deliver: DeliverTaskChange): TaskChangeRelay {
  const origin = randomUUID();
  let client: pg.Client | undefined;
  let listening = false;
  let closed = false;
  let attempt = 0;
  let connecting: Promise<void> | undefined;
  let waiters: (() => void)[] = [];

  const scheduleReconnect = () => {
    if (closed) return;
    const delay = Math.min(RECONNECT_MAX_MS, RECONNECT_MIN_MS * 2 ** attempt) * (0.5 + Math.random() / 2);
    attempt++;
    setTimeout(() => void connect(), delay).unref();
  };

  const connect = async (): Promise<void> => {
    const next = new pg.Client({ connectionString, keepAlive: true, connectionTimeoutMillis: 2_000 });
    let failed = false;
    // 'error' and 'end' can both fire for one broken connection: reconnect once.
    const fail = (error: unknown) => {
      if (failed) return;
      failed = true;
      if (client === next) {
        client = undefined;
        listening = false;
        log.warn({ reason: error instanceof Error ? error.message : 'connection ended' }, 'task changes: LISTEN connection lost; reconnecting');
      }
      next.end().catch(() => {});
      scheduleReconnect();
    };
    next.on('notification', ({ channel, payload }) => {
      if (channel !== TASK_CHANGES_CHANNEL || !payload) return;
      let message: unknown;
      try {
        message = JSON.parse(payload);
      } catch {
        return;
      }
      const { origin: sender, ...change } = message as { origin?: unknown };
      if (sender !== origin && isTaskChange(change)) deliver(change);
    });
    next.on('error', fail);
    next.on('end', () => fail(undefined));
    try {
      await next.connect();
      await next.query(`LISTEN ${TASK_CHANGES_CHANNEL}`);
    } catch (error) {
      fail(error);
      return;
    }
    if (closed || failed) return void next.end().catch(() => {});
    client = next;
    listening = true;
    if (attempt > 0) log.info({ attempts: attempt }, 'task changes: listening again after reconnect');
    attempt = 0;
    for (const resolve of waiters) resolve();
    waiters = [];
  };

  const start = () => (connecting ??= connect());

  return {
    ready: () => {
      start();
      if (listening) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters = waiters.filter((waiter) => waiter !== done);
          reject(new Error('task change listener not connected'));
        }, READY_TIMEOUT_MS);
        const done = () => {
          clearTimeout(timer);
          resolve();
        };
        waiters.push(done);
      });
    },
    send: (change) => {
      start();
      if (!client || !listening) {
        log.warn({ kind: change.kind }, 'task changes: not connected to PostgreSQL; change not relayed to other nodes');
        return;
      }
      client.query('SELECT pg_notify($1, $2)', [TASK_CHANGES_CHANNEL, JSON.stringify({ ...change, origin })]).catch((error: unknown) => {
        log.warn({ reason: error instanceof Error ? error.message : String(error) }, 'task changes: NOTIFY failed; change not relayed');
      });
    },
    close: async () => {
      closed = true;
      const current = client;
      client = undefined;
      await current?.end().catch(() => {});
    },
  };
}
