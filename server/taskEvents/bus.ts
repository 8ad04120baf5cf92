import cluster from 'node:cluster';
import { setMaxListeners } from 'node:events';
import { createPubSub, Repeater } from 'graphql-yoga';
import type { Config, SubscriptionLimits } from '../config.js';
import { apiError, serviceUnavailableError } from '../graphql/errors.js';
import { log } from '../log.js';
import { clusterWorkerRelay } from './clusterRelay.js';
import { postgresRelay } from './postgresRelay.js';
import type { DeliverTaskChange, TaskChange, TaskChangeRelay } from './taskChange.js';

/** Changes waiting for a stream whose socket is full (the client is not reading): then it is dropped. */
export const MAX_QUEUED_CHANGES = 256;
/**
 * Changes waiting while the socket still takes data: the stream is only behind on reading the
 * tasks from the database (a burst of writes). Past this it is dropped too. It must stay below
 * the 1,024 pending pushes a Repeater accepts: one more would throw instead of dropping cleanly.
 */
export const MAX_QUEUED_CHANGES_WHILE_WRITABLE = 1000;

/** Yielded once when the stream's token expires; the GraphQL layer turns it into UNAUTHENTICATED. */
export const TOKEN_EXPIRED = Symbol('token expired');
/** Yielded once when the session the stream's token came from has ended (sign-out, revocation, deletion). */
export const SESSION_ENDED = Symbol('session ended');

export type StreamEnd = typeof TOKEN_EXPIRED | typeof SESSION_ENDED;

/**
 * How often every open stream asks whether its session still exists. The answer comes from the
 * viewer-liveness cache (one database read per session per 4 s at most, whatever the interval),
 * so a revoked session's stream ends within that cache window plus this interval.
 */
export const SESSION_CHECK_INTERVAL_MS = 500;

/**
 * A stream's place is taken when it is created (so a refusal is a plain 429 before any stream),
 * but its Repeater only starts when someone reads it. A stream nobody starts reading within this
 * time (its response was never sent, e.g. 406 for an Accept without text/event-stream) gives its
 * place back; read later, it ends at once.
 */
export const UNREAD_STREAM_RELEASE_MS = 10_000;

/** The HTTP connection a stream is written to. */
export interface ClientConnection {
  onClose(listener: () => void): void;
  /** The socket's buffer is full: the client has stopped reading what was already sent. */
  isBackedUp(): boolean;
  /** Closes the connection at once (a client that cannot keep up). */
  drop(): void;
}

export interface StreamOptions {
  userId: string;
  /** Epoch milliseconds after which the stream must not carry anything more. */
  expiresAtMs: number;
  connection: ClientConnection;
  /**
   * The session the stream's token was minted from: whether it still exists is asked every
   * SESSION_CHECK_INTERVAL_MS, once per session however many of its streams are open.
   */
  session?: { id: string; isAlive: () => Promise<boolean> };
}

export interface TaskEventBus {
  /** Call after the change has committed: delivers here and relays to every other process or node. */
  publish(change: Omit<TaskChange, 'at'>): void;
  /** The user's changes from now on; refused with TOO_MANY_SUBSCRIPTIONS past the limits. */
  stream(options: StreamOptions): Promise<AsyncIterable<TaskChange | StreamEnd>>;
  openStreams(): number;
  /** Completes every open stream (graceful shutdown): clients reconnect to another process and refetch. */
  endAllStreams(): void;
  close(): Promise<void>;
}

const tooManySubscriptions = (message: string) => apiError('TOO_MANY_SUBSCRIPTIONS', message, { headers: { 'Retry-After': '5' } });

/**
 * Yoga's in-process pub/sub routes each change to the subscribers of its user id (the topic), so
 * a stream can only ever see its own user's changes; a relay extends it across processes.
 */
