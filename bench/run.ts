// npm run bench [-- options]: the production server on a temp SQLite file (and PostgreSQL when
// one is available), driven by autocannon from a separate process; one table, also written as
// JSON to bench-results/. See bench/README-section.md.
//
//   --duration=10     seconds measured per row (after --warmup=3 seconds of unrecorded load)
//   --connections=10  connections for every row but the 100-connection one
//   --sizes=1k,100k,1m  database sizes for the flat-latency rows
//   --postgres=auto|on|off   auto: TEST_POSTGRES_URL, or a throwaway server when /usr/local/bin/pg_ctl exists
//   --sqlite=on|off   the SQLite rows
//   --workers=1       WEB_CONCURRENCY for the server (cluster mode when > 1)
//   --env=KEY=VALUE   extra server environment (repeatable), e.g. --env=TOKEN_CACHE_SIZE=0
//   --label=name      a name for this run in the JSON file
//   --rows=1,3,6      only these rows (ids as in the table; 6 = every size, 7 = 7a–7f, S3 = S3a0–S3b), e.g. to compare one lever
//   --streams=1000    live streams held open for rows S1–S3 and S2pg, --streams-per-user=10 each (≤ 20)
//   --write-rate=200  createTask per second for rows S2 and S2pg, spread over the stream users
//   --dump-events=F   rows S2/S2pg write every create ([taskId, user, doneAtMs, responseMs, measured]) and
//                     event arrival ([taskId, stream, atMs]) to the JSON file F, to see latency over time
//   --quick           --duration=3 --warmup=1 --sizes=1k,20k --postgres=off --streams=100
//   --leak-rounds=2   after the rows, this many more rounds of list/create/toggle load, RSS after each
//   --soak=10m        instead of the table: one process on SQLite under a steady --soak-rate=200 req/s
//                     of list requests, printing p99 and RSS per --window=30 seconds
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, freemem, totalmem, platform, release, arch, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { ApiClient, type TestUser } from '../test/support/client.js';
import { postgresBinariesAvailable, postgresUrlFor, startThrowawayPostgres, type ThrowawayPostgres } from '../test/support/postgres.js';
import { repoRoot, startServer, tempDataDir, type RunningServer } from '../test/support/server.js';
import { ensureServerBuild } from '../client/tooling/buildServer.js';
import { benchJwtVerification, type MicroResult } from './jwt.js';
import { benchViewerLiveness } from './liveness.js';
import type { Create, WriterResult, WriterSpec } from './liveWriter.js';
import { cpuMsOfTree, processTree } from '../test/support/procStat.js';
import { runChild, runLoad, startCeiling, startStreamClient, type Ceiling, type StreamClient } from './processes.js';
import { postgresSeeder, sqliteSeeder, type TaskSeeder } from './seed.js';
import type { Arrival } from './streams.js';

// ---------------------------------------------------------------- options

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(`--${name}`);
const option = (name: string, fallback: string) => {
  const found = args.filter((arg) => arg.startsWith(`--${name}=`)).at(-1);
  return found ? found.slice(name.length + 3) : fallback;
};
const quick = flag('quick');
const opts = {
  duration: Number(option('duration', quick ? '3' : '10')),
  warmup: Number(option('warmup', quick ? '1' : '3')),
  connections: Number(option('connections', '10')),
  sizes: option('sizes', quick ? '1k,20k' : '1k,100k,1m')
    .split(',')
    .map(parseSize),
  postgres: option('postgres', quick ? 'off' : 'auto') as 'auto' | 'on' | 'off',
  sqlite: option('sqlite', 'on') as 'on' | 'off',
  workers: option('workers', '1'),
  label: option('label', quick ? 'quick' : 'full'),
  rows: option('rows', '').split(',').filter(Boolean),
  leakRounds: Number(option('leak-rounds', quick ? '1' : '2')),
  dumpEvents: option('dump-events', ''),
  soakSeconds: parseDuration(option('soak', '0')),
  soakRate: Number(option('soak-rate', '200')),
  windowSeconds: Number(option('window', '30')),
  streams: Number(option('streams', quick ? '100' : '1000')),
  streamsPerUser: Number(option('streams-per-user', '10')),
  writeRate: Number(option('write-rate', '200')),
  serverEnv: Object.fromEntries(
    args
      .filter((arg) => arg.startsWith('--env='))
      .map((arg) => {
        const [key, ...value] = arg.slice('--env='.length).split('=');
        return [key!, value.join('=')];
      }),
  ) as Record<string, string>,
};

function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)([smh]?)$/.exec(text.trim());
  if (!match) throw new Error(`bad duration "${text}" (e.g. 40s, 10m)`);
  return Number(match[1]) * { '': 1, s: 1, m: 60, h: 3600 }[match[2] as '' | 's' | 'm' | 'h'];
}

function parseSize(text: string): number {
  const match = /^(\d+(?:\.\d+)?)([km]?)$/i.exec(text.trim());
  if (!match) throw new Error(`bad size "${text}" (e.g. 1k, 100k, 1m)`);
  return Math.round(Number(match[1]) * { '': 1, k: 1_000, m: 1_000_000 }[match[2]!.toLowerCase() as '' | 'k' | 'm']);
}
const formatSize = (n: number) => (n >= 1_000_000 ? `${n / 1_000_000}M` : n >= 1_000 ? `${Math.round(n / 1_000)}k` : String(n));

/** The measured user owns this many tasks once the database is large enough (the brief: 10k of 1M). */
const MEASURED_USER_TASKS = 10_000;

// ---------------------------------------------------------------- GraphQL documents

const TASK_FIELDS = 'id title description completed priority dueDate createdAt updatedAt';
// The web app's list query (client/src/lib/taskDocuments.ts) without totalCount, which is a separate COUNT.
const LIST = `query TaskList($first: Int!) { tasks(first: $first) { edges { cursor node { ${TASK_FIELDS} } } pageInfo { hasNextPage endCursor } } }`;
const LIST_WITH_COUNT = `query TaskList($first: Int!) { tasks(first: $first) { totalCount edges { cursor node { ${TASK_FIELDS} } } pageInfo { hasNextPage endCursor } } }`;
const LIST_BY_PRIORITY = `query TaskList($first: Int!) { tasks(first: $first, orderBy: { field: PRIORITY, direction: DESC }) { edges { cursor node { ${TASK_FIELDS} } } pageInfo { hasNextPage endCursor } } }`;
const CREATE = `mutation CreateTask($input: CreateTaskInput!) { createTask(input: $input) { ${TASK_FIELDS} } }`;
const TOGGLE = `mutation ToggleTask($id: ID!) { toggleTask(id: $id) { ${TASK_FIELDS} } }`;

// ---------------------------------------------------------------- rows

export interface Row {
  id: string;
  database: 'sqlite' | 'postgresql' | 'in-process';
  name: string;
  connections: number;
  rps: number;
  p50: number;
  p99: number;
  /** Throughput relative to row 1 on the same database. */
  ratio: number | null;
  /** Throughput relative to row Y (bare graphql-yoga) of the same database. */
  ratioToYoga?: number | null;
  /** Throughput relative to the raw ceiling for the same work (row E for lists, W for writes). */
  ratioToCeiling?: number | null;
  /** Which ceiling row ratioToCeiling compares with. */
  ceilingId?: string;
  /** Resident memory of the measured server (all its processes) right after the row, in MB. */
  rssMb?: number;
  /** Server CPU time (user + system, all its processes) per answered request, in ms. */
  cpuPerRequest?: number;
  /** Load average (1 min) when the row ended: other work on the machine skews every number. */
  load?: number;
  unit: 'ms' | 'µs';
  /** Not a request row (S1, S2, S2pg): no ratios to rows 1 and Y. */
  noRatios?: boolean;
  /** Cells shown instead of the numbers (rows that measure something other than requests). */
  display?: Partial<Record<'rps' | 'p50' | 'p99' | 'cpu', string>>;
  detail?: Record<string, unknown>;
}

