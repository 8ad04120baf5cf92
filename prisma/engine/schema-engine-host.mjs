#!/usr/bin/env node
// Hosts Prisma's own schema engine, compiled to WebAssembly (@prisma/schema-engine-wasm,
// the exact build prisma 7.10.0 expects), behind the command-line and JSON-RPC interface
// the Prisma CLI speaks to its native `schema-engine` program. prisma.config.ts points
// PRISMA_SCHEMA_ENGINE_BINARY here, so generate / migrate / db commands work without the
// engine download (unreachable on offline machines). Why this route: specs/prisma-offline.md.
//
// Protocol (what the CLI does):
//   schema-engine --version
//   schema-engine [--datamodels <file>]... [--datasource <json>] [...]     JSON-RPC 2.0 over stdin/stdout, one message per line
//   schema-engine --datasource <json> cli <can-connect-to-database|create-database|drop-database>
// Logs go to stderr as JSON lines ({ level, target, fields: { message } }).
import { readFileSync, existsSync, mkdirSync, rmSync, closeSync, openSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const ENGINE_PACKAGE = '@prisma/schema-engine-wasm';
// The package's exports hide package.json and the .wasm file: locate them next to its entry.
const enginePackageDirectory = dirname(require.resolve(ENGINE_PACKAGE));

// ---------------------------------------------------------------------------------------
// Arguments
// ---------------------------------------------------------------------------------------
function parseArguments(argv) {
  const options = { datamodels: [], datasource: undefined, cliCommand: undefined, version: false };
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index];
    switch (argument) {
      case '--datamodels':
        options.datamodels.push(argv[++index]);
        break;
      case '--datasource':
        options.datasource = JSON.parse(argv[++index]);
        break;
      case '--enabled-preview-features':
      case '--extension-types':
        index++;
        break;
      case '--version':
      case '-V':
        options.version = true;
        break;
      case 'cli':
        options.cliCommand = argv[++index];
        break;
      default:
        break;
    }
  }
  return options;
}

// ---------------------------------------------------------------------------------------
// Logging in the engine's own format, which the CLI parses from stderr
// ---------------------------------------------------------------------------------------
function log(level, message, extraFields = {}) {
  process.stderr.write(
    JSON.stringify({ timestamp: new Date().toISOString(), level, target: 'schema_engine::logger', fields: { message, ...extraFields } }) + '\n',
  );
}

// ---------------------------------------------------------------------------------------
// Loading the WASM engine (its package entry imports the .wasm as an ES module, which Node refuses)
// ---------------------------------------------------------------------------------------
async function loadWasmEngine() {
  const bindings = await import(pathToFileURL(resolve(enginePackageDirectory, 'schema_engine_bg.js')).href);
  const { instance } = await WebAssembly.instantiate(readFileSync(resolve(enginePackageDirectory, 'schema_engine_bg.wasm')), {
    './schema_engine_bg.js': bindings,
  });
  bindings.__wbg_set_wasm(instance.exports);
  instance.exports.__wbindgen_start();
  return bindings;
}

function engineVersion() {
  const { version } = JSON.parse(readFileSync(resolve(enginePackageDirectory, 'package.json'), 'utf8'));
  // "7.10.0-4.<hash>": the CLI compares the hash with the one it was built against.
  return version.split('.').at(-1);
}

// ---------------------------------------------------------------------------------------
// Databases
// ---------------------------------------------------------------------------------------
function providerOfUrl(url) {
  if (/^postgres(ql)?:\/\//i.test(url)) return 'postgresql';
  if (/^file:/i.test(url)) return 'sqlite';
  throw new Error(`Unsupported database URL scheme (supported: file:, postgresql://)`);
}

function providerOfSchema(content) {
  const match = /datasource\s+\w+\s*\{[^}]*provider\s*=\s*"([^"]+)"/m.exec(content);
  return match?.[1];
}

function sqlitePathOf(url, baseDirectory) {
  const path = url.replace(/^file:/i, '').split('?')[0];
  return isAbsolute(path) ? path : resolve(baseDirectory, path);
}

