import { vi } from 'vitest';
import { fakeJwt } from './fakeTaskApi';

export interface FakeUser {
  id: string;
  name: string;
  email: string;
}

export const ADA: FakeUser = { id: 'user-1', name: 'Ada Lovelace', email: 'ada@example.com' };

/** A session row as Better Auth's list-sessions answers it (dates already parsed by its client). */
export interface FakeSession {
  id: string;
  token: string;
  userId: string;
  createdAt: Date;
  updatedAt: Date;
  expiresAt: Date;
  ipAddress?: string | null;
  userAgent?: string | null;
}

export const FIREFOX_ON_LINUX = 'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
export const SAFARI_ON_IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';

export function makeSession(overrides: Partial<FakeSession> = {}): FakeSession {
  const createdAt = new Date('2026-11-30T09:00:00Z');
  return {
    id: 'session-1',
    token: 'session-token-1',
    userId: ADA.id,
    createdAt,
    updatedAt: createdAt,
    expiresAt: new Date('2026-12-07T09:00:00Z'),
    ipAddress: '203.0.113.7',
    userAgent: FIREFOX_ON_LINUX,
    ...overrides,
  };
}

type Reply<T> = Promise<{ data: T; error: null } | { data: null; error: { status: number; code?: string; message?: string } }>;

/** Stands in for Better Auth's Vue client (lib/authClient) in component tests. */
export function createFakeAuthClient() {
  return {
    getSession: vi.fn((): Reply<{ user: FakeUser; session?: FakeSession } | null> => Promise.resolve({ data: null, error: null })),
    signIn: { email: vi.fn((_input: { email: string; password: string }): Reply<{ user: FakeUser }> => Promise.resolve({ data: { user: ADA }, error: null })) },
    signUp: {
      email: vi.fn((input: { name: string; email: string; password: string }): Reply<{ user: FakeUser }> =>
        Promise.resolve({ data: { user: { id: 'user-2', name: input.name, email: input.email } }, error: null }),
      ),
    },
    signOut: vi.fn((): Reply<{ success: boolean }> => Promise.resolve({ data: { success: true }, error: null })),
    token: vi.fn((): Reply<{ token: string }> => Promise.resolve({ data: { token: fakeJwt() }, error: null })),
    // Account recovery and management (issue 12): each answers like Better Auth's success by default.
    requestPasswordReset: vi.fn((_input: { email: string; redirectTo?: string }): Reply<{ status: boolean; message: string }> =>
      Promise.resolve({ data: { status: true, message: 'If this email exists in our system, check your email for the reset link' }, error: null }),
    ),
    resetPassword: vi.fn((_input: { newPassword: string; token: string }): Reply<{ status: boolean }> =>
      Promise.resolve({ data: { status: true }, error: null }),
    ),
    changePassword: vi.fn(
      (_input: { currentPassword: string; newPassword: string; revokeOtherSessions?: boolean }): Reply<{ token: string | null; user: FakeUser }> =>
        Promise.resolve({ data: { token: null, user: ADA }, error: null }),
    ),
    updateUser: vi.fn((_input: { name?: string }): Reply<{ status: boolean }> => Promise.resolve({ data: { status: true }, error: null })),
    listSessions: vi.fn((): Reply<FakeSession[]> => Promise.resolve({ data: [makeSession()], error: null })),
    revokeSession: vi.fn((_input: { token: string }): Reply<{ status: boolean }> => Promise.resolve({ data: { status: true }, error: null })),
    revokeOtherSessions: vi.fn((): Reply<{ status: boolean }> => Promise.resolve({ data: { status: true }, error: null })),
    deleteUser: vi.fn((_input: { password?: string }): Reply<{ success: boolean; message: string }> =>
      Promise.resolve({ data: { success: true, message: 'User deleted' }, error: null }),
    ),
  };
}

export type FakeAuthClient = ReturnType<typeof createFakeAuthClient>;

/** A promise with its resolve function, to hold a fake answer back. */
export function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => (resolve = done));
  return { promise, resolve };
}
