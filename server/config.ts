import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The nearest folder above this module with a package.json: the same from server/ (tsx) and dist/server/ (the build). */
function findRepoRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(resolve(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return resolve(from, '..');
  }
}

export const repoRoot = findRepoRoot(dirname(fileURLToPath(import.meta.url)));

export type DatabaseProvider = 'sqlite' | 'postgresql';

/**
 * all: auth + web app + API in one process (the default).
 * auth: Better Auth and the web app; holds the signing keys.
 * api: the GraphQL API only; no signing keys, verifies JWTs through AUTH_JWKS_URL.
 */
export type Role = 'all' | 'auth' | 'api';
const ROLES: Role[] = ['all', 'auth', 'api'];

/** What one request may cost; each refused before execution. */
export interface RequestLimits {
  maxDepth: number;
  maxAliases: number;
  maxDirectives: number;
  maxTokens: number;
  /** Pothos complexity: 1 per field, lists multiply by their page size, a mutation costs 25. */
  maxComplexity: number;
  /** Bytes in a /graphql request body (413 above). */
  maxBodyBytes: number;
  /** Bytes in an /api/auth request body: a 1 MB "password" never reaches the hasher. */
  maxAuthBodyBytes: number;
  /** Tasks one account may hold (createTask answers TASK_LIMIT_REACHED beyond). */
  maxTasksPerUser: number;
  /** Database time one user's searches may take per minute (RATE_LIMITED beyond; see searchBudget.ts). */
  searchMsPerMinute: number;
}

/** Live updates (Subscription.taskEvents over SSE). */
export interface SubscriptionLimits {
  /** Open streams in this process (MAX_SUBSCRIPTIONS); more are refused with TOO_MANY_SUBSCRIPTIONS. */
  maxPerProcess: number;
  /** Open streams per user in this process. */
  maxPerUser: number;
  /** Milliseconds between keep-alive comments on an idle stream (SUBSCRIPTION_KEEPALIVE, at most 15 s). */
  keepAliveMs: number;
}

export interface Config {
  role: Role;
  limits: RequestLimits;
  subscriptions: SubscriptionLimits;
  /** Per-IP limits on sign-in, sign-up and token minting (Better Auth's limiter, stored in the database). */
  authRateLimit: boolean;
  /** Failed sign-ins one email may have per window (seconds), whatever the IPs; always on (auth/rateLimitStore.ts). */
  signInFailuresPerAccount: { window: number; max: number };
  /**
   * Proxies whose X-Forwarded-For is believed (proxy-addr syntax: "loopback", CIDRs, IPs).
   * Empty: the client IP is the socket's peer, and X-Forwarded-For is ignored.
   */
  trustedProxies: string[];
  /** Worker processes (Node cluster) sharing the port; 1 = no cluster. */
  workers: number;
  /** Connections per process in the PostgreSQL pool. */
  databasePoolSize: number;
  /** Named (prepared) statements for the hot writes on PostgreSQL (DATABASE_PREPARED_STATEMENTS, default on; see db/preparedStatements.ts). */
  databasePreparedStatements: boolean;
  /** SQLite: the writes of one event-loop turn share one commit and its fsync (DATABASE_GROUP_COMMIT, default on; see db/groupCommit.ts). */
  databaseGroupCommit: boolean;
  /** Seconds between signing-key rotations (undefined: never rotate). */
  jwksRotationInterval: number | undefined;
  /** Seconds a rotated-out public key stays published; longer than any token's lifetime. */
  jwksGracePeriod: number;
  port: number;
  host: string;
  isProduction: boolean;
  databaseUrl: string;
  databaseProvider: DatabaseProvider;
  /** Public origin of the auth server: Better Auth's baseURL and the JWT issuer. */
  baseUrl: string;
  jwtIssuer: string;
  jwtAudience: string;
  jwtExpiresIn: string;
  /** When set, the API verifies JWTs against this remote key set instead of the in-process one. */
  authJwksUrl: string | undefined;
  trustedOrigins: string[];
  clientDistDir: string;
  /** Verified JWTs remembered per process until their exp (0 = off). */
  tokenCacheSize: number;
  /** Log the SQL statements of each request (TASKFORT_SQL_STATS=1). */
  sqlStats: boolean;
  /** Compile repeated documents with graphql-jit (GRAPHQL_JIT, default on). */
  graphqlJit: boolean;
  mail: {
    smtpUrl: string | undefined;
    from: string;
    /** Seconds a password reset link stays valid. */
    passwordResetTokenTtl: number;
  };
  /** BETTER_AUTH_SECRET; when unset, server/auth/secret.ts resolves a development one at start-up. */
  authSecret: string | undefined;
  /** pino level: fatal, error, warn, info (default), debug, trace or silent. */
  logLevel: LogLevel;
  /** Bearer token that unlocks GET /metrics on the main port; undefined: /metrics answers 404 there. */
  metricsToken: string | undefined;
  /** A second listener on 127.0.0.1 serving only /metrics, without a token; undefined: none. */
  metricsPort: number | undefined;
  http: HttpTimeouts;
}

