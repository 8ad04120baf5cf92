import cluster from 'node:cluster';
import { isTaskChange, type DeliverTaskChange, type TaskChangeRelay } from './taskChange.js';

const MESSAGE_TYPE = 'taskfort:taskChange';

interface RelayMessage {
  type: typeof MESSAGE_TYPE;
  change: unknown;
}

function isRelayMessage(message: unknown): message is RelayMessage {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === MESSAGE_TYPE;
}

/**
 * WEB_CONCURRENCY workers on SQLite: Node cluster's own IPC channel to the primary, which passes
 * each change on to every other worker. SQLite has no NOTIFY, and the channel already exists, so
 * no broker process is needed; per worker, changes arrive in the order they were sent.
 */
export function clusterWorkerRelay(deliver: DeliverTaskChange): TaskChangeRelay {
  const onMessage = (message: unknown) => {
    if (isRelayMessage(message) && isTaskChange(message.change)) deliver(message.change);
  };
  process.on('message', onMessage);
  return {
    ready: async () => {},
    send: (change) => {
      if (process.connected) process.send?.({ type: MESSAGE_TYPE, change } satisfies RelayMessage);
    },
    close: async () => {
      process.off('message', onMessage);
    },
  };
}

/** In the cluster primary: forwards each worker's changes to every other worker. */
export function relayTaskChangesBetweenWorkers(): void {
  cluster.on('message', (from, message: unknown) => {
    if (!isRelayMessage(message)) return;
    for (const worker of Object.values(cluster.workers ?? {})) {
      if (worker && worker !== from && worker.isConnected()) worker.send(message);
    }
  });
}
