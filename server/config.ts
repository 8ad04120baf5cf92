import { availableParallelism } from 'node:os';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

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
  /**
   * Proxies whose X-Forwarded-For is believed (proxy-addr syntax: "loopback", CIDRs, IPs).
   * Empty: the client IP is the socket's peer, and X-Forwarded-For is ignored.
   */
  trustedProxies: string[];
  /** Worker processes (Node cluster) sharing the port; 1 = no cluster. */
  workers: number;
  /** Connections per process in the PostgreSQL pool. */
  databasePoolSize: number;
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

/** "20s", "15m", "12h", "30d" or plain seconds → seconds. */
export function durationSeconds(value: string, name: string): number {
  const match = /^\s*(\d+)\s*(s|m|h|d)?\s*$/i.exec(value);
  if (!match) throw new Error(`${name} must be a duration such as 20s, 15m, 12h or 30d, got "${value}"`);
  const unit = { s: 1, m: 60, h: 3600, d: 86400 }[(match[2] ?? 's').toLowerCase() as 's' | 'm' | 'h' | 'd'];
  return Number(match[1]) * unit;
}

function workerCount(value: string | undefined): number {
  if (!value) return 1;
  if (value === 'auto') return availableParallelism();
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1 || count > 64) throw new Error(`WEB_CONCURRENCY must be 1-64 or "auto", got "${value}"`);
  return count;
}

function positiveInteger(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return value;
}

function onOff(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
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

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be 0-65535, got "${env.PORT}"`);
  const host = env.HOST || '127.0.0.1';
  const databaseUrl = normalizeDatabaseUrl(env.DATABASE_URL || 'file:./data/taskfort.db');
  const displayHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  const baseUrl = (env.BETTER_AUTH_URL || `http://${displayHost}:${port}`).replace(/\/+$/, '');
  const trustedOrigins = new Set([new URL(baseUrl).origin, ...splitList(env.TRUSTED_ORIGINS)]);
  // A local default install is reached as both localhost and 127.0.0.1; trust both.
  if (!env.BETTER_AUTH_URL) {
    trustedOrigins.add(`http://localhost:${port}`);
    trustedOrigins.add(`http://127.0.0.1:${port}`);
  }
  const role = (env.ROLE || 'all') as Role;
  if (!ROLES.includes(role)) throw new Error(`ROLE must be one of ${ROLES.join(', ')}, got "${env.ROLE}"`);
  if (role === 'api' && !env.AUTH_JWKS_URL) {
    throw new Error('ROLE=api verifies tokens against the auth node: set AUTH_JWKS_URL (e.g. https://auth.example.com/api/auth/jwks)');
  }
  const jwtExpiresIn = env.JWT_EXPIRES_IN || '15m';
  const tokenLifetime = durationSeconds(jwtExpiresIn, 'JWT_EXPIRES_IN');
  const jwksRotationInterval = env.JWKS_ROTATION_INTERVAL ? durationSeconds(env.JWKS_ROTATION_INTERVAL, 'JWKS_ROTATION_INTERVAL') : undefined;
  const jwksGracePeriod = durationSeconds(env.JWKS_GRACE_PERIOD || '30d', 'JWKS_GRACE_PERIOD');
  if (jwksGracePeriod <= tokenLifetime) {
    throw new Error(`JWKS_GRACE_PERIOD (${jwksGracePeriod}s) must be longer than JWT_EXPIRES_IN (${tokenLifetime}s), or tokens signed just before a rotation would stop verifying`);
  }
  const keepAliveSeconds = durationSeconds(env.SUBSCRIPTION_KEEPALIVE || '12s', 'SUBSCRIPTION_KEEPALIVE');
  // Proxies commonly drop a stream idle for 30-60 s; the contract promises a comment every 15 s at most.
  if (keepAliveSeconds < 1 || keepAliveSeconds > 15) throw new Error(`SUBSCRIPTION_KEEPALIVE must be 1s-15s, got "${env.SUBSCRIPTION_KEEPALIVE}"`);
  const databasePoolSize = Number(env.DATABASE_POOL_SIZE || 10);
  if (!Number.isInteger(databasePoolSize) || databasePoolSize < 1) throw new Error(`DATABASE_POOL_SIZE must be a positive integer`);
  return {
    role,
    limits: {
      maxDepth: positiveInteger(env, 'GRAPHQL_MAX_DEPTH', 10),
      maxAliases: positiveInteger(env, 'GRAPHQL_MAX_ALIASES', 15),
      maxDirectives: positiveInteger(env, 'GRAPHQL_MAX_DIRECTIVES', 10),
      maxTokens: positiveInteger(env, 'GRAPHQL_MAX_TOKENS', 1000),
      maxComplexity: positiveInteger(env, 'GRAPHQL_MAX_COMPLEXITY', 2500),
      maxBodyBytes: positiveInteger(env, 'GRAPHQL_MAX_BODY_BYTES', 100 * 1024),
      maxAuthBodyBytes: positiveInteger(env, 'AUTH_MAX_BODY_BYTES', 16 * 1024),
    },
    subscriptions: {
      maxPerProcess: positiveInteger(env, 'MAX_SUBSCRIPTIONS', 5000),
      maxPerUser: 20,
      keepAliveMs: keepAliveSeconds * 1000,
    },
    authRateLimit: onOff(env, 'AUTH_RATE_LIMIT', true),
    trustedProxies: splitList(env.TRUST_PROXY),
    workers: workerCount(env.WEB_CONCURRENCY),
    databasePoolSize,
    jwksRotationInterval,
    jwksGracePeriod,
    port,
    host,
    isProduction: env.NODE_ENV === 'production',
    databaseUrl,
    databaseProvider: databaseProviderOf(databaseUrl),
    baseUrl,
    jwtIssuer: env.JWT_ISSUER || baseUrl,
    jwtAudience: env.JWT_AUDIENCE || 'taskfort-api',
    jwtExpiresIn,
    authJwksUrl: env.AUTH_JWKS_URL || undefined,
    trustedOrigins: [...trustedOrigins],
    clientDistDir: resolve(repoRoot, env.CLIENT_DIST_DIR || 'dist/client'),
  };
}