/** Connection timing and the SIGTERM sequence (README "Shutdown and keep-alive"). */
export interface HttpTimeouts {
  /** Idle keep-alive connections stay open this long; longer than proxies' idle timeouts (60 s). */
  keepAliveTimeoutMs: number;
  /** A request's headers must arrive within this (counted per request, not across idle time). */
  headersTimeoutMs: number;
  /** A whole request (headers and body) must arrive within this. */
  requestTimeoutMs: number;
  /** After SIGTERM: keep accepting this long while /readyz answers 503, then stop accepting. */
  shutdownDrainDelayMs: number;
  /** After SIGTERM: exit with status 1 if requests are still running after this long. */
  shutdownTimeoutMs: number;
}

export const DEFAULT_DATABASE_URL = 'file:./data/taskfort.db';

/** One environment variable: its documentation lives here, next to the code that reads it. */
export interface ConfigVariable {
  name: string;
  section: string;
  /** The value .env.example shows ('' = unset by default). */
  example: string;
  /** The default as the README states it. */
  defaultText: string;
  /** One or more sentences for .env.example and the README table. */
  description: string;
}

const SERVER = 'Server';
const AUTH = 'Authentication and tokens';
const MAIL = 'Mail (password reset)';
const LAYOUT = 'Production layout (README "Running in production")';
const LIMITS = 'Abuse limits (README "Security")';
const DIAGNOSIS = 'Diagnosis';

/**
 * Every variable the server reads, in the order .env.example lists them. loadConfig reads only
 * these (see `read`), and .env.example and the README's configuration table are generated from
 * this table (`npm run config:docs`; a unit test fails when they drift).
 */