const rows: Row[] = [];
const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);

/** The production server's environment for a bench run on `databaseUrl`; `extra` (then --env) wins. */
const benchServerEnv = (databaseUrl: string, extra: Record<string, string | undefined> = {}) => ({
  NODE_ENV: 'production',
  DATABASE_URL: databaseUrl,
  WEB_CONCURRENCY: opts.workers,
  BETTER_AUTH_SECRET: randomBytes(32).toString('base64url'),
  // A fixed issuer, so tokens outlive a restart on another port.
  JWT_ISSUER: 'http://taskfort-bench.invalid',
  ...extra,
  ...opts.serverEnv,
});

interface Target {
  database: Row['database'];
  server: RunningServer;
  api: ApiClient;
  /** Starts the server again on the same database (same secret and issuer, so tokens stay valid). */
  restart: () => Promise<void>;
}

interface Scenario {
  id: string;
  name: string;
  query: string;
  variables?: Record<string, unknown>;
  token?: () => Promise<string>;
  connections?: number;
  pacedRate?: number;
  /** Another server than Taskfort (a ceiling row). */
  at?: Endpoint;
  /** The ceiling row this row's throughput is compared with (besides Y). */
  ceiling?: string;
}

interface Endpoint {
  url: string;
  process: RunningServer['process'];
}

const wanted = (id: string) =>
  opts.rows.length === 0 ||
  opts.rows.some(
    (want) => id === want || (want === '6' && id.startsWith('6 @')) || (want === '7' && /^7[a-z]$/.test(id)) || (want === 'S3' && /^S3[ab]0?$/.test(id)),
  );

/** The rows benchDatabase() measures (6 @ stands for every size). */
const DATABASE_ROW_IDS = ['0', 'Y', 'E', 'Wc', 'Wt', '1', '2', '3', '4a', '4b', '5', '5b', '6 @', '6+', '6o'];
/** The live-stream rows on one SQLite server (benchStreams). */
const STREAM_ROW_IDS = ['SY', 'S1', 'S2', 'S3a0', 'S3a', 'S3b0', 'S3b'];

const serverGone = (server: RunningServer) => server.process.exitCode !== null || server.process.signalCode !== null;

async function measureRow(target: Target, scenario: Scenario, retried = false): Promise<Row | undefined> {
  if (!wanted(scenario.id)) return undefined;
  const endpoint: Endpoint = scenario.at ?? target.server;
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' };
  if (scenario.token) headers.authorization = `Bearer ${await scenario.token()}`;
  const body = JSON.stringify({ query: scenario.query, variables: scenario.variables ?? {} });
  // One request first: a row that measures errors would be worse than no row. Retried once: after
  // a long seeding pause, fetch may reuse a keep-alive socket the server has just closed.
  const send = () => fetch(`${endpoint.url}/graphql`, { method: 'POST', headers, body });
  const check = await send().catch(send);
  const checkBody = (await check.json()) as { errors?: unknown };
  if (!check.ok || checkBody.errors) throw new Error(`${scenario.name}: ${check.status} ${JSON.stringify(checkBody).slice(0, 500)}`);

  const connections = scenario.connections ?? opts.connections;
  log(`${target.database} ${scenario.id} ${scenario.name} (${connections} connections, ${opts.duration}s)`);
  const cpuBefore = cpuMsOfTree(endpoint.process.pid!);
  const result = await runLoad({
    url: `${endpoint.url}/graphql`,
    headers,
    body,
    connections,
    duration: opts.duration,
    warmup: opts.warmup,
    pacedRate: scenario.pacedRate,
  });
  const cpuMs = cpuMsOfTree(endpoint.process.pid!) - cpuBefore;
  if (!scenario.at && serverGone(target.server) && !retried) {
    // Seen on this shared machine: something outside the bench SIGTERMs the server now and then.
    log(
      `  ! the server died during this row (${target.server.process.signalCode ?? target.server.process.exitCode}); restarting it and measuring the row again`,
    );
    await target.restart();
    return measureRow(target, scenario, true);
  }
  if (result.non2xx || result.errors || result.timeouts) {
    log(`  ! ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`);
  }
  const row: Row = {
    id: scenario.id,
    database: target.database,
    name: scenario.name,
    connections,
    rps: result.rps,
    p50: result.p50,
    p99: result.p99,
    ratio: null, // filled in by addRatios() once row 1 of this database is measured
    unit: 'ms',
    // Warm-up requests are included in the CPU time, so count them too (at the measured rate).
    cpuPerRequest: cpuMs / (result.requests * ((opts.duration + opts.warmup) / opts.duration)),
    load: loadavg()[0],
    rssMb: rssMbOfTree(endpoint.process.pid!),
    ceilingId: scenario.ceiling,
    detail: { ...result, ...(retried ? { serverRestarted: true } : {}) },
  };
  rows.push(row);
  // A row where no request succeeded (all timed out on an overloaded machine) has NaN latencies.
  const fixed = (value: number | undefined, digits: number) => (Number.isFinite(value) ? value!.toFixed(digits) : 'n/a');
  log(
    `  ${fixed(row.rps, 0)} req/s  p50 ${fixed(row.p50, 2)} ms  p99 ${fixed(row.p99, 2)} ms  server CPU ${fixed(row.cpuPerRequest, 3)} ms/req  load ${fixed(row.load, 1)}`,
  );
  return row;
}

/** Resident memory (MB) of a process and its descendants (cluster workers), from /proc. */
function rssMbOfTree(rootPid: number): number {
  let kb = 0;
  for (const pid of processTree(rootPid)) {
    try {
      kb += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    } catch {
      // the process ended while we looked
    }
  }
  return kb / 1024;
}

/** Memory of each Taskfort server at the points the issue asks for (after warm-up, after the rows, after each leak round). */
const memory: { database: string; point: string; rssMb: number }[] = [];

// ---------------------------------------------------------------- users and tokens

/** Signs a user up once; its JWT is reused and renewed only when it nears expiry (auth endpoints are rate limited). */
class BenchUser {
  private jwt: string;
  private expiresAt: number;
  constructor(
    private readonly target: Target,
    readonly user: TestUser,
  ) {
    this.jwt = user.jwt;
    this.expiresAt = BenchUser.expiryOf(user.jwt);
  }
  static async create(target: Target, name: string): Promise<BenchUser> {
    return new BenchUser(target, await target.api.createUser({ name, email: `${name}-${Date.now()}@bench.invalid` }));
  }
  private static expiryOf(jwt: string): number {
    const payload = JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as { exp: number };
    return payload.exp * 1000;
  }
  /** A JWT valid for at least the next row (duration + warmup + margin). */
  token = async (): Promise<string> => {
    if (this.expiresAt - Date.now() < (opts.duration + opts.warmup + 60) * 1000) {
      this.jwt = await this.target.api.jwtFor(this.user.sessionToken);
      this.expiresAt = BenchUser.expiryOf(this.jwt);
    }
    return this.jwt;
  };
}

