import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export type DatabaseProvider = 'sqlite' | 'postgresql';

export interface Config {
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
  return {
    port,
    host,
    isProduction: env.NODE_ENV === 'production',
    databaseUrl,
    databaseProvider: databaseProviderOf(databaseUrl),
    baseUrl,
    jwtIssuer: env.JWT_ISSUER || baseUrl,
    jwtAudience: env.JWT_AUDIENCE || 'taskfort-api',
    jwtExpiresIn: env.JWT_EXPIRES_IN || '15m',
    authJwksUrl: env.AUTH_JWKS_URL || undefined,
    trustedOrigins: [...trustedOrigins],
    clientDistDir: resolve(repoRoot, env.CLIENT_DIST_DIR || 'dist/client'),
  };
}

/**
 * BETTER_AUTH_SECRET encrypts the JWT signing keys at rest and signs session cookies.
 * In development a missing secret is generated once and kept in an ignored file next to
 * the data, so restarts keep sessions and keys valid. Production refuses to start without one.
 */
export function resolveAuthSecret(config: Config, env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.BETTER_AUTH_SECRET;
  if (fromEnv) {
    if (fromEnv.length < 32) throw new Error('BETTER_AUTH_SECRET must be at least 32 characters long');
    return fromEnv;
  }
  if (config.isProduction) {
    throw new Error(
      'BETTER_AUTH_SECRET is not set. Refusing to start with NODE_ENV=production: generate one with `openssl rand -base64 32` and set it in the environment.',
    );
  }
  const secretDir =
    config.databaseProvider === 'sqlite' ? dirname(sqlitePathOf(config.databaseUrl)) : resolve(repoRoot, 'data');
  const secretFile = resolve(secretDir, '.auth-secret');
  if (existsSync(secretFile)) return readFileSync(secretFile, 'utf8').trim();
  mkdirSync(secretDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(secretFile, `${secret}\n`, { mode: 0o600 });
  console.warn(`[taskfort] BETTER_AUTH_SECRET is not set: generated a development secret in ${secretFile}`);
  return secret;
}
