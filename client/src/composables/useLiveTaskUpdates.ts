import { useSubscription } from '@urql/vue';
import { onBeforeUnmount, ref, watch } from 'vue';
import type { TaskEventsSubscription as TaskEventsResult } from '../gql/graphql';
import { TaskEventsSubscription } from '../lib/taskDocuments';

/** One change made elsewhere, as the stream delivers it (Graphcache has applied it to the lists). */
export type LiveTaskEvent = TaskEventsResult['taskEvents'];

export type LiveStatus = 'connecting' | 'live' | 'reconnecting';

export interface LiveTaskUpdatesOptions {
  /** Refetch what is shown: changes made while the stream was down are not replayed (at-most-once). */
  onReconnected: () => void;
  /** Each event as it arrives, after the cache has applied it (the page reacts to a task deleted elsewhere). */
  onEvent?: (event: LiveTaskEvent) => void;
  minDelayMs?: number;
  maxDelayMs?: number;
  /** A stream still open after this long counts as connected (the server sends no "connected" event). */
  settleMs?: number;
  random?: () => number;
}

/**
 * Delay before reconnect attempt `attempt` (0-based): exponential backoff with jitter over the
 * upper half of the window, so tabs that lost the server together do not all come back at once.
 */
export function reconnectDelay(attempt: number, minDelayMs: number, maxDelayMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxDelayMs, minDelayMs * 2 ** attempt);
  return ceiling / 2 + (random() * ceiling) / 2;
}

/**
 * One live stream of the viewer's task changes for this tab (urql over SSE; the JWT comes from
 * the same in-memory store through the auth exchange). Graphcache applies each event to the
 * cached lists. When the stream ends — network loss, server restart, token expiry — it
 * reconnects with backoff and jitter, and refetches once it is back.
 */
export function useLiveTaskUpdates({
  onReconnected,
  onEvent,
  minDelayMs = 500,
  maxDelayMs = 30_000,
  settleMs = 1_000,
  random = Math.random,
}: LiveTaskUpdatesOptions) {
  const status = ref<LiveStatus>('connecting');
  const subscription = useSubscription({ query: TaskEventsSubscription });
  let attempt = 0;
  let missedChanges = false;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let settleTimer: ReturnType<typeof setTimeout> | undefined;

  function markLive() {
    clearTimeout(settleTimer);
    if (status.value === 'live') return;
    status.value = 'live';
    attempt = 0;
    if (missedChanges) {
      missedChanges = false;
      onReconnected();
    }
  }

  /** The stream ended or failed (network loss, server restart, refusal, token expiry): try again later. */
  function streamEnded() {
    clearTimeout(settleTimer);
    if (retryTimer !== undefined) return;
    status.value = 'reconnecting';
    missedChanges = true;
    retryTimer = setTimeout(
      () => {
        retryTimer = undefined;
        subscription.executeSubscription({ requestPolicy: 'network-only' });
      },
      reconnectDelay(attempt, minDelayMs, maxDelayMs, random),
    );
    attempt += 1;
  }

  // Synchronous watchers: a refused attempt can start and end within one tick, and every
  // transition counts. A refused or failed stream does not always end its urql source, so an
  // error counts as the end too.
  watch(
    subscription.fetching,
    (active) => {
      if (!active) return streamEnded();
      clearTimeout(settleTimer);
      if (status.value !== 'live') settleTimer = setTimeout(markLive, settleMs);
    },
    { flush: 'sync' },
  );
  watch(
    subscription.error,
    (error) => {
      if (error) streamEnded();
    },
    { flush: 'sync' },
  );
  watch(subscription.data, (data) => {
    if (data) markLive();
  });
  // Synchronous too: two events in one tick are two calls.
  watch(
    subscription.data,
    (data) => {
      if (data) onEvent?.(data.taskEvents);
    },
    { flush: 'sync' },
  );

  onBeforeUnmount(() => {
    clearTimeout(retryTimer);
    clearTimeout(settleTimer);
  });

  return { status };
}