// ---------------------------------------------------------------- one database

async function benchDatabase(database: 'sqlite' | 'postgresql', adminUrl?: string) {
  if (!DATABASE_ROW_IDS.some(wanted)) return;
  const dataDir = tempDataDir('taskfort-bench-');
  const databaseUrl = database === 'sqlite' ? `file:${join(dataDir, 'bench.db')}` : postgresUrlFor(adminUrl!, dataDir);
  log(`${database}: starting the production server (WEB_CONCURRENCY=${opts.workers}) on ${database === 'sqlite' ? databaseUrl : 'a fresh database'}`);
  let stopping = false;
  // Two sign-ups and two tokens per database stay inside the auth rate limits; pass a raised
  // limit through only when the caller sets one.
  const env = benchServerEnv(databaseUrl, process.env.AUTH_RATE_LIMIT ? { AUTH_RATE_LIMIT: process.env.AUTH_RATE_LIMIT } : {});
  const start = async () => {
    const server = await startServer({ dataDir, env });
    server.process.once('exit', (code, signal) => {
      if (!stopping) log(`${database}: the server exited unexpectedly (code ${code}, signal ${signal}) at ${new Date().toISOString()}`);
    });
    return server;
  };
  const server = await start();
  const target: Target = {
    database,
    server,
    api: new ApiClient(server.url),
    restart: async () => {
      await target.server.stop().catch(() => undefined);
      target.server = await start();
      target.api = new ApiClient(target.server.url);
    },
  };
  let seeder: TaskSeeder | undefined;
  const ceilings: Ceiling[] = [];
  try {
    const api = target.api;
    const reader = await BenchUser.create(target, 'reader');
    const writer = await BenchUser.create(target, 'writer');
    seeder = database === 'sqlite' ? sqliteSeeder(join(dataDir, 'bench.db')) : postgresSeeder(databaseUrl);

    const toggled = await api.graphql(CREATE, { input: { title: 'toggled by the bench' } }, { token: await writer.token() });
    const toggleId = (toggled.data as { createTask: { id: string } }).createTask.id;

    const sizes = [...opts.sizes].sort((a, b) => a - b);
    const growTo = async (total: number) => {
      const measuredUserTasks = Math.min(MEASURED_USER_TASKS, total);
      log(`${database}: seeding to ${formatSize(total)} tasks (${formatSize(measuredUserTasks)} for the measured user)…`);
      const grown = await seeder!.grow({ total, measuredUserId: reader.user.id, measuredUserTasks });
      log(`  ${grown.total} tasks, ${grown.measured} for the measured user, in ${grown.seconds.toFixed(1)} s`);
      return grown;
    };
    const listRow = async (total: number) => {
      if (!wanted('6 @') && total !== sizes[0]) return;
      const grown = await growTo(total);
      const row = await measureRow(target, {
        id: `6 @${formatSize(total)}`,
        name: `tasks(first:20), ${formatSize(grown.total)} tasks in DB, ${formatSize(grown.measured)} the user's`,
        query: LIST,
        variables: { first: 20 },
        token: reader.token,
        ceiling: 'E',
      });
      if (row) row.detail = { ...row.detail, tasksInDatabase: grown.total, tasksOfUser: grown.measured };
    };

    await growTo(sizes[0]!);
    // Unrecorded load on every path first, so the first measured rows do not pay for V8's JIT.
    log(`${database}: warming up the server (${opts.warmup * 3}s)`);
    const warmHeaders = { 'content-type': 'application/json', authorization: `Bearer ${await reader.token()}` };
    for (const body of [{ query: '{ __typename }' }, { query: '{ me { id } }' }, { query: LIST, variables: { first: 20 } }]) {
      await runLoad({
        url: `${target.server.url}/graphql`,
        headers: warmHeaders,
        body: JSON.stringify(body),
        connections: opts.connections,
        duration: opts.warmup,
        warmup: 0,
      });
    }
    memory.push({ database, point: 'after warm-up', rssMb: rssMbOfTree(target.server.process.pid!) });

    // The ceilings, started now so the JWKS exists and the database holds the first size.
    const bare = await startCeiling({ kind: 'bare' });
    const yoga = await startCeiling({ kind: 'yoga' });
    const raw = await startCeiling({
      kind: 'raw',
      databaseUrl,
      jwksUrl: `${target.server.url}/api/auth/jwks`,
      issuer: env.JWT_ISSUER,
      audience: opts.serverEnv.JWT_AUDIENCE ?? 'taskfort-api',
    });
    ceilings.push(bare, yoga, raw);
    await measureRow(target, { id: '0', name: 'bare node:http JSON (ceiling)', query: '{ __typename }', at: bare });
    await measureRow(target, { id: 'Y', name: 'bare graphql-yoga, one field, no plugins (floor)', query: '{ __typename }', at: yoga });
    await measureRow(target, {
      id: 'E',
      name: 'raw node:http + driver, list SQL, token remembered (ceiling)',
      query: LIST,
      variables: { first: 20 },
      token: reader.token,
      at: raw,
    });
    await measureRow(target, { id: '1', name: '{ __typename }, no token (baseline)', query: '{ __typename }' });
    await measureRow(target, { id: '2', name: 'me { id }, bearer JWT', query: '{ me { id } }', token: reader.token });
    await measureRow(target, { id: '3', name: 'tasks(first:20), bearer JWT', query: LIST, variables: { first: 20 }, token: reader.token, ceiling: 'E' });
    // The smallest size before the write rows add tasks of their own.
    await listRow(sizes[0]!);
    const createVariables = { input: { title: 'Benchmark task', description: 'created under load', priority: 'HIGH' } };
    await measureRow(target, {
      id: 'Wc',
      name: 'raw INSERT … RETURNING, quota checked (createTask ceiling)',
      query: CREATE,
      variables: createVariables,
      token: writer.token,
      at: raw,
    });
    await measureRow(target, {
      id: 'Wt',
      name: 'raw UPDATE … RETURNING (toggleTask ceiling)',
      query: TOGGLE,
      variables: { id: toggleId },
      token: writer.token,
      at: raw,
    });
    await measureRow(target, {
      ceiling: 'Wc',
      id: '4a',
      name: 'createTask',
      query: CREATE,
      variables: createVariables,
      token: writer.token,
    });
    await measureRow(target, { id: '4b', name: 'toggleTask', query: TOGGLE, variables: { id: toggleId }, token: writer.token, ceiling: 'Wt' });
    await measureRow(target, {
      id: '5',
      name: 'tasks(first:20), 100 connections',
      query: LIST,
      variables: { first: 20 },
      token: reader.token,
      connections: 100,
      ceiling: 'E',
    });
    // Row 5 is closed loop: 100 clients that each send again the instant they are answered keep
    // the server saturated, so its latency is 100 / throughput by construction (Little's law).
    // 5b: 100 clients on a steady schedule totalling half of row 3's throughput — the latency
    // users see when the server is busy but not overloaded (open loop, queueing included).
    const rate = Math.max(10, Math.round(0.5 * (rows.find((row) => row.database === database && row.id === '3')?.rps ?? 600)));
    await measureRow(target, {
      id: '5b',
      name: `tasks(first:20), 100 clients, open loop at ${rate} req/s (½ row 3)`,
      query: LIST,
      variables: { first: 20 },
      token: reader.token,
      connections: 100,
      pacedRate: rate,
    });
    for (const size of sizes.slice(1)) await listRow(size);
    await measureRow(target, {
      id: '6+',
      name: `tasks(first:20) + totalCount (a COUNT of the user's tasks)`,
      query: LIST_WITH_COUNT,
      variables: { first: 20 },
      token: reader.token,
      ceiling: 'E',
    });
    // Every order has its own index per user since issue 15 (bench/orders.ts checks each one at 1k–100k).
    await measureRow(target, {
      id: '6o',
      name: `tasks(first:20, orderBy: PRIORITY DESC) (indexed)`,
      query: LIST_BY_PRIORITY,
      variables: { first: 20 },
      token: reader.token,
      ceiling: 'E',
    });
    memory.push({ database, point: 'after the load rows', rssMb: rssMbOfTree(target.server.process.pid!) });
    // Leak check: the same work again, unrecorded; resident memory should settle, not climb.
    const leakBodies = [
      { body: { query: LIST, variables: { first: 20 } }, token: await reader.token() },
      { body: { query: CREATE, variables: createVariables }, token: await writer.token() },
      { body: { query: TOGGLE, variables: { id: toggleId } }, token: await writer.token() },
    ];
    for (let round = 1; round <= opts.leakRounds; round++) {
      log(`${database}: leak check, round ${round} of ${opts.leakRounds}`);
      for (const { body, token } of leakBodies) {
        await runLoad({
          url: `${target.server.url}/graphql`,
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify(body),
          connections: opts.connections,
          duration: opts.duration,
          warmup: 0,
        });
      }
      memory.push({ database, point: `after leak round ${round}`, rssMb: rssMbOfTree(target.server.process.pid!) });
    }
  } catch (error) {
    log(`${database}: failed; the server's last output:\n${target.server.output().slice(-4000)}`);
    throw error;
  } finally {
    stopping = true;
    for (const ceiling of ceilings) await ceiling.stop();
    await seeder?.close();
    await target.server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- live streams (issue 13)

const TASK_EVENTS = 'subscription { taskEvents { kind taskId at task { id title completed } } }';

/** Signs up the stream users (the auth rate limit is off on the stream servers), a few at a time. */
async function streamUsers(api: ApiClient, count: number): Promise<TestUser[]> {
  const users: TestUser[] = [];
  let next = 0;
  const tag = Date.now();
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < count) {
        const i = next++;
        users[i] = await api.createUser({ name: `Streamer ${i}`, email: `streamer-${i}-${tag}@bench.invalid` });
      }
    }),
  );
  return users;
}