export const CONFIG_VARIABLES: readonly ConfigVariable[] = [
  { name: 'PORT', section: SERVER, example: '3000', defaultText: '`3000`', description: 'TCP port the server listens on (0 picks a free one).' },
  { name: 'HOST', section: SERVER, example: '127.0.0.1', defaultText: '`127.0.0.1`', description: 'Interface to listen on; 0.0.0.0 for every interface.' },
  {
    name: 'DATABASE_URL',
    section: SERVER,
    example: 'file:./data/taskfort.db',
    defaultText: '`file:./data/taskfort.db`',
    description: 'file:<path> for SQLite (relative paths resolve against the repository root) or postgresql://user:password@host:5432/taskfort for PostgreSQL.',
  },
  {
    name: 'NODE_ENV',
    section: SERVER,
    example: '',
    defaultText: '—',
    description:
      'production refuses to start without BETTER_AUTH_SECRET. It does not make cookies Secure by itself: they are Secure only when BETTER_AUTH_URL is https://, and production warns at start-up when it is not.',
  },
  {
    name: 'GRAPHQL_JIT',
    section: SERVER,
    example: '',
    defaultText: 'on',
    description:
      'Compile each GraphQL document on its tenth execution with graphql-jit (faster; same resolvers, rules, limits and error messages; introspection stays interpreted; at most 100 compiled documents kept). off runs every document on graphql-js.',
  },
  {
    name: 'CLIENT_DIST_DIR',
    section: SERVER,
    example: '',
    defaultText: '`dist/client`',
    description: 'Where the built web app is served from (relative to the repository root).',
  },
  {
    name: 'BETTER_AUTH_SECRET',
    section: AUTH,
    example: '',
    defaultText: 'generated into `data/.auth-secret`',
    description:
      'At least 32 random characters (openssl rand -base64 32); encrypts the JWT signing keys at rest and signs session cookies. Development: generated once next to the database when unset. Production: required.',
  },
  {
    name: 'BETTER_AUTH_URL',
    section: AUTH,
    example: '',
    defaultText: '`http://localhost:PORT` (or `http://HOST:PORT` for another HOST)',
    description: "The public URL users reach the app at: Better Auth's baseURL and the JWT issuer.",
  },
  {
    name: 'JWT_EXPIRES_IN',
    section: AUTH,
    example: '15m',
    defaultText: '`15m`',
    description: 'Lifetime of the JWTs minted at /api/auth/token (e.g. 15m, 1h, 20s).',
  },
  { name: 'JWT_AUDIENCE', section: AUTH, example: '', defaultText: '`taskfort-api`', description: 'The JWT audience the API requires.' },
  { name: 'JWT_ISSUER', section: AUTH, example: '', defaultText: '`BETTER_AUTH_URL`', description: 'The JWT issuer the API requires.' },
  {
    name: 'AUTH_JWKS_URL',
    section: AUTH,
    example: '',
    defaultText: '(in-process keys)',
    description:
      'Verify JWTs against this remote JWKS instead of the in-process key set (an API node running apart from the auth server), e.g. https://auth.example.com/api/auth/jwks.',
  },
  {
    name: 'TRUSTED_ORIGINS',
    section: AUTH,
    example: '',
    defaultText: '—',
    description: 'Extra origins (comma-separated) allowed to call /api/auth from a browser, e.g. a Vite dev server.',
  },
  {
    name: 'TOKEN_CACHE_SIZE',
    section: AUTH,
    example: '10000',
    defaultText: '`10000`',
    description: 'Verified JWTs remembered per process until their exp (0 turns the cache off).',
  },
  {
    name: 'SMTP_URL',
    section: MAIL,
    example: '',
    defaultText: '— (development: mail goes to a file in the outbox folder; production: mail features unavailable)',
    description:
      'Where mail is sent: smtp://user:password@host:587 (STARTTLS required: a server that does not offer it gets neither the password nor a message; only a relay on a loopback address, such as 127.0.0.1 or localhost, is spoken to in clear text) or smtps://user:password@host:465 (TLS from the start). Unset in development: each message, link included, is written to a file in `outbox/` beside the SQLite file (./data/outbox for PostgreSQL), and the log says which file, never the link. Unset with NODE_ENV=production: password reset says it is unavailable.',
  },
  {
    name: 'MAIL_FROM',
    section: MAIL,
    example: '',
    defaultText: '`Taskfort <no-reply@HOST>`',
    description: 'The From address of the mail Taskfort sends, e.g. "Taskfort <no-reply@example.com>".',
  },
  {
    name: 'PASSWORD_RESET_TOKEN_TTL',
    section: MAIL,
    example: '1h',
    defaultText: '`1h`',
    description: 'How long a password reset link stays valid (it also works only once), e.g. 30m or 1h.',
  },
  {
    name: 'ROLE',
    section: LAYOUT,
    example: 'all',
    defaultText: '`all`',
    description:
      "all (auth + web app + API in one process), auth (Better Auth + web app, holds the signing keys) or api (GraphQL only; needs AUTH_JWKS_URL, and BETTER_AUTH_URL or JWT_ISSUER set to the auth node's public URL).",
  },
  {
    name: 'WEB_CONCURRENCY',
    section: LAYOUT,
    example: '1',
    defaultText: '`1`',
    description: 'Worker processes sharing the port (Node cluster): a number, or auto for one per CPU core.',
  },
  {
    name: 'DATABASE_POOL_SIZE',
    section: LAYOUT,
    example: '10',
    defaultText: '`10`',
    description: "PostgreSQL connections per process (keep processes × pool under the server's limit).",
  },
  {
    name: 'DATABASE_PREPARED_STATEMENTS',
    section: LAYOUT,
    example: 'on',
    defaultText: 'on',
    description:
      'PostgreSQL: each connection parses and plans the task writes (createTask, toggleTask) once and reuses them (named prepared statements). Set off behind a pooler that does not keep them across transactions (PgBouncer in transaction mode before 1.21, or with max_prepared_statements = 0).',
  },
  {
    name: 'DATABASE_GROUP_COMMIT',
    section: LAYOUT,
    example: 'on',
    defaultText: 'on',
    description:
      'SQLite: the writes that arrive together share one transaction and one fsync; each is acknowledged only once that commit is on disk, so durability is unchanged. Off: one commit per write.',
  },
  {
    name: 'JWKS_ROTATION_INTERVAL',
    section: LAYOUT,
    example: '',
    defaultText: 'never',
    description: 'Signing-key rotation: a new key at the first signing after this interval (e.g. 30d; unset: never).',
  },
  {
    name: 'JWKS_GRACE_PERIOD',
    section: LAYOUT,
    example: '30d',
    defaultText: '`30d`',
    description: 'How long a rotated-out public key stays published; must exceed JWT_EXPIRES_IN.',
  },
  {
    name: 'SHUTDOWN_DRAIN_DELAY',
    section: LAYOUT,
    example: '5s',
    defaultText: '`5s`',
    description:
      'After SIGTERM: keep accepting this long while /readyz answers 503 (so the load balancer stops sending), then close the listener and finish the requests already received (500ms, 5s, 1m).',
  },
  {
    name: 'SHUTDOWN_TIMEOUT',
    section: LAYOUT,
    example: '30s',
    defaultText: '`30s`',
    description: 'From SIGTERM: give up on requests still running after this and exit with status 1.',
  },
  {
    name: 'HTTP_KEEP_ALIVE_TIMEOUT',
    section: LAYOUT,
    example: '65s',
    defaultText: '`65s`',
    description:
      "Idle keep-alive connections stay open this long: longer than the proxy's idle timeout (60 s on most load balancers), so the proxy never reuses a connection the server is closing.",
  },
  {
    name: 'HTTP_HEADERS_TIMEOUT',
    section: LAYOUT,
    example: '15s',
    defaultText: '`15s`',
    description:
      "A request's headers must arrive within this (a slow-client bound, counted per request, not across a keep-alive connection's idle time); at most HTTP_REQUEST_TIMEOUT.",
  },
  {
    name: 'HTTP_REQUEST_TIMEOUT',
    section: LAYOUT,
    example: '30s',
    defaultText: '`30s`',
    description: 'A whole request (headers and body) must arrive within this.',
  },
  {
    name: 'MAX_SUBSCRIPTIONS',
    section: LIMITS,
    example: '5000',
    defaultText: '`5000`',
    description: 'Open live-update streams (Subscription.taskEvents) per process; more are refused with TOO_MANY_SUBSCRIPTIONS. Each user may hold at most 20.',
  },
  {
    name: 'SUBSCRIPTION_KEEPALIVE',
    section: LIMITS,
    example: '12s',
    defaultText: '`12s`',
    description: 'Time between keep-alive comments on an idle live-update stream (1s to 15s), so proxies do not drop it.',
  },
  {
    name: 'TRUST_PROXY',
    section: LIMITS,
    example: '',
    defaultText: '—',
    description:
      'Proxies whose X-Forwarded-For is believed, in proxy-addr syntax (loopback, 10.0.0.0/8, an IP). Empty: the client IP is the TCP peer and X-Forwarded-For is ignored.',
  },
  {
    name: 'AUTH_RATE_LIMIT',
    section: LIMITS,
    example: 'on',
    defaultText: '`on`',
    description: 'Per-IP limits on sign-in (10/min), sign-up (5/min) and token minting (120/min): on or off.',
  },
  {
    name: 'SIGN_IN_FAILURES_PER_ACCOUNT',
    section: LIMITS,
    example: '10',
    defaultText: '`10`',
    description:
      'Sign-ins for one email that may fail within SIGN_IN_FAILURE_WINDOW, whatever the client IPs (known or unknown address alike); further attempts answer 429 TOO_MANY_FAILED_SIGN_INS with Retry-After, without checking the password, until the window ends. A successful sign-in or a completed password reset clears the count. Always on, also with AUTH_RATE_LIMIT=off.',
  },
  {
    name: 'SIGN_IN_FAILURE_WINDOW',
    section: LIMITS,
    example: '15m',
    defaultText: '`15m`',
    description:
      'The window SIGN_IN_FAILURES_PER_ACCOUNT counts in (1m to 24h), from the first failure; it is also how long an account stays throttled at most.',
  },
  {
    name: 'GRAPHQL_MAX_DEPTH',
    section: LIMITS,
    example: '10',
    defaultText: '`10`',
    description: 'Deepest selection a GraphQL document may have (QUERY_TOO_COMPLEX above).',
  },
  { name: 'GRAPHQL_MAX_ALIASES', section: LIMITS, example: '15', defaultText: '`15`', description: 'Aliases per GraphQL document.' },
  { name: 'GRAPHQL_MAX_DIRECTIVES', section: LIMITS, example: '10', defaultText: '`10`', description: 'Directives per GraphQL document.' },
  { name: 'GRAPHQL_MAX_TOKENS', section: LIMITS, example: '1000', defaultText: '`1000`', description: 'Lexical tokens per GraphQL document.' },
  {
    name: 'GRAPHQL_MAX_COMPLEXITY',
    section: LIMITS,
    example: '2500',
    defaultText: '`2500`',
    description: 'Price limit of one GraphQL request (see README "Security" for how fields are priced).',
  },
  {
    name: 'MAX_TASKS_PER_USER',
    section: LIMITS,
    example: '100000',
    defaultText: '`100000`',
    description: 'Tasks one account may hold; createTask beyond it answers TASK_LIMIT_REACHED.',
  },
  {
    name: 'SEARCH_TIME_PER_MINUTE',
    section: LIMITS,
    example: '5s',
    defaultText: '`5s`',
    description:
      "Database time one user's task searches may take per minute (a search reads all of the user's tasks); beyond it searches answer RATE_LIMITED (429, Retry-After) until it refills. Per process.",
  },
  {
    name: 'GRAPHQL_MAX_BODY_BYTES',
    section: LIMITS,
    example: '102400',
    defaultText: '`102400`',
    description: 'Bytes in a /graphql request body (413 above; a body without Content-Length gets 411).',
  },
  { name: 'AUTH_MAX_BODY_BYTES', section: LIMITS, example: '16384', defaultText: '`16384`', description: 'Bytes in an /api/auth request body.' },
  {
    name: 'LOG_LEVEL',
    section: DIAGNOSIS,
    example: 'info',
    defaultText: '`info`',
    description:
      'fatal, error, warn, info, debug, trace or silent. One JSON object per line (pretty only when stdout is a terminal and pino-pretty is installed).',
  },
  {
    name: 'METRICS_TOKEN',
    section: DIAGNOSIS,
    example: '',
    defaultText: '— (/metrics answers 404)',
    description: 'At least 16 characters: GET /metrics on the main port then answers Prometheus text to Authorization: Bearer <token>.',
  },
  {
    name: 'METRICS_PORT',
    section: DIAGNOSIS,
    example: '',
    defaultText: '—',
    description: 'A second listener on 127.0.0.1 that serves only /metrics, without a token (for a local Prometheus or agent).',
  },
  {
    name: 'TASKFORT_SQL_STATS',
    section: DIAGNOSIS,
    example: '',
    defaultText: 'off',
    description: 'Set to 1 to log the SQL statements each request ran (tests and benchmarks; costs a little per request).',
  },
];

