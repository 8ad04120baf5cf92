import { vi } from 'vitest';
import { fakeJwt } from './fakeTaskApi';

export interface FakeUser {
  id: string;
  name: string;
  email: string;
}

export const ADA: FakeUser = { id: 'user-1', name: 'Ada Lovelace', email: 'ada@example.com' };

type Reply<T> = Promise<{ data: T; error: null } | { data: null; error: { status: number; code?: string; message?: string } }>;

/** Stands in for Better Auth's Vue client (lib/authClient) in component tests. */
export function createFakeAuthClient() {
  return {
    getSession: vi.fn((): Reply<{ user: FakeUser } | null> => Promise.resolve({ data: null, error: null })),
    signIn: { email: vi.fn((_input: { email: string; password: string }): Reply<{ user: FakeUser }> => Promise.resolve({ data: { user: ADA }, error: null })) },
    signUp: {
      email: vi.fn((input: { name: string; email: string; password: string }): Reply<{ user: FakeUser }> =>
        Promise.resolve({ data: { user: { id: 'user-2', name: input.name, email: input.email } }, error: null }),
      ),
    },
    signOut: vi.fn((): Reply<{ success: boolean }> => Promise.resolve({ data: { success: true }, error: null })),
    token: vi.fn((): Reply<{ token: string }> => Promise.resolve({ data: { token: fakeJwt() }, error: null })),
  };
}

export type FakeAuthClient = ReturnType<typeof createFakeAuthClient>;

/** A promise with its resolve function, to hold a fake answer back. */
export function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => (resolve = done));
  return { promise, resolve };
}