export function createTaskEventBus(limits: SubscriptionLimits, createRelay?: (deliver: DeliverTaskChange) => TaskChangeRelay): TaskEventBus {
  // Streams listen on the pub/sub's event target directly: subscribe() would wrap each stream's
  // listener in a Repeater of its own (~3 KB per open stream) that only feeds the stream's Repeater.
  const eventTarget = new EventTarget();
  // A user may hold maxPerUser streams, each one listener on the user's topic; Node warns past 10.
  setMaxListeners(limits.maxPerUser, eventTarget);
  const pubsub = createPubSub<{ taskChanged: [userId: string, change: TaskChange] }>({ eventTarget });
  const deliverLocally: DeliverTaskChange = (change) => pubsub.publish('taskChanged', change.userId, change);
  const relay = createRelay?.(deliverLocally);
  const perUser = new Map<string, number>();
  const stopFunctions = new Set<() => void>();
  /** The open streams of each session; one timer asks about every session in turn. */
  const watchedSessions = new Map<string, { isAlive: () => Promise<boolean>; checking: boolean; endStreams: Set<() => void> }>();
  let sweepTimer: ReturnType<typeof setInterval> | undefined;

  const checkSession = async (sessionId: string) => {
    const watched = watchedSessions.get(sessionId);
    if (!watched || watched.checking) return;
    watched.checking = true;
    try {
      if (!(await watched.isAlive())) for (const endStream of [...watched.endStreams]) endStream();
    } catch {
      // The database is unreachable: the streams stay, and the next sweep asks again.
    } finally {
      watched.checking = false;
    }
  };

  const watchSession = (session: NonNullable<StreamOptions['session']>, endStream: () => void): (() => void) => {
    let watched = watchedSessions.get(session.id);
    if (!watched) watchedSessions.set(session.id, (watched = { isAlive: session.isAlive, checking: false, endStreams: new Set() }));
    watched.endStreams.add(endStream);
    sweepTimer ??= setInterval(() => {
      for (const sessionId of watchedSessions.keys()) void checkSession(sessionId);
    }, SESSION_CHECK_INTERVAL_MS).unref();
    return () => {
      watched.endStreams.delete(endStream);
      if (watched.endStreams.size === 0 && watchedSessions.get(session.id) === watched) watchedSessions.delete(session.id);
      if (watchedSessions.size === 0 && sweepTimer) {
        clearInterval(sweepTimer);
        sweepTimer = undefined;
      }
    };
  };
  let open = 0;

  const reserve = (userId: string): (() => void) => {
    const mine = perUser.get(userId) ?? 0;
    if (mine >= limits.maxPerUser) throw tooManySubscriptions(`At most ${limits.maxPerUser} live streams per user; close one first.`);
    if (open >= limits.maxPerProcess) throw tooManySubscriptions('This server holds as many live streams as it may; retry shortly.');
    perUser.set(userId, mine + 1);
    open++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      open--;
      const left = (perUser.get(userId) ?? 1) - 1;
      if (left === 0) perUser.delete(userId);
      else perUser.set(userId, left);
    };
  };

  return {
    publish: (partial) => {
      const change: TaskChange = { ...partial, at: new Date().toISOString() };
      deliverLocally(change);
      relay?.send(change);
    },
    stream: async ({ userId, expiresAtMs, connection, session }) => {
      const release = reserve(userId);
      try {
        await relay?.ready();
      } catch {
        release();
        throw serviceUnavailableError('Live updates');
      }
      let abandoned = false;
      const unread = setTimeout(() => {
        abandoned = true;
        release();
      }, UNREAD_STREAM_RELEASE_MS).unref();
      return new Repeater<TaskChange | StreamEnd>((push, stop) => {
        clearTimeout(unread);
        if (abandoned) {
          stop();
          return;
        }
        // The event type createPubSub dispatches for publish('taskChanged', userId, …); the bus's
        // unit test fails if a graphql-yoga release names it differently.
        const topic = `taskChanged:${userId}`;
        let queued = 0;
        let ended = false;
        const endWith = (reason: StreamEnd) => {
          if (ended) return;
          ended = true;
          void push(reason);
          stop();
        };
        const onChange = (event: Event) => {
          if (ended) return;
          // The HTTP layer stops pulling while the socket cannot take more (backpressure).
          if ((queued >= MAX_QUEUED_CHANGES && connection.isBackedUp()) || queued >= MAX_QUEUED_CHANGES_WHILE_WRITABLE) {
            log.warn({ userId, queued }, 'live stream dropped: the client is not keeping up');
            ended = true;
            connection.drop();
            stop();
            return;
          }
          queued++;
          void push((event as CustomEvent<TaskChange>).detail).then(() => queued--);
        };
        eventTarget.addEventListener(topic, onChange);
        const expiry = setTimeout(() => endWith(TOKEN_EXPIRED), Math.max(0, expiresAtMs - Date.now()));
        const unwatchSession = session ? watchSession(session, () => endWith(SESSION_ENDED)) : () => {};
        connection.onClose(() => stop());
        const end = () => stop();
        stopFunctions.add(end);
        void stop.then(() => {
          ended = true;
          eventTarget.removeEventListener(topic, onChange);
          stopFunctions.delete(end);
          unwatchSession();
          clearTimeout(expiry);
          release();
        });
      });
    },
    openStreams: () => open,
    endAllStreams: () => {
      for (const end of [...stopFunctions]) end();
    },
    close: async () => {
      clearInterval(sweepTimer);
      await relay?.close();
    },
  };
}

/** One process: yoga's pub/sub alone. Cluster workers on SQLite: IPC. PostgreSQL: LISTEN/NOTIFY. */
export function taskEventBusFor(config: Pick<Config, 'subscriptions' | 'databaseProvider' | 'databaseUrl'>): TaskEventBus {
  if (config.databaseProvider === 'postgresql') {
    return createTaskEventBus(config.subscriptions, (deliver) => postgresRelay(config.databaseUrl, deliver));
  }
  if (cluster.isWorker) return createTaskEventBus(config.subscriptions, clusterWorkerRelay);
  return createTaskEventBus(config.subscriptions);
}