const DECLARED = new Set(CONFIG_VARIABLES.map((variable) => variable.name));

/** Reads one declared variable; '' counts as unset. Reading an undeclared name is a programming error. */
function read(env: NodeJS.ProcessEnv, name: string): string | undefined {
  if (!DECLARED.has(name)) throw new Error(`${name} is not declared in CONFIG_VARIABLES`);
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

function logLevel(value: string | undefined): LogLevel {
  if (!value) return 'info';
  const level = value.trim().toLowerCase() as LogLevel;
  if (!LOG_LEVELS.includes(level)) throw new Error(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${value}"`);
  return level;
}

function metricsPort(env: NodeJS.ProcessEnv, mainPort: number): number | undefined {
  if (read(env, 'METRICS_PORT') === undefined) return undefined;
  const port = integer(env, 'METRICS_PORT', 0, { min: 1, max: 65535 });
  if (port === mainPort) throw new Error(`METRICS_PORT must differ from PORT, got "${port}"`);
  return port;
}

function metricsToken(value: string | undefined): string | undefined {
  if (!value) return undefined;
  if (value.length < 16) throw new Error('METRICS_TOKEN must be at least 16 characters long (e.g. `openssl rand -hex 32`)');
  return value;
}

export function databaseProviderOf(databaseUrl: string): DatabaseProvider {
  if (/^postgres(ql)?:\/\//i.test(databaseUrl)) return 'postgresql';
  if (databaseUrl.startsWith('file:')) return 'sqlite';
  throw new Error(`DATABASE_URL must start with file: (SQLite) or postgresql:// (PostgreSQL)`);
}

/** Relative SQLite paths resolve against the repo root, the same way prisma.config.ts resolves them. */
export function normalizeDatabaseUrl(databaseUrl: string): string {
  if (!databaseUrl.startsWith('file:')) return databaseUrl;
  const path = databaseUrl.slice('file:'.length);
  if (path === ':memory:' || isAbsolute(path)) return databaseUrl;
  return `file:${resolve(repoRoot, path)}`;
}

export function sqlitePathOf(databaseUrl: string): string {
  return databaseUrl.slice('file:'.length);
}

/** Where development keeps files beside its data: the SQLite file's directory, or ./data for PostgreSQL. */
export function localDataDir(config: Pick<Config, 'databaseProvider' | 'databaseUrl'>): string {
  return config.databaseProvider === 'sqlite' ? dirname(sqlitePathOf(config.databaseUrl)) : resolve(repoRoot, 'data');
}

/** "20s", "15m", "12h", "30d" or plain seconds → seconds. */
export function durationSeconds(value: string, name: string): number {
  const match = /^\s*(\d+)\s*(s|m|h|d)?\s*$/i.exec(value);
  if (!match) throw new Error(`${name} must be a duration such as 20s, 15m, 12h or 30d, got "${value}"`);
  const unit = { s: 1, m: 60, h: 3600, d: 86400 }[(match[2] ?? 's').toLowerCase() as 's' | 'm' | 'h' | 'd'];
  return Number(match[1]) * unit;
}

/** "500ms", "5s", "2m" or plain seconds → milliseconds. */
export function durationMs(value: string, name: string): number {
  const match = /^\s*(\d+)\s*(ms|s|m)?\s*$/i.exec(value);
  if (!match) throw new Error(`${name} must be a duration such as 500ms, 5s or 2m, got "${value}"`);
  const unit = { ms: 1, s: 1000, m: 60_000 }[(match[2] ?? 's').toLowerCase() as 'ms' | 's' | 'm'];
  return Number(match[1]) * unit;
}

function searchTimePerMinute(env: NodeJS.ProcessEnv): number {
  const ms = durationMs(read(env, 'SEARCH_TIME_PER_MINUTE') ?? '5s', 'SEARCH_TIME_PER_MINUTE');
  if (ms < 1 || ms > 60_000) throw new Error(`SEARCH_TIME_PER_MINUTE must be 1ms-60s, got "${env.SEARCH_TIME_PER_MINUTE}"`);
  return ms;
}

function signInFailureWindow(env: NodeJS.ProcessEnv): number {
  const seconds = durationSeconds(read(env, 'SIGN_IN_FAILURE_WINDOW') ?? '15m', 'SIGN_IN_FAILURE_WINDOW');
  if (seconds < 60 || seconds > 86_400) throw new Error(`SIGN_IN_FAILURE_WINDOW must be 1m-24h, got "${env.SIGN_IN_FAILURE_WINDOW}"`);
  return seconds;
}

function httpTimeouts(env: NodeJS.ProcessEnv): HttpTimeouts {
  const duration = (name: string, fallback: string) => durationMs(read(env, name) ?? fallback, name);
  const timeouts: HttpTimeouts = {
    keepAliveTimeoutMs: duration('HTTP_KEEP_ALIVE_TIMEOUT', '65s'),
    headersTimeoutMs: duration('HTTP_HEADERS_TIMEOUT', '15s'),
    requestTimeoutMs: duration('HTTP_REQUEST_TIMEOUT', '30s'),
    shutdownDrainDelayMs: duration('SHUTDOWN_DRAIN_DELAY', '5s'),
    shutdownTimeoutMs: duration('SHUTDOWN_TIMEOUT', '30s'),
  };
  if (timeouts.keepAliveTimeoutMs < 1000) throw new Error('HTTP_KEEP_ALIVE_TIMEOUT must be at least 1s');
  if (timeouts.headersTimeoutMs < 1000) throw new Error('HTTP_HEADERS_TIMEOUT must be at least 1s');
  if (timeouts.headersTimeoutMs > timeouts.requestTimeoutMs) {
    throw new Error('HTTP_HEADERS_TIMEOUT must not exceed HTTP_REQUEST_TIMEOUT (Node refuses it)');
  }
  if (timeouts.shutdownTimeoutMs <= timeouts.shutdownDrainDelayMs) {
    throw new Error('SHUTDOWN_TIMEOUT must be longer than SHUTDOWN_DRAIN_DELAY (it counts from the signal and includes the delay)');
  }
  return timeouts;
}

function workerCount(value: string | undefined): number {
  if (!value) return 1;
  if (value === 'auto') return availableParallelism();
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1 || count > 64) throw new Error(`WEB_CONCURRENCY must be 1-64 or "auto", got "${value}"`);
  return count;
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, { min = 1, max = Number.MAX_SAFE_INTEGER } = {}): number {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function onOff(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  if (/^(on|true|1)$/i.test(raw)) return true;
  if (/^(off|false|0)$/i.test(raw)) return false;
  throw new Error(`${name} must be on or off, got "${raw}"`);
}

function splitList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

function smtpUrl(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!/^smtps?:\/\/[^\s/]+/i.test(value)) throw new Error('SMTP_URL must look like smtp://user:password@host:587 or smtps://user:password@host:465');
  return value;
}

/** Turns the environment into a Config: no side effects, and the only place that reads variables. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = integer(env, 'PORT', 3000, { min: 0, max: 65535 });
  const host = read(env, 'HOST') ?? '127.0.0.1';
  const databaseUrl = normalizeDatabaseUrl(read(env, 'DATABASE_URL') ?? DEFAULT_DATABASE_URL);
  // Links and the start-up line name the address the README gives (a loopback or wildcard bind is localhost).
  const displayHost = ['0.0.0.0', '::', '127.0.0.1', '::1'].includes(host) ? 'localhost' : host;
  const explicitBaseUrl = read(env, 'BETTER_AUTH_URL');
  const baseUrl = (explicitBaseUrl ?? `http://${displayHost}:${port}`).replace(/\/+$/, '');
  const trustedOrigins = new Set([new URL(baseUrl).origin, ...splitList(read(env, 'TRUSTED_ORIGINS'))]);
  // A local default install is reached as both localhost and 127.0.0.1; trust both.
  if (!explicitBaseUrl) {
    trustedOrigins.add(`http://localhost:${port}`);
    trustedOrigins.add(`http://127.0.0.1:${port}`);
  }
  const role = (read(env, 'ROLE') ?? 'all') as Role;
  if (!ROLES.includes(role)) throw new Error(`ROLE must be one of ${ROLES.join(', ')}, got "${env.ROLE}"`);
  const authJwksUrl = read(env, 'AUTH_JWKS_URL');
  if (role === 'api' && !authJwksUrl) {
    throw new Error('ROLE=api verifies tokens against the auth node: set AUTH_JWKS_URL (e.g. https://auth.example.com/api/auth/jwks)');
  }
  const jwtExpiresIn = read(env, 'JWT_EXPIRES_IN') ?? '15m';
  const tokenLifetime = durationSeconds(jwtExpiresIn, 'JWT_EXPIRES_IN');
  const rotation = read(env, 'JWKS_ROTATION_INTERVAL');
  const jwksRotationInterval = rotation ? durationSeconds(rotation, 'JWKS_ROTATION_INTERVAL') : undefined;
  const jwksGracePeriod = durationSeconds(read(env, 'JWKS_GRACE_PERIOD') ?? '30d', 'JWKS_GRACE_PERIOD');
  if (jwksGracePeriod <= tokenLifetime) {
    throw new Error(
      `JWKS_GRACE_PERIOD (${jwksGracePeriod}s) must be longer than JWT_EXPIRES_IN (${tokenLifetime}s), or tokens signed just before a rotation would stop verifying`,
    );
  }
  const authSecret = read(env, 'BETTER_AUTH_SECRET');
  if (authSecret !== undefined && authSecret.length < 32) throw new Error('BETTER_AUTH_SECRET must be at least 32 characters long');
  const keepAliveSeconds = durationSeconds(read(env, 'SUBSCRIPTION_KEEPALIVE') ?? '12s', 'SUBSCRIPTION_KEEPALIVE');
  // Proxies commonly drop a stream idle for 30-60 s; the contract promises a comment every 15 s at most.
  if (keepAliveSeconds < 1 || keepAliveSeconds > 15) throw new Error(`SUBSCRIPTION_KEEPALIVE must be 1s-15s, got "${env.SUBSCRIPTION_KEEPALIVE}"`);
  return {
    role,
    limits: {
      maxDepth: integer(env, 'GRAPHQL_MAX_DEPTH', 10),
      maxAliases: integer(env, 'GRAPHQL_MAX_ALIASES', 15),
      maxDirectives: integer(env, 'GRAPHQL_MAX_DIRECTIVES', 10),
      maxTokens: integer(env, 'GRAPHQL_MAX_TOKENS', 1000),
      maxComplexity: integer(env, 'GRAPHQL_MAX_COMPLEXITY', 2500),
      maxBodyBytes: integer(env, 'GRAPHQL_MAX_BODY_BYTES', 100 * 1024),
      maxAuthBodyBytes: integer(env, 'AUTH_MAX_BODY_BYTES', 16 * 1024),
      maxTasksPerUser: integer(env, 'MAX_TASKS_PER_USER', 100_000),
      searchMsPerMinute: searchTimePerMinute(env),
    },
    subscriptions: {
      maxPerProcess: integer(env, 'MAX_SUBSCRIPTIONS', 5000),
      maxPerUser: 20,
      keepAliveMs: keepAliveSeconds * 1000,
    },
    authRateLimit: onOff(env, 'AUTH_RATE_LIMIT', true),
    signInFailuresPerAccount: { window: signInFailureWindow(env), max: integer(env, 'SIGN_IN_FAILURES_PER_ACCOUNT', 10) },
    trustedProxies: splitList(read(env, 'TRUST_PROXY')),
    workers: workerCount(read(env, 'WEB_CONCURRENCY')),
    databasePoolSize: integer(env, 'DATABASE_POOL_SIZE', 10),
    databasePreparedStatements: onOff(env, 'DATABASE_PREPARED_STATEMENTS', true),
    databaseGroupCommit: onOff(env, 'DATABASE_GROUP_COMMIT', true),
    jwksRotationInterval,
    jwksGracePeriod,
    port,
    host,
    isProduction: read(env, 'NODE_ENV') === 'production',
    databaseUrl,
    databaseProvider: databaseProviderOf(databaseUrl),
    baseUrl,
    jwtIssuer: read(env, 'JWT_ISSUER') ?? baseUrl,
    jwtAudience: read(env, 'JWT_AUDIENCE') ?? 'taskfort-api',
    jwtExpiresIn,
    authJwksUrl,
    trustedOrigins: [...trustedOrigins],
    clientDistDir: resolve(repoRoot, read(env, 'CLIENT_DIST_DIR') ?? 'dist/client'),
    tokenCacheSize: integer(env, 'TOKEN_CACHE_SIZE', 10_000, { min: 0 }),
    sqlStats: onOff(env, 'TASKFORT_SQL_STATS', false),
    graphqlJit: onOff(env, 'GRAPHQL_JIT', true),
    authSecret,
    mail: {
      smtpUrl: smtpUrl(read(env, 'SMTP_URL')),
      from: read(env, 'MAIL_FROM') ?? `Taskfort <no-reply@${new URL(baseUrl).hostname}>`,
      passwordResetTokenTtl: durationSeconds(read(env, 'PASSWORD_RESET_TOKEN_TTL') ?? '1h', 'PASSWORD_RESET_TOKEN_TTL'),
    },
    logLevel: logLevel(read(env, 'LOG_LEVEL')),
    metricsToken: metricsToken(read(env, 'METRICS_TOKEN')),
    metricsPort: metricsPort(env, port),
    http: httpTimeouts(env),
  };
}
