import { afterAll, beforeAll } from 'vitest';
import { ApiClient, startServerWithUser, type TestUser } from './client.js';
import { startServer, type RunningServer, type StartOptions } from './server.js';

/**
 * Stands for an object that exists only once a beforeAll hook has run, so a test file can
 * write `const { server, api } = useServer()` at the top and use them in its tests.
 */
function availableOnceStarted<T extends object>(name: string, current: () => T | undefined): T {
  const target = (): T => {
    const value = current();
    if (!value) throw new Error(`${name} exists once the suite's beforeAll has run: use it inside a test or hook`);
    return value;
  };
  return new Proxy({} as T, {
    get: (_, key) => {
      const value = Reflect.get(target(), key);
      return typeof value === 'function' ? value.bind(target()) : value;
    },
    has: (_, key) => Reflect.has(target(), key),
    ownKeys: () => Reflect.ownKeys(target()),
    getOwnPropertyDescriptor: (_, key) => {
      const descriptor = Reflect.getOwnPropertyDescriptor(target(), key);
      return descriptor && { ...descriptor, configurable: true };
    },
    getPrototypeOf: () => Reflect.getPrototypeOf(target()),
  });
}

/**
 * The real server for the enclosing suite (the file, or the `describe` it is called in):
 * started in beforeAll, stopped in afterAll.
 */
export function useServer(options: StartOptions = {}): { server: RunningServer; api: ApiClient } {
  let server: RunningServer | undefined;
  let api: ApiClient | undefined;
  beforeAll(async () => {
    server = await startServer(options);
    api = new ApiClient(server.url);
  });
  afterAll(async () => {
    await server?.stop();
  });
  return { server: availableOnceStarted('server', () => server), api: availableOnceStarted('api', () => api) };
}

/** As useServer, plus one signed-up user with a JWT. */
export function useServerWithUser(options: StartOptions = {}): { server: RunningServer; api: ApiClient; user: TestUser } {
  let started: Awaited<ReturnType<typeof startServerWithUser>> | undefined;
  beforeAll(async () => {
    started = await startServerWithUser(options);
  });
  afterAll(async () => {
    await started?.server.stop();
  });
  return {
    server: availableOnceStarted('server', () => started?.server),
    api: availableOnceStarted('api', () => started?.api),
    user: availableOnceStarted('user', () => started?.user),
  };
}