function postgresDatabaseUrl(url, database) {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

function postgresDatabaseName(url) {
  return decodeURIComponent(new URL(url).pathname.replace(/^\//, '')) || 'postgres';
}

function quoteIdentifier(name) {
  return `"${name.replaceAll('"', '""')}"`;
}

async function withPostgresAdmin(url, action) {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: postgresDatabaseUrl(url, 'postgres') });
  await client.connect();
  try {
    return await action(client);
  } finally {
    await client.end();
  }
}

/**
 * better-sqlite3 runs one statement per prepare(); the engine sends whole migration scripts
 * through queryRaw/executeRaw when it replays migrations on the shadow database. A
 * multi-statement script without parameters goes through exec() instead.
 */
function wrapSqliteAdapter(adapter) {
  // The adapter reports SQLITE_BUSY as kind "SocketTimeout", which the WASM engine cannot
  // deserialise ("unknown variant"): report it as the SQLite error it is.
  const busyAsSqliteError = (method) => {
    const original = adapter[method].bind(adapter);
    adapter[method] = async (...args) => {
      try {
        return await original(...args);
      } catch (error) {
        if (error?.cause?.kind === 'SocketTimeout') {
          error.cause = { kind: 'sqlite', extendedCode: 5, message: 'database is locked (another process holds it)' };
        }
        throw error;
      }
    };
  };
  for (const method of ['queryRaw', 'executeRaw', 'executeScript', 'startTransaction']) busyAsSqliteError(method);
  const originalQueryRaw = adapter.queryRaw.bind(adapter);
  const originalExecuteRaw = adapter.executeRaw.bind(adapter);
  const runAsScript = async (query, original) => {
    try {
      return await original(query);
    } catch (error) {
      const message = String(error?.cause?.message ?? error?.message ?? error);
      if (query.args.length === 0 && /more than one statement/i.test(message)) {
        await adapter.executeScript(query.sql);
        return undefined;
      }
      throw error;
    }
  };
  adapter.queryRaw = async (query) => (await runAsScript(query, originalQueryRaw)) ?? { columnNames: [], columnTypes: [], rows: [] };
  adapter.executeRaw = async (query) => (await runAsScript(query, originalExecuteRaw)) ?? 0;
  return adapter;
}

/** The adapter splits scripts on every ";" (breaking `DEFAULT 'a;b'`); send whole scripts. */
function wrapPostgresAdapter(adapter, client) {
  adapter.executeScript = async (script) => {
    await client.query(script);
  };
  return adapter;
}

/**
 * The catalog queries return columns of PostgreSQL's internal type "char" (OID 18), which the
 * adapter cannot map ("Column type 'char' could not be deserialized"): report them as text.
 */
const PG_CHAR_OID = 18;
const PG_TEXT_OID = 25;
function reportCharColumnsAsText(client) {
  const relabel = (result) => {
    for (const field of result?.fields ?? []) if (field.dataTypeID === PG_CHAR_OID) field.dataTypeID = PG_TEXT_OID;
    return result;
  };
  const query = client.query.bind(client);
  client.query = (...args) => {
    const callback = typeof args.at(-1) === 'function' ? args.pop() : undefined;
    if (callback) return query(...args, (error, result) => callback(error, error ? result : relabel(result)));
    const pending = query(...args);
    return typeof pending?.then === 'function' ? pending.then(relabel) : pending;
  };
}

async function sqliteAdapterFactory(url, baseDirectory) {
  const { PrismaBetterSqlite3 } = await import('@prisma/adapter-better-sqlite3');
  const path = sqlitePathOf(url, baseDirectory);
  mkdirSync(dirname(path), { recursive: true });
  const factory = new PrismaBetterSqlite3({ url: path });
  return {
    provider: 'sqlite',
    adapterName: factory.adapterName,
    connect: async () => wrapSqliteAdapter(await factory.connect()),
    connectToShadowDb: async () => wrapSqliteAdapter(await new PrismaBetterSqlite3({ url: ':memory:' }).connect()),
    async reset() {
      // The WASM engine's reset on SQLite is a no-op: remove the database files instead.
      for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${path}${suffix}`, { force: true });
      closeSync(openSync(path, 'a'));
    },
  };
}

async function postgresAdapterFactory(url, shadowDatabaseUrl) {
  const { PrismaPg } = await import('@prisma/adapter-pg');
  const { default: pg } = await import('pg');
  const connectTo = async (connectionString) => {
    const pool = new pg.Pool({ connectionString, max: 4 });
    pool.on('connect', reportCharColumnsAsText);
    const client = await pool.connect();
    client.release();
    const adapter = await new PrismaPg(pool).connect();
    const originalDispose = adapter.dispose.bind(adapter);
    adapter.dispose = async () => {
      await originalDispose().catch(() => {});
      await pool.end().catch(() => {});
    };
    return wrapPostgresAdapter(adapter, pool);
  };
  const shadowDatabases = [];
  return {
    provider: 'postgres',
    adapterName: '@prisma/adapter-pg',
    connect: () => connectTo(url),
    async connectToShadowDb() {
      if (shadowDatabaseUrl) return connectTo(shadowDatabaseUrl);
      // Our own throwaway database: the adapter's would drop it while still connected, and
      // a URL's database could silently win over the "shadow" name.
      const name = `prisma_shadow_${randomBytes(6).toString('hex')}`;
      await withPostgresAdmin(url, (admin) => admin.query(`CREATE DATABASE ${quoteIdentifier(name)}`));
      shadowDatabases.push(name);
      const adapter = await connectTo(postgresDatabaseUrl(url, name));
      const dispose = adapter.dispose;
      adapter.dispose = async () => {
        await dispose();
        await dropShadowDatabase(name);
      };
      return adapter;
    },
    async cleanup() {
      for (const name of [...shadowDatabases]) await dropShadowDatabase(name);
    },
  };
  async function dropShadowDatabase(name) {
    const index = shadowDatabases.indexOf(name);
    if (index === -1) return;
    shadowDatabases.splice(index, 1);
    await withPostgresAdmin(url, (admin) => admin.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`)).catch((error) =>
      log('WARN', `Could not drop shadow database ${name}: ${error.message}`),
    );
  }
}

