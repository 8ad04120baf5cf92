import { computed, readonly, ref } from 'vue';
import { authClient } from '../lib/authClient';
import { describeUserAgent } from '../lib/userAgent';

/** One place the user is signed in, as the account page lists it. */
export interface DeviceSession {
  id: string;
  /** Better Auth revokes a session by its token. */
  token: string;
  browser: string;
  os: string;
  ipAddress: string | null;
  createdAt: Date;
  /** Better Auth moves updatedAt when it extends the session: "last active" to within its update age. */
  lastActiveAt: Date;
  current: boolean;
}

interface SessionRow {
  id: string;
  token: string;
  createdAt: Date | string;
  updatedAt: Date | string;
  ipAddress?: string | null;
  userAgent?: string | null;
}

const NETWORK_ERROR = 'Could not reach Taskfort. Check your connection and try again.';

function toDeviceSession(row: SessionRow, currentId: string | undefined): DeviceSession {
  return {
    id: row.id,
    token: row.token,
    ...describeUserAgent(row.userAgent),
    ipAddress: row.ipAddress || null,
    createdAt: new Date(row.createdAt),
    lastActiveAt: new Date(row.updatedAt),
    current: row.id === currentId,
  };
}

function failure(error: { status?: number; message?: string }, what: string): string {
  if (error.status === 401) return 'Your session has ended. Please sign in again.';
  if (error.status === 429) return 'Too many attempts. Wait a little and try again.';
  return `${what} Please try again.`;
}

/** The signed-in user's sessions (Better Auth's list-sessions) and signing them out. */
export function useSessions() {
  const sessions = ref<DeviceSession[]>([]);
  const loading = ref(false);
  const loadError = ref<string | null>(null);

  async function load(): Promise<void> {
    loading.value = true;
    loadError.value = null;
    try {
      const [list, current] = await Promise.all([authClient.listSessions(), authClient.getSession()]);
      if (list.error) {
        loadError.value = failure(list.error, 'Could not load where you are signed in.');
        return;
      }
      const currentId = current.data?.session?.id;
      sessions.value = (list.data ?? [])
        .map((row) => toDeviceSession(row, currentId))
        // This device first, then the most recently active.
        .sort((a, b) => Number(b.current) - Number(a.current) || b.lastActiveAt.getTime() - a.lastActiveAt.getTime());
    } catch {
      loadError.value = NETWORK_ERROR;
    } finally {
      loading.value = false;
    }
  }

  /** Signs one other device out; returns an error message, or null when it worked. */
  async function revoke(session: DeviceSession): Promise<string | null> {
    try {
      const { error } = await authClient.revokeSession({ token: session.token });
      if (error) return failure(error, 'Could not sign that device out.');
      sessions.value = sessions.value.filter((candidate) => candidate.id !== session.id);
      return null;
    } catch {
      return NETWORK_ERROR;
    }
  }

  async function revokeOthers(): Promise<string | null> {
    try {
      const { error } = await authClient.revokeOtherSessions();
      if (error) return failure(error, 'Could not sign the other devices out.');
      sessions.value = sessions.value.filter((session) => session.current);
      return null;
    } catch {
      return NETWORK_ERROR;
    }
  }

  return {
    sessions: readonly(sessions),
    others: computed(() => sessions.value.filter((session) => !session.current)),
    loading: readonly(loading),
    loadError: readonly(loadError),
    load,
    revoke,
    revokeOthers,
  };
}