/** One token per stream: user u holds streams u·perUser … u·perUser + perUser − 1. */
const streamTokens = (users: TestUser[]) => users.flatMap((user) => Array.from({ length: opts.streamsPerUser }, () => user.jwt));

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const sleep = (ms: number) => new Promise((resolveSleep) => setTimeout(resolveSleep, ms));

/** Median of three RSS samples a second apart (the tree's RSS moves with GC). */
async function settledRssMb(pid: number): Promise<{ median: number; samples: number[] }> {
  const samples: number[] = [];
  for (let i = 0; i < 3; i++) {
    await sleep(1000);
    samples.push(rssMbOfTree(pid));
  }
  return { median: median(samples), samples };
}

/** Environment that preloads bench/heapProbe.mjs into a server, answering SIGUSR2 in a file of its own. */
function heapProbeEnv(name: string): { env: Record<string, string>; file: string } {
  const file = join(tempDataDir('taskfort-heap-probe-'), `${name}.json`);
  return { env: { NODE_OPTIONS: `--import ${join(repoRoot, 'bench/heapProbe.mjs')}`, HEAP_PROBE_FILE: file }, file };
}

/** The heap in use right after a full GC in the process (bench/heapProbe.mjs), in MB. */
async function heapAfterGcMb(pid: number, file: string): Promise<number> {
  rmSync(file, { force: true });
  process.kill(pid, 'SIGUSR2');
  for (let waited = 0; waited < 30_000; waited += 100) {
    await sleep(100);
    if (existsSync(file)) {
      try {
        return (JSON.parse(readFileSync(file, 'utf8')) as { heapUsedBytes: number }).heapUsedBytes / 2 ** 20;
      } catch {
        // written but not yet complete: read it again
      }
    }
  }
  throw new Error(`process ${pid} did not report its heap (bench/heapProbe.mjs) within 30 s`);
}

/** Server CPU (ms per second of wall time) over a quiet window: the cost of what is merely open. */
async function idleCpuMsPerSecond(pids: number[], seconds = 5): Promise<number> {
  const before = pids.reduce((sum, pid) => sum + cpuMsOfTree(pid), 0);
  await sleep(seconds * 1000);
  return (pids.reduce((sum, pid) => sum + cpuMsOfTree(pid), 0) - before) / seconds;
}

