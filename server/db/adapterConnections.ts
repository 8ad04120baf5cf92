// The one way Taskfort extends Prisma's driver adapters: a factory whose every connection passes
// through `extend` (statement cache, group commit, remembering the adapter for db/rawRows.ts).
import type { Database } from 'better-sqlite3';
import type { SqlDriverAdapter, SqlDriverAdapterFactory } from '@prisma/driver-adapter-utils';

/** `factory` (left unchanged) with each adapter it connects passed through `extend` first. */
export function onEveryConnection<F extends SqlDriverAdapterFactory>(factory: F, extend: (adapter: SqlDriverAdapter) => SqlDriverAdapter): F {
  return new Proxy(factory, {
    get(target, property, receiver) {
      if (property === 'connect') return async () => extend(await target.connect());
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** The better-sqlite3 Database under Prisma's SQLite adapter (its public `client` field in 7.10), if any. */
export function sqliteDatabaseOf(adapter: SqlDriverAdapter): Database | undefined {
  const client = (adapter as { client?: Database }).client;
  return client && typeof client.prepare === 'function' ? client : undefined;
}
