/**
 * Tells the app's other tabs of this browser that the session is over, so they drop their JWT and
 * go to the sign-in page at once instead of working on until their next request is refused.
 *
 * A BroadcastChannel, same origin only. The message says what happened and nothing else: never a
 * token, a user id or an email. Nothing is written to storage.
 */
export type AuthBroadcastReason = 'signed-out' | 'session-ended';

interface AuthBroadcastMessage {
  type: 'session-over';
  reason: AuthBroadcastReason;
}

export const AUTH_CHANNEL_NAME = 'taskfort-auth';

function isAuthBroadcastMessage(value: unknown): value is AuthBroadcastMessage {
  if (typeof value !== 'object' || value === null) return false;
  const { type, reason } = value as Record<string, unknown>;
  return type === 'session-over' && (reason === 'signed-out' || reason === 'session-ended');
}

export interface AuthBroadcast {
  /** Tells the other tabs (a tab never hears its own messages). */
  announce(reason: AuthBroadcastReason): void;
  /** Stops listening (tests). */
  close(): void;
}

/** `onSessionOver` runs when another tab of this browser announces that the session is over. */
export function createAuthBroadcast(onSessionOver: (reason: AuthBroadcastReason) => void): AuthBroadcast {
  if (typeof BroadcastChannel !== 'function') return { announce() {}, close() {} };
  const channel = new BroadcastChannel(AUTH_CHANNEL_NAME);
  channel.addEventListener('message', (event: MessageEvent<unknown>) => {
    if (isAuthBroadcastMessage(event.data)) onSessionOver(event.data.reason);
  });
  // Outside a browser (Node runs the component tests) an open channel would keep the process alive.
  (channel as BroadcastChannel & { unref?: () => void }).unref?.();
  return {
    announce(reason) {
      const message: AuthBroadcastMessage = { type: 'session-over', reason };
      try {
        channel.postMessage(message);
      } catch {
        // A closed channel (the page is going away): the other tabs find out on their next request.
      }
    },
    close: () => channel.close(),
  };
}