async function adapterFactoryFor(provider, datasource, baseDirectory) {
  const url = datasource?.url;
  if (provider === 'sqlite') return sqliteAdapterFactory(url ?? 'file::memory:', baseDirectory);
  if (provider === 'postgresql' || provider === 'postgres') {
    const baseUrl = url ?? datasource?.shadowDatabaseUrl;
    if (!baseUrl) throw new Error('A PostgreSQL datasource URL is needed (set DATABASE_URL).');
    return postgresAdapterFactory(baseUrl, datasource?.shadowDatabaseUrl);
  }
  throw new Error(`Provider "${provider}" is not supported by this engine host (sqlite, postgresql).`);
}

// ---------------------------------------------------------------------------------------
// `schema-engine cli <command>`
// ---------------------------------------------------------------------------------------
async function runCliCommand(command, datasource) {
  const url = datasource?.url;
  if (!url) throw new Error('No datasource URL given');
  const provider = providerOfUrl(url);
  const baseDirectory = process.cwd();
  if (provider === 'sqlite') {
    const path = sqlitePathOf(url, baseDirectory);
    if (command === 'can-connect-to-database') {
      if (!existsSync(path)) throw Object.assign(new Error(`Database ${path} does not exist`), { errorCode: 'P1003' });
    } else if (command === 'create-database') {
      mkdirSync(dirname(path), { recursive: true });
      closeSync(openSync(path, 'a'));
    } else if (command === 'drop-database') {
      for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${path}${suffix}`, { force: true });
    } else {
      throw new Error(`Unknown cli command ${command}`);
    }
    return;
  }
  const database = postgresDatabaseName(url);
  if (command === 'can-connect-to-database') {
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
    } catch (error) {
      const code = error.code === '3D000' ? 'P1003' : 'P1001';
      throw Object.assign(new Error(code === 'P1003' ? `Database \`${database}\` does not exist` : `Can't reach database server`), {
        errorCode: code,
      });
    } finally {
      await client.end().catch(() => {});
    }
  } else if (command === 'create-database') {
    await withPostgresAdmin(url, (admin) => admin.query(`CREATE DATABASE ${quoteIdentifier(database)}`));
  } else if (command === 'drop-database') {
    await withPostgresAdmin(url, (admin) => admin.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(database)} WITH (FORCE)`));
  } else {
    throw new Error(`Unknown cli command ${command}`);
  }
}

// ---------------------------------------------------------------------------------------
// JSON-RPC server
// ---------------------------------------------------------------------------------------
const METHOD_NAMES = { getDatabaseVersion: 'version' };

function schemaFilesOf(params) {
  const files = [];
  const visit = (value) => {
    if (!value || typeof value !== 'object') return;
    if (typeof value.content === 'string' && typeof value.path === 'string') files.push(value);
    for (const child of Object.values(value)) visit(child);
  };
  visit(params);
  return files;
}

function errorResponse(id, error) {
  const message = String(error?.message ?? error);
  const engineError = typeof error === 'object' && error !== null && 'error_code' in error ? error : undefined;
  return {
    jsonrpc: '2.0',
    id,
    error: {
      code: 4466,
      message: 'An error happened. Check the data field for details.',
      data: {
        is_panic: false,
        message: engineError?.message ?? message,
        error_code: engineError?.error_code ?? error?.errorCode,
        meta: engineError?.meta,
      },
    },
  };
}

async function serveJsonRpc(options) {
  const bindings = await loadWasmEngine();
  const datamodels = options.datamodels.map((path) => [path, readFileSync(path, 'utf8')]);
  const baseDirectory = process.cwd();
  let engine;
  let adapterFactory;

  async function engineFor(method, params) {
    if (engine) return engine;
    let provider = datamodels.map(([, content]) => providerOfSchema(content)).find(Boolean);
    const paramFiles = schemaFilesOf(params);
    provider ??= paramFiles.map((file) => providerOfSchema(file.content)).find(Boolean);
    const urlFromParams = (() => {
      let url;
      const visit = (value) => {
        if (url || !value || typeof value !== 'object') return;
        if (value.tag === 'url' && typeof value.url === 'string') url = value.url;
        for (const child of Object.values(value)) visit(child);
      };
      visit(params);
      return url;
    })();
    const datasource = options.datasource ?? (urlFromParams ? { url: urlFromParams } : undefined);
    provider ??= datasource?.url ? providerOfUrl(datasource.url) : undefined;
    if (!provider) throw new Error(`Cannot tell which database to use for ${method}`);
    adapterFactory = await adapterFactoryFor(provider, datasource, baseDirectory);
    // Without a schema of its own (migrate diff, db execute) the engine needs one naming the provider.
    const initialDatamodels =
      datamodels.length > 0 ? datamodels : [['schema.prisma', `datasource db {\n  provider = "${provider === 'postgres' ? 'postgresql' : provider}"\n}\n`]];
    engine = await bindings.SchemaEngine.new(
      { datamodels: initialDatamodels },
      (line) => process.stderr.write(String(line).endsWith('\n') ? String(line) : `${line}\n`),
      bindings.bindMigrationAwareSqlAdapterFactory
        ? bindings.bindMigrationAwareSqlAdapterFactory(adapterFactory)
        : (await import('@prisma/driver-adapter-utils')).bindMigrationAwareSqlAdapterFactory(adapterFactory),
    );
    return engine;
  }

  async function ensureMigrationsTable() {
    // A fresh database has no _prisma_migrations table and the WASM engine answers P1014
    // instead of creating it: create the table the native engine would create, then retry.
    const adapter = await adapterFactory.connect();
    try {
      const sql =
        adapterFactory.provider === 'sqlite'
          ? `CREATE TABLE IF NOT EXISTS "_prisma_migrations" ("id" TEXT PRIMARY KEY NOT NULL, "checksum" TEXT NOT NULL, "finished_at" DATETIME, "migration_name" TEXT NOT NULL, "logs" TEXT, "rolled_back_at" DATETIME, "started_at" DATETIME NOT NULL DEFAULT current_timestamp, "applied_steps_count" INTEGER UNSIGNED NOT NULL DEFAULT 0)`
          : `CREATE TABLE IF NOT EXISTS "_prisma_migrations" ("id" VARCHAR(36) PRIMARY KEY NOT NULL, "checksum" VARCHAR(64) NOT NULL, "finished_at" TIMESTAMPTZ, "migration_name" VARCHAR(255) NOT NULL, "logs" TEXT, "rolled_back_at" TIMESTAMPTZ, "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(), "applied_steps_count" INTEGER NOT NULL DEFAULT 0)`;
      await adapter.executeScript(sql);
    } finally {
      await adapter.dispose();
    }
  }

  async function call(method, params) {
    const instance = await engineFor(method, params);
    if (method === 'reset' && adapterFactory.reset) {
      await adapterFactory.reset();
      return {};
    }
    if (method === 'reset' && adapterFactory.provider === 'postgres') {
      const adapter = await adapterFactory.connect();
      try {
        await adapter.executeScript('DROP SCHEMA IF EXISTS "public" CASCADE; CREATE SCHEMA "public";');
      } finally {
        await adapter.dispose();
      }
      return {};
    }
    const engineMethod = METHOD_NAMES[method] ?? method;
    if (typeof instance[engineMethod] !== 'function') throw new Error(`Method ${method} is not supported`);
    const run = () => instance[engineMethod](params ?? {});
    try {
      return (await run()) ?? {};
    } catch (error) {
      const code = error?.error_code ?? error?.errorCode;
      const text = String(error?.message ?? error);
      if (code === 'P1014' || /_prisma_migrations.*(does not exist|no such table)/i.test(text)) {
        await ensureMigrationsTable();
        return (await run()) ?? {};
      }
      throw error;
    }
  }

  const pending = new Set();
  const input = createInterface({ input: process.stdin, crlfDelay: Infinity });
  input.on('line', (line) => {
    if (!line.trim()) return;
    let request;
    try {
      request = JSON.parse(line);
    } catch {
      log('ERROR', `Could not parse request: ${line.slice(0, 200)}`);
      return;
    }
    if (request.method === undefined) return; // a response to one of our requests
    const work = call(request.method, request.params)
      .then((result) => ({ jsonrpc: '2.0', id: request.id, result }))
      .catch((error) => errorResponse(request.id, error))
      .then((response) => {
        process.stdout.write(JSON.stringify(response) + '\n');
      });
    pending.add(work);
    work.finally(() => pending.delete(work));
  });
  input.on('close', async () => {
    await Promise.allSettled([...pending]);
    await adapterFactory?.cleanup?.();
    process.exit(0);
  });
}

// ---------------------------------------------------------------------------------------
const options = parseArguments(process.argv.slice(2));
if (options.version) {
  process.stdout.write(`schema-engine-cli ${engineVersion()}\n`);
} else if (options.cliCommand) {
  runCliCommand(options.cliCommand, options.datasource).then(
    () => process.exit(0),
    (error) => {
      // The CLI skips the first stderr line and parses every further line as JSON.
      const lines = [
        { level: 'INFO', message: `Running schema engine cli ${options.cliCommand}` },
        { level: 'ERROR', message: String(error.message ?? error).replace(options.datasource?.url ?? '\0', '<REDACTED>'), error_code: error.errorCode },
      ].map(({ level, ...fields }) => JSON.stringify({ timestamp: new Date().toISOString(), level, target: 'schema_engine::logger', fields }));
      process.stderr.write(lines.join('\n'), () => process.exit(1));
    },
  );
} else {
  serveJsonRpc(options).catch((error) => {
    log('ERROR', String(error?.stack ?? error));
    process.exit(1);
  });
}