interface LatencyStats {
  expected: number;
  delivered: number;
  missing: number;
  /** Events that arrived on a stream of another user than the task's (must be 0). */
  misdelivered: number;
  /** Events that arrived before the createTask response did (negative latency, counted as is). */
  beforeResponse: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/**
 * Joins the writer's creates with the streams' arrivals: for every measured create, one latency
 * per stream of its user (arrival − response), and a count of the streams it never reached.
 */
function eventLatencies(creates: Create[], arrivals: Arrival[]): LatencyStats {
  const byTask = new Map<string, Arrival[]>();
  for (const arrival of arrivals) {
    const list = byTask.get(arrival[0]);
    if (list) list.push(arrival);
    else byTask.set(arrival[0], [arrival]);
  }
  const latencies: number[] = [];
  let expected = 0;
  let missing = 0;
  let misdelivered = 0;
  for (const [taskId, user, doneAt, , measured] of creates) {
    if (!measured) continue;
    expected += opts.streamsPerUser;
    const seen = byTask.get(taskId) ?? [];
    for (const [, stream, at] of seen) {
      if (Math.floor(stream / opts.streamsPerUser) !== user) misdelivered += 1;
      else latencies.push(at - doneAt);
    }
    missing += Math.max(0, opts.streamsPerUser - seen.length);
  }
  const sorted = Float64Array.from(latencies).sort();
  const at = (p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! : NaN);
  return {
    expected,
    delivered: sorted.length,
    missing,
    misdelivered,
    beforeResponse: latencies.filter((ms) => ms < 0).length,
    p50: at(50),
    p90: at(90),
    p99: at(99),
    max: sorted.length ? sorted[sorted.length - 1]! : NaN,
  };
}

/**
 * Rows S2 / S2pg: --write-rate creates per second (open loop, round-robin over the stream users)
 * against `writeUrl` while the stream client holds every user's streams on another or the same
 * node; latency from each create's HTTP response at the writer to its event on each stream.
 */
async function measureEventLatency(row: {
  id: string;
  database: Row['database'];
  name: string;
  writeUrl: string;
  users: TestUser[];
  client: StreamClient;
  serverPids: number[];
  rssPid: number;
}): Promise<Row> {
  log(`${row.database} ${row.id} ${row.name} (${opts.writeRate} creates/s, ${opts.duration}s after ${opts.warmup}s)`);
  await row.client.request({ type: 'collect' }, 'events'); // nothing before this row counts
  const cpuBefore = row.serverPids.reduce((sum, pid) => sum + cpuMsOfTree(pid), 0);
  const written = await runChild<WriterResult>('bench/liveWriter.ts', {
    url: row.writeUrl,
    tokens: row.users.map((user) => user.jwt),
    rate: opts.writeRate,
    warmup: opts.warmup,
    duration: opts.duration,
    connections: 20,
  } satisfies WriterSpec);
  // The last events' grace period: until every measured create's events are in, or 5 s pass
  // without a new one once some have come, or 60 s in all; a server that falls behind shows up
  // as latency rather than as missing events.
  const expected = written.creates.length * opts.streamsPerUser;
  const arrivals: Arrival[] = [];
  const otherMessages: string[] = [];
  let events = await row.client.request({ type: 'collect' }, 'events');
  arrivals.push(...events.arrivals);
  otherMessages.push(...events.otherMessages);
  for (let quiet = 0, waited = 0; arrivals.length < expected && quiet < 5 && waited < 60; waited++) {
    await sleep(1000);
    events = await row.client.request({ type: 'collect' }, 'events');
    arrivals.push(...events.arrivals);
    otherMessages.push(...events.otherMessages);
    quiet = events.arrivals.length || arrivals.length === 0 ? 0 : quiet + 1;
  }
  const cpuMs = row.serverPids.reduce((sum, pid) => sum + cpuMsOfTree(pid), 0) - cpuBefore;
  const stats = eventLatencies(written.creates, arrivals);
  if (opts.dumpEvents) writeFileSync(opts.dumpEvents, JSON.stringify({ row: row.id, creates: written.creates, arrivals }));
  const responses = Float64Array.from(written.creates.filter((create) => create[4]).map((create) => create[3])).sort();
  const writeP99 = responses.length ? responses[Math.ceil(0.99 * responses.length) - 1]! : NaN;
  if (written.failed) log(`  ! ${written.failed} creates failed, first: ${written.firstFailure}`);
  if (written.unanswered) log(`  ! ${written.unanswered} creates unanswered 60 s after the last was sent`);
  if (stats.missing || stats.misdelivered) log(`  ! ${stats.missing} events missing, ${stats.misdelivered} on another user's stream`);
  if (otherMessages.length) log(`  ! other messages on the streams: ${otherMessages.slice(0, 3).join(' | ')}`);
  const fixed = (value: number, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
  log(
    `  ${fixed(written.achievedRate, 0)} creates/s, ${stats.delivered}/${stats.expected} events, latency p50 ${fixed(stats.p50)} ms p99 ${fixed(stats.p99)} ms max ${fixed(stats.max, 1)} ms; ${stats.beforeResponse} before the response; create p99 ${fixed(writeP99)} ms`,
  );
  const allCreates = written.creates.length + written.failed;
  const eventsPerSecond = written.achievedRate * opts.streamsPerUser * (stats.delivered / Math.max(1, stats.expected));
  const result: Row = {
    id: row.id,
    database: row.database,
    name: row.name,
    connections: opts.streams,
    // Events delivered per second while the writer kept its (achieved) rate.
    rps: eventsPerSecond,
    p50: stats.p50,
    p99: stats.p99,
    ratio: null,
    noRatios: true,
    unit: 'ms',
    load: loadavg()[0],
    rssMb: rssMbOfTree(row.rssPid),
    // Server CPU per create, its fan-out to the user's streams included (warm-up creates counted too).
    cpuPerRequest: cpuMs / Math.max(1, allCreates),
    display: { rps: `${Math.round(eventsPerSecond)} ev/s`, cpu: `${(cpuMs / Math.max(1, allCreates)).toFixed(2)} ms/create` },
    detail: {
      ...stats,
      achievedWriteRate: written.achievedRate,
      failedCreates: written.failed,
      unansweredCreates: written.unanswered,
      createResponseP99Ms: writeP99,
      streamsEnded: events.ended,
      keepAlives: events.keepAlives,
    },
  };
  rows.push(result);
  return result;
}

/** Opens the users' streams (added to those already open); throws unless every one of them was accepted. */
async function openStreams(client: StreamClient, url: string, users: TestUser[], alreadyOpen = 0) {
  const opened = await client.request({ type: 'open', url, query: TASK_EVENTS, tokens: streamTokens(users) }, 'opened');
  log(`  ${opened.open} streams open (${users.length * opts.streamsPerUser} more in ${(opened.ms / 1000).toFixed(1)} s)`);
  if (opened.open !== alreadyOpen + users.length * opts.streamsPerUser)
    throw new Error(`only ${opened.open} streams open; refused: ${opened.refused.join(' | ')}`);
}

/** A row of memory per idle stream (S1, SY), heap after GC and RSS: no throughput or latency, no ratios. */
function streamMemoryRow(row: {
  id: string;
  name: string;
  streams: number;
  rssMb: number;
  kbPerStream: number;
  /** The same from the heap in use after a full GC (bench/heapProbe.mjs), when measured. */
  heapKbPerStream?: number;
  cpu: string;
  detail: Record<string, unknown>;
}): Row {
  return {
    id: row.id,
    database: 'sqlite',
    name: row.name,
    connections: row.streams,
    rps: NaN,
    p50: NaN,
    p99: NaN,
    ratio: null,
    noRatios: true,
    unit: 'ms',
    load: loadavg()[0],
    rssMb: row.rssMb,
    display: {
      rps: `${row.heapKbPerStream === undefined ? '' : `heap ${row.heapKbPerStream.toFixed(1)}, `}RSS ${row.kbPerStream.toFixed(1)} KB/stream`,
      p50: '',
      p99: '',
      cpu: row.cpu,
    },
    detail: row.detail,
  };
}

/**
 * Row SY: RSS per idle stream of a bare graphql-yoga server (bench/ceilings.ts) whose subscription
 * never yields, over Yoga's own SSE transport — what Yoga alone holds per stream, for row S1.
 */
async function measureYogaStreamFloor(users: TestUser[]) {
  const probe = heapProbeEnv('SY');
  const yoga = await startCeiling({ kind: 'yoga' }, probe.env);
  const client = startStreamClient();
  try {
    const pid = yoga.process.pid!;
    // A few streams first, so what is compiled or allocated once is in "before".
    await client.request({ type: 'open', url: yoga.url, query: TASK_EVENTS, tokens: streamTokens(users.slice(0, 1)) }, 'opened');
    // The heap first: its full GC returns free pages, so RSS is read after a GC both times.
    const heapBefore = await heapAfterGcMb(pid, probe.file);
    const before = await settledRssMb(pid);
    const opened = await client.request({ type: 'open', url: yoga.url, query: TASK_EVENTS, tokens: streamTokens(users) }, 'opened');
    const count = opened.open - opts.streamsPerUser;
    const heapAfter = await heapAfterGcMb(pid, probe.file);
    const after = await settledRssMb(pid);
    const kbPerStream = ((after.median - before.median) * 1024) / count;
    const heapKbPerStream = ((heapAfter - heapBefore) * 1024) / count;
    log(
      `sqlite SY: bare graphql-yoga, ${count} idle streams: heap after GC ${heapBefore.toFixed(1)} → ${heapAfter.toFixed(1)} MB, ${heapKbPerStream.toFixed(1)} KB per stream; RSS ${before.median.toFixed(1)} → ${after.median.toFixed(1)} MB, ${kbPerStream.toFixed(1)} KB per stream`,
    );
    rows.push(
      streamMemoryRow({
        id: 'SY',
        name: `bare graphql-yoga SSE, memory per idle stream, ${count} streams (floor for S1)`,
        streams: count,
        rssMb: after.median,
        kbPerStream,
        heapKbPerStream,
        cpu: '',
        detail: { kbPerStream, heapKbPerStream, heapBeforeMb: heapBefore, heapAfterMb: heapAfter, rssBeforeMb: before.samples, rssAfterMb: after.samples },
      }),
    );
  } finally {
    await client.close();
    await yoga.stop();
  }
}

/** Stream servers take many sign-ups (rate limit off) and more streams than the default limit if asked. */
const streamServerEnv = () => ({
  AUTH_RATE_LIMIT: 'off',
  ...(opts.streams > 5000 ? { MAX_SUBSCRIPTIONS: String(opts.streams) } : {}),
});

/**
 * Rows S1–S3 on SQLite, one server of their own (a fresh process, so RSS before the streams is
 * a warm server's, not one after the other rows' seeding and load): S3a0/S3b0 are rows 3 and 4a
 * without streams, S1 opens --streams idle streams (RSS per stream, idle CPU), S3a/S3b repeat the
 * rows with them open, S2 then writes to the stream users and times the events.
 */
async function benchStreams() {
  if (!STREAM_ROW_IDS.some(wanted)) return;
  if (opts.streams % opts.streamsPerUser !== 0 || opts.streamsPerUser > 20) throw new Error('--streams must be a multiple of --streams-per-user (≤ 20)');
  const dataDir = tempDataDir('taskfort-bench-streams-');
  const databaseUrl = `file:${join(dataDir, 'bench.db')}`;
  log(`sqlite: live streams — starting a server of their own (WEB_CONCURRENCY=${opts.workers}) on ${databaseUrl}`);
  const env = benchServerEnv(databaseUrl, streamServerEnv());
  // The heap after GC of the one server process; with cluster workers the streams live elsewhere.
  const probe = opts.workers === '1' ? heapProbeEnv('S1') : undefined;
  if (probe) Object.assign(env, probe.env, { NODE_OPTIONS: [opts.serverEnv.NODE_OPTIONS, probe.env.NODE_OPTIONS].filter(Boolean).join(' ') });
  const server = await startServer({ dataDir, env });
  const target: Target = {
    database: 'sqlite',
    server,
    api: new ApiClient(server.url),
    restart: () => Promise.reject(new Error('the stream server died; its streams cannot be restored')),
  };
  const seeder = sqliteSeeder(join(dataDir, 'bench.db'));
  let client: StreamClient | undefined;
  try {
    const reader = await BenchUser.create(target, 'reader');
    const writer = await BenchUser.create(target, 'writer');
    const size = [...opts.sizes].sort((a, b) => a - b)[0]!;
    await seeder.grow({ total: size, measuredUserId: reader.user.id, measuredUserTasks: Math.min(MEASURED_USER_TASKS, size) });
    const userCount = opts.streams / opts.streamsPerUser;
    log(`sqlite: signing up ${userCount} stream users`);
    const users = await streamUsers(target.api, userCount);

    const createVariables = { input: { title: 'Benchmark task', description: 'created under load', priority: 'HIGH' } };
    const list: Omit<Scenario, 'id' | 'name'> = { query: LIST, variables: { first: 20 }, token: reader.token };
    const create: Omit<Scenario, 'id' | 'name'> = { query: CREATE, variables: createVariables, token: writer.token };
    log(`sqlite: warming up the stream server (${opts.warmup * 2}s)`);
    for (const scenario of [list, create]) {
      await runLoad({
        url: `${server.url}/graphql`,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${await scenario.token!()}` },
        body: JSON.stringify({ query: scenario.query, variables: scenario.variables }),
        connections: opts.connections,
        duration: opts.warmup,
        warmup: 0,
      });
    }
    await measureRow(target, { ...list, id: 'S3a0', name: 'row 3, tasks(first:20), no streams open (S3 baseline)' });
    await measureRow(target, { ...create, id: 'S3b0', name: 'row 4a, createTask, no streams open (S3 baseline)' });

    if (wanted('SY')) await measureYogaStreamFloor(users);
    const pid = server.process.pid!;
    const idleBefore = await idleCpuMsPerSecond([pid]);
    // The heap first: its full GC returns free pages, so RSS is read after a GC both times.
    const heapBefore = probe ? await heapAfterGcMb(pid, probe.file) : undefined;
    const before = await settledRssMb(pid);
    client = startStreamClient();
    log(`sqlite S1: opening ${opts.streams} streams (${userCount} users × ${opts.streamsPerUser}), in two halves`);
    // Two halves, so the detail shows whether memory grows with the streams or jumps once.
    const half = Math.floor(userCount / 2);
    await openStreams(client, server.url, users.slice(0, half));
    const halfway = await settledRssMb(pid);
    await openStreams(client, server.url, users.slice(half), half * opts.streamsPerUser);
    const heapAfter = probe ? await heapAfterGcMb(pid, probe.file) : undefined;
    const after = await settledRssMb(pid);
    const idleAfter = await idleCpuMsPerSecond([pid]);
    const kbPerStream = ((after.median - before.median) * 1024) / opts.streams;
    const heapKbPerStream = heapBefore === undefined || heapAfter === undefined ? undefined : ((heapAfter - heapBefore) * 1024) / opts.streams;
    log(
      `  RSS ${before.median.toFixed(1)} → ${halfway.median.toFixed(1)} (half) → ${after.median.toFixed(1)} MB: ${kbPerStream.toFixed(1)} KB per idle stream; idle server CPU ${idleBefore.toFixed(1)} → ${idleAfter.toFixed(1)} ms/s`,
    );
    if (heapKbPerStream !== undefined)
      log(`  heap after GC ${heapBefore!.toFixed(1)} → ${heapAfter!.toFixed(1)} MB: ${heapKbPerStream.toFixed(1)} KB per idle stream`);
    if (wanted('S1')) {
      rows.push(
        streamMemoryRow({
          id: 'S1',
          name: `memory per idle stream, (with ${opts.streams} streams − before) / ${opts.streams}`,
          streams: opts.streams,
          rssMb: after.median,
          kbPerStream,
          heapKbPerStream,
          cpu: `${idleAfter.toFixed(1)} ms/s idle`,
          detail: {
            kbPerStream,
            heapKbPerStream,
            heapBeforeMb: heapBefore,
            heapAfterMb: heapAfter,
            rssBeforeMb: before.samples,
            rssHalfwayMb: halfway.samples,
            rssAfterMb: after.samples,
            idleCpuMsPerSecondBefore: idleBefore,
            idleCpuMsPerSecondAfter: idleAfter,
          },
        }),
      );
    }
    await measureRow(target, { ...list, id: 'S3a', name: `row 3, tasks(first:20), ${opts.streams} idle streams open`, ceiling: 'S3a0' });
    await measureRow(target, { ...create, id: 'S3b', name: `row 4a, createTask, ${opts.streams} idle streams open`, ceiling: 'S3b0' });
    if (wanted('S2')) {
      await measureEventLatency({
        id: 'S2',
        database: 'sqlite',
        name: `event latency, createTask response → event on each of its user's ${opts.streamsPerUser} streams, ${opts.writeRate} creates/s, ${opts.streams} streams`,
        writeUrl: server.url,
        users,
        client,
        serverPids: [pid],
        rssPid: pid,
      });
    }
  } catch (error) {
    log(`sqlite streams: failed; the server's last output:\n${server.output().slice(-4000)}`);
    throw error;
  } finally {
    await client?.close();
    await seeder.close();
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * Row S2pg: the latency of S2 across two ROLE=api nodes on PostgreSQL (LISTEN/NOTIFY), writes to
 * node A, every stream on node B; a ROLE=auth node signs the users up and mints their tokens.
 */
async function benchStreamsPostgres(adminUrl: string) {
  if (!wanted('S2pg')) return;
  const dataDir = tempDataDir('taskfort-bench-streams-pg-');
  const databaseUrl = postgresUrlFor(adminUrl, dataDir);
  const issuer = 'http://taskfort-bench.invalid';
  log('postgresql: live streams — one ROLE=auth node and two ROLE=api nodes on a fresh database');
  const nodes: RunningServer[] = [];
  let client: StreamClient | undefined;
  try {
    const authNode = await startServer({
      dataDir,
      env: {
        NODE_ENV: 'production',
        ROLE: 'auth',
        DATABASE_URL: databaseUrl,
        BETTER_AUTH_SECRET: randomBytes(32).toString('base64url'),
        JWT_ISSUER: issuer,
        ...streamServerEnv(),
        ...opts.serverEnv,
      },
    });
    nodes.push(authNode);
    const apiEnv = {
      NODE_ENV: 'production',
      ROLE: 'api',
      DATABASE_URL: databaseUrl,
      AUTH_JWKS_URL: `${authNode.url}/api/auth/jwks`,
      BETTER_AUTH_URL: authNode.url,
      BETTER_AUTH_SECRET: undefined,
      JWT_ISSUER: issuer,
      WEB_CONCURRENCY: opts.workers,
      ...streamServerEnv(),
      ...opts.serverEnv,
    };
    const [nodeA, nodeB] = await Promise.all([startServer({ dataDir, env: apiEnv }), startServer({ dataDir, env: apiEnv })]);
    nodes.push(nodeA!, nodeB!);
    const userCount = opts.streams / opts.streamsPerUser;
    log(`postgresql: signing up ${userCount} stream users`);
    const users = await streamUsers(new ApiClient(authNode.url), userCount);
    client = startStreamClient();
    log(`postgresql S2pg: opening ${opts.streams} streams on node B`);
    await openStreams(client, nodeB!.url, users);
    await sleep(2000);
    await measureEventLatency({
      id: 'S2pg',
      database: 'postgresql',
      name: `event latency across two ROLE=api nodes (writes → A, ${opts.streams} streams on B), ${opts.writeRate} creates/s`,
      writeUrl: nodeA!.url,
      users,
      client,
      serverPids: [nodeA!.process.pid!, nodeB!.process.pid!],
      rssPid: nodeB!.process.pid!,
    });
  } catch (error) {
    for (const node of nodes) log(`postgresql streams: failed; a node's last output:\n${node.output().slice(-2000)}`);
    throw error;
  } finally {
    await client?.close();
    for (const node of nodes.reverse()) await node.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- soak

/**
 * --soak=10m: one server process on SQLite (1k tasks, the list query) under a steady open-loop
 * load of --soak-rate requests/s from 100 clients; p99 and the worst latency per --window seconds,
 * and the server's resident memory sampled at each window's end.
 */
async function soak() {
  const dataDir = tempDataDir('taskfort-soak-');
  const env = {
    NODE_ENV: 'production',
    DATABASE_URL: `file:${join(dataDir, 'bench.db')}`,
    WEB_CONCURRENCY: '1',
    BETTER_AUTH_SECRET: randomBytes(32).toString('base64url'),
    JWT_ISSUER: 'http://taskfort-bench.invalid',
    ...opts.serverEnv,
  };
  const server = await startServer({ dataDir, env });
  const target: Target = { database: 'sqlite', server, api: new ApiClient(server.url), restart: async () => undefined };
  const seeder = sqliteSeeder(join(dataDir, 'bench.db'));
  try {
    // The soak outlives a JWT (15 min): sign the token's user up, and renew before it expires.
    const reader = await BenchUser.create(target, 'soak');
    await seeder.grow({ total: 1_000, measuredUserId: reader.user.id, measuredUserTasks: 1_000 });
    const body = JSON.stringify({ query: LIST, variables: { first: 20 } });
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${await reader.token()}` };
    await runLoad({ url: `${server.url}/graphql`, headers, body, connections: 10, duration: opts.warmup, warmup: 0 });
    log(`soak: ${opts.soakSeconds} s at ${opts.soakRate} req/s, windows of ${opts.windowSeconds} s`);
    const rss: number[] = [];
    const sampler = setInterval(() => rss.push(rssMbOfTree(server.process.pid!)), opts.windowSeconds * 1000);
    const result = await runLoad({
      url: `${server.url}/graphql`,
      headers,
      body,
      connections: 100,
      duration: opts.soakSeconds,
      warmup: 0,
      pacedRate: opts.soakRate,
      windowSeconds: opts.windowSeconds,
    });
    clearInterval(sampler);
    rss.push(rssMbOfTree(server.process.pid!));
    console.log(`\nSoak: tasks(first:20) on SQLite, one process, ${opts.soakRate} req/s open loop from 100 clients, ${opts.soakSeconds} s`);
    console.log('| window | requests | p99 | max | RSS at end |\n|---|---:|---:|---:|---:|');
    for (const [i, window] of (result.windows ?? []).entries()) {
      console.log(
        `| ${window.start}–${Math.min(window.start + opts.windowSeconds, opts.soakSeconds)} s | ${window.requests} | ${window.p99.toFixed(2)} ms | ${window.max.toFixed(1)} ms | ${(rss[i] ?? rss.at(-1)!).toFixed(0)} MB |`,
      );
    }
    console.log(
      `\nOverall: ${result.rps.toFixed(0)} req/s, p50 ${result.p50.toFixed(2)} ms, p99 ${result.p99.toFixed(2)} ms, max ${result.max.toFixed(1)} ms, ${result.non2xx + result.errors} failed`,
    );
  } finally {
    await seeder.close();
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- report

function addRatios() {
  for (const row of rows) {
    if (row.unit !== 'ms' || row.noRatios) continue;
    const baseline = rows.find((candidate) => candidate.database === row.database && candidate.id === '1');
    row.ratio = baseline ? row.rps / baseline.rps : null;
    const sameDatabase = (id: string) => rows.find((candidate) => candidate.database === row.database && candidate.id === id);
    if (!CEILING_IDS.has(row.id)) {
      const yoga = sameDatabase('Y');
      row.ratioToYoga = yoga ? row.rps / yoga.rps : null;
      const ceiling = row.ceilingId ? sameDatabase(row.ceilingId) : undefined;
      row.ratioToCeiling = ceiling ? row.rps / ceiling.rps : null;
    }
  }
}

function machineInfo() {
  const cpuList = cpus();
  return {
    cpuModel: cpuList[0]?.model ?? 'unknown',
    cores: cpuList.length,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    freeMemoryGb: Math.round(freemem() / 2 ** 30),
    loadAverage: loadavg(),
    node: process.version,
    platform: `${platform()} ${release()} ${arch()}`,
    date: new Date().toISOString(),
  };
}

/** Rows 7a–7d (JWT, with their ratio to jose) or 7e–7f (session liveness). */
function microRows(results: MicroResult[], ids: string, prefix: string, jose?: MicroResult) {
  results.forEach((result, i) =>
    rows.push({
      id: `7${ids[i]}`,
      database: 'in-process',
      name: `${prefix}${result.name}`,
      connections: 1,
      rps: 1e6 / result.meanUs,
      p50: result.p50Us,
      p99: result.p99Us,
      ratio: jose ? jose.meanUs / result.meanUs : null,
      unit: 'µs',
      detail: { meanUs: result.meanUs, iterations: result.ops },
    }),
  );
}

const CEILING_IDS = new Set(['0', 'Y', 'E', 'Wc', 'Wt']);
const CEILING_RANK: Record<string, number> = { '0': -0.3, Y: -0.2, E: -0.1, Wc: 3.8, Wt: 3.9 };

/** Database, then row number, then suffix (4a before 4b; 6 by database size; 6+ last); ceilings before what they bound. */
/** The live-stream rows after row 6o of their database: SY, S1, S2 (S2pg), then each S3 baseline before its row. */
const STREAM_RANK: Record<string, number> = { SY: 7.05, S1: 7.1, S2: 7.2, S2pg: 7.2, S3a0: 7.3, S3a: 7.31, S3b0: 7.32, S3b: 7.33 };

const order = (row: Row) => {
  if (row.id in STREAM_RANK) return { sqlite: 0, postgresql: 100, 'in-process': 200 }[row.database] + STREAM_RANK[row.id]!;
  if (row.id in CEILING_RANK) return { sqlite: 0, postgresql: 100, 'in-process': 200 }[row.database] + CEILING_RANK[row.id]!;
  const dbRank = { sqlite: 0, postgresql: 1, 'in-process': 2 }[row.database];
  const size = Number(row.detail?.tasksInDatabase ?? 0);
  const suffix = row.id.includes('@')
    ? size / 1e9
    : row.id.endsWith('+')
      ? 0.9
      : row.id === '6o'
        ? 0.95
        : row.id.length > 1
          ? (row.id.charCodeAt(1) - 96) / 100
          : 0;
  return dbRank * 100 + Number.parseInt(row.id, 10) + suffix;
};

export function formatTable(list: Row[]): string {
  const header = ['#', 'db', 'what', 'conns', 'req/s', 'p50', 'p99', 'vs Y', 'vs E/W', 'server CPU/req', 'RSS'];
  const percent = (ratio: number | null | undefined, of?: string) => (ratio == null ? '' : `${ratio.toFixed(2)}×${of ? ` ${of}` : ''}`);
  const lines = [...list]
    .sort((a, b) => order(a) - order(b))
    .map((row) => [
      row.id,
      row.database,
      row.name,
      String(row.connections),
      row.display?.rps ?? (row.unit === 'µs' ? `${Math.round(row.rps)}/s` : row.rps.toFixed(0)),
      row.display?.p50 ?? (Number.isFinite(row.p50) ? `${row.p50.toFixed(Math.abs(row.p50) < 10 ? 2 : 1)} ${row.unit}` : 'n/a'),
      row.display?.p99 ?? (Number.isFinite(row.p99) ? `${row.p99.toFixed(Math.abs(row.p99) < 10 ? 2 : 1)} ${row.unit}` : 'n/a'),
      row.unit === 'µs' ? (row.ratio === null ? '' : `${row.ratio.toFixed(1)}× jose`) : percent(row.ratioToYoga),
      percent(row.ratioToCeiling, row.ceilingId),
      row.display?.cpu ?? (row.cpuPerRequest === undefined || !Number.isFinite(row.cpuPerRequest) ? '' : `${row.cpuPerRequest.toFixed(2)} ms`),
      row.rssMb === undefined ? '' : `${row.rssMb.toFixed(0)} MB`,
    ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((line) => line[i]!.length)));
  const render = (cells: string[]) => `| ${cells.map((cell, i) => (i >= 3 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join(' | ')} |`;
  return [render(header), `|${widths.map((w, i) => (i >= 3 ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`, ...lines.map(render)].join('\n');
}

// ---------------------------------------------------------------- main

async function main() {
  // Every server here runs the bundle `npm start` runs.
  await ensureServerBuild();
  if (opts.soakSeconds > 0) return soak();
  const started = Date.now();
  const machine = machineInfo();
  log(`${machine.cpuModel}, ${machine.cores} cores, Node ${machine.node}; options ${JSON.stringify(opts)}`);

  if (['7a', '7b', '7c', '7d'].some(wanted)) {
    log('in-process: JWT verification micro-benchmark');
    const jwt = await benchJwtVerification();
    microRows(jwt, 'abcd', 'JWT: ', jwt[0]);
  }
  if (['7e', '7f'].some(wanted)) {
    log('in-process: session liveness (issue 12) micro-benchmark');
    microRows(await benchViewerLiveness(), 'ef', 'session: ');
  }

  if (opts.sqlite === 'on') {
    await benchDatabase('sqlite');
    await benchStreams();
  }

  let postgres: ThrowawayPostgres | undefined;
  const postgresRows = [...DATABASE_ROW_IDS, 'S2pg'].some(wanted);
  const wantPostgres = postgresRows && (opts.postgres === 'on' || (opts.postgres === 'auto' && (process.env.TEST_POSTGRES_URL || postgresBinariesAvailable())));
  if (wantPostgres) {
    try {
      const adminUrl = process.env.TEST_POSTGRES_URL ?? (postgres = await startThrowawayPostgres()).url;
      await benchDatabase('postgresql', adminUrl);
      await benchStreamsPostgres(adminUrl);
    } catch (error) {
      if (opts.postgres === 'on') throw error;
      log(`PostgreSQL rows skipped: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      postgres?.stop();
    }
  } else {
    log('PostgreSQL rows skipped (none of --rows is one, or --postgres=off, or no TEST_POSTGRES_URL and no /usr/local/bin/pg_ctl)');
  }

  addRatios();
  const table = formatTable(rows);
  console.log(`\nTaskfort benchmark — ${machine.cpuModel}, ${machine.cores} cores, Node ${machine.node}, ${machine.date}`);
  console.log(
    `WEB_CONCURRENCY=${opts.workers}; ${opts.duration}s per row after ${opts.warmup}s warm-up; load from a separate autocannon process on the same machine\n`,
  );
  console.log(table);
  if (memory.length) {
    console.log('\nResident memory of the Taskfort server (all its processes):');
    for (const database of new Set(memory.map((entry) => entry.database))) {
      const points = memory.filter((entry) => entry.database === database);
      const rounds = points.filter((entry) => entry.point.startsWith('after leak'));
      const growth = rounds.length > 1 ? rounds.at(-1)!.rssMb - rounds[0]!.rssMb : null;
      console.log(
        `  ${database}: ${points.map((entry) => `${entry.point} ${entry.rssMb.toFixed(0)} MB`).join(', ')}` +
          (growth === null ? '' : `; leak check: ${growth >= 0 ? '+' : ''}${growth.toFixed(0)} MB from the first to the last round`),
      );
    }
  }

  const outDir = resolve(repoRoot, 'bench-results');
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `${machine.date.replace(/[:.]/g, '-')}-${opts.label}.json`);
  writeFileSync(file, `${JSON.stringify({ machine, options: opts, seconds: (Date.now() - started) / 1000, rows, memory, table }, null, 2)}\n`);
  console.log(`\n${rows.length} rows in ${((Date.now() - started) / 1000).toFixed(0)} s; written to ${file}`);
}

await main();
