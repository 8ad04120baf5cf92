import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { log } from '../log.js';
import { isTaskChange, type DeliverTaskChange, type TaskChangeRelay } from './taskChange.js';

export const TASK_CHANGES_CHANNEL = 'taskfort_task_changes';
const RECONNECT_MIN_MS = 100;
const RECONNECT_MAX_MS = 5_000;
const READY_TIMEOUT_MS = 5_000;
/** Changes waiting for the NOTIFY in flight; past this (PostgreSQL unreachable or far behind) they are dropped. */
export const MAX_PENDING_NOTIFICATIONS = 10_000;
/** Each change its own notification (one payload, far below the 8 KB limit), many in one statement. */
const NOTIFY_EACH = `SELECT pg_notify($1, payload) FROM unnest($2::text[]) WITH ORDINALITY AS sent(payload, position) ORDER BY position`;

/**
 * Several ROLE=api nodes (and their workers) on PostgreSQL: LISTEN/NOTIFY on one dedicated
 * connection per process. After the connection drops (e.g. a database restart) it reconnects with
 * backoff and LISTENs again; changes committed while it was down are not replayed (at-most-once:
 * clients refetch after they reconnect).
 *
 * One NOTIFY statement is in flight at a time; changes made meanwhile wait and leave together in
 * the next, in order, each still its own notification. (One statement per change capped a busy
 * node at one round trip per event-loop turn: at 200 creates/s on two cores the queue reached
 * seconds.) A sequence number keeps two identical changes in one statement from being merged
 * into one notification, as PostgreSQL does with identical payloads in a transaction.
 */
export function postgresRelay(connectionString: string, deliver: DeliverTaskChange): TaskChangeRelay {
  const origin = randomUUID();
  let client: pg.Client | undefined;
  let listening = false;
  let closed = false;
  let attempt = 0;
  let connecting: Promise<void> | undefined;
  let waiters: (() => void)[] = [];
  let pending: string[] = [];
  let notifying = false;
  let sequence = 0;

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
      const { origin: sender, kind, userId, taskId, at } = message as Record<string, unknown>;
      const change = { kind, userId, taskId, at };
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

  const notifyPending = () => {
    if (notifying || pending.length === 0) return;
    const payloads = pending;
    pending = [];
    if (!client || !listening) {
      log.warn({ changes: payloads.length }, 'task changes: not connected to PostgreSQL; changes not relayed to other nodes');
      return;
    }
    notifying = true;
    client
      .query(NOTIFY_EACH, [TASK_CHANGES_CHANNEL, payloads])
      .catch((error: unknown) => {
        log.warn(
          { changes: payloads.length, reason: error instanceof Error ? error.message : String(error) },
          'task changes: NOTIFY failed; changes not relayed',
        );
      })
      .finally(() => {
        notifying = false;
        notifyPending();
      });
  };

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
      if (pending.length >= MAX_PENDING_NOTIFICATIONS) {
        log.warn({ kind: change.kind, pending: pending.length }, 'task changes: PostgreSQL is not keeping up; change not relayed to other nodes');
        return;
      }
      pending.push(JSON.stringify({ ...change, origin, sequence: sequence++ }));
      notifyPending();
    },
    close: async () => {
      closed = true;
      const current = client;
      client = undefined;
      await current?.end().catch(() => {});
    },
  };
}
