// A raw statement straight to the driver adapter Prisma uses, for the hot task writes. Prisma's
// `$queryRaw` serialises the parameters to JSON and back, builds and interprets a query plan, and
// converts the result twice before a row reaches the caller: a fifth of a createTask's CPU in
// `bench/profile.ts`. This sends the same SQL with the same typed arguments to the same adapter
// (with its statement cache, group commit, prepared-statement names and SQL stats) and converts
// the row as Prisma would, so callers get exactly what `$queryRaw` gives them.
import {
  ColumnTypeEnum,
  type ArgType,
  type ColumnType,
  type SqlDriverAdapter,
  type SqlDriverAdapterFactory,
  type SqlResultSet,
} from '@prisma/driver-adapter-utils';
import type { Prisma, PrismaClient } from '../generated/prisma/client.js';
import { onEveryConnection } from './adapterConnections.js';

interface Connection {
  adapter?: SqlDriverAdapter;
  readonly placeholders: 'sql' | 'text';
}

const connections = new WeakMap<object, Connection>();

/**
 * Remembers the adapter `factory` connects, for `client`. `placeholders`: which text of a
 * `Prisma.sql` the database takes (`sql`, with `?`, for SQLite; `text`, with `$1`, for PostgreSQL).
 */
export function rememberAdapter<F extends SqlDriverAdapterFactory>(
  factory: F,
  placeholders: Connection['placeholders'],
): { factory: F; attach(client: object): void } {
  const connection: Connection = { placeholders };
  const remembering = onEveryConnection(factory, (adapter) => {
    connection.adapter = adapter;
    // After $disconnect, Prisma connects anew on its next query; until then, go through it.
    const dispose = adapter.dispose.bind(adapter);
    adapter.dispose = () => {
      if (connection.adapter === adapter) connection.adapter = undefined;
      return dispose();
    };
    return adapter;
  });
  return { factory: remembering, attach: (client) => connections.set(client, connection) };
}

/** The argument types Prisma derives for `$queryRaw` parameters (its deserializeRawParameters). */
function argumentOf(value: unknown): { arg: unknown; argType: ArgType } {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new RangeError('Provided Date object is invalid');
    return { arg: value.toJSON(), argType: { scalarType: 'datetime', arity: 'scalar' } };
  }
  if (typeof value === 'number') return { arg: value, argType: { scalarType: 'decimal', arity: 'scalar' } };
  if (typeof value === 'string') return { arg: value, argType: { scalarType: 'string', arity: 'scalar' } };
  if (value === null || typeof value === 'boolean') return { arg: value, argType: { scalarType: 'unknown', arity: 'scalar' } };
  throw new TypeError(`rawRows: unsupported parameter type ${typeof value}`);
}

/** A result value as `$queryRaw` returns it (Prisma's serializeRawValue, then deserializeRawResult). */
function valueOf(value: unknown, type: ColumnType): unknown {
  if (value === null) return null;
  switch (type) {
    case ColumnTypeEnum.Int32:
      return Math.trunc(Number(value));
    case ColumnTypeEnum.Int64:
      return BigInt(typeof value === 'number' ? Math.trunc(value) : (value as string | bigint));
    case ColumnTypeEnum.Boolean:
      return typeof value === 'string' ? value === 'true' || value === '1' : typeof value === 'number' ? value === 1 : value;
    case ColumnTypeEnum.DateTime:
    case ColumnTypeEnum.Date:
      return new Date(value as string);
    case ColumnTypeEnum.Time:
      return new Date(`1970-01-01T${value as string}Z`);
    case ColumnTypeEnum.Json:
      return JSON.parse(value as string);
    case ColumnTypeEnum.Text:
    case ColumnTypeEnum.Character:
    case ColumnTypeEnum.Enum:
    case ColumnTypeEnum.Uuid:
    case ColumnTypeEnum.Float:
    case ColumnTypeEnum.Double:
    case ColumnTypeEnum.UnknownNumber:
      return value;
    default:
      throw new TypeError(`rawRows: unsupported column type ${type}`);
  }
}

function rowsOf<T>({ columnNames, columnTypes, rows }: SqlResultSet): T[] {
  return rows.map((row) => {
    const record: Record<string, unknown> = {};
    for (let index = 0; index < columnNames.length; index++) record[columnNames[index]!] = valueOf(row[index], columnTypes[index]!);
    return record as T;
  });
}

/**
 * The rows of a raw statement, as `db.$queryRaw<T[]>(query)` returns them. Errors are the
 * adapter's (a DriverAdapterError whose `cause` has the `kind`), not wrapped in P2010. Until the
 * client has connected, it goes through `$queryRaw`.
 */
export async function queryRows<T>(db: Pick<PrismaClient, '$queryRaw'>, query: Prisma.Sql): Promise<T[]> {
  const connection = connections.get(db);
  const adapter = connection?.adapter;
  if (!adapter) return db.$queryRaw<T[]>(query);
  const args: unknown[] = [];
  const argTypes: ArgType[] = [];
  for (const value of query.values) {
    const { arg, argType } = argumentOf(value);
    args.push(arg);
    argTypes.push(argType);
  }
  return rowsOf<T>(await adapter.queryRaw({ sql: connection.placeholders === 'sql' ? query.sql : query.text, args, argTypes }));
}
