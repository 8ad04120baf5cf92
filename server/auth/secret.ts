import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { localDataDir, type Config } from '../config.js';
import { log } from '../log.js';

/**
 * BETTER_AUTH_SECRET encrypts the JWT signing keys at rest and signs session cookies.
 * In development a missing secret is generated once and kept in an ignored file next to
 * the data, so restarts keep sessions and keys valid. Production refuses to start without one.
 * Called once at start-up (server/main.ts), the only place that may write the file.
 */
export function resolveAuthSecret(config: Config): string {
  if (config.authSecret) return config.authSecret;
  if (config.isProduction) {
    throw new Error(
      'BETTER_AUTH_SECRET is not set. Refusing to start with NODE_ENV=production: generate one with `openssl rand -base64 32` and set it in the environment.',
    );
  }
  const secretDir = localDataDir(config);
  const secretFile = resolve(secretDir, '.auth-secret');
  if (existsSync(secretFile)) return readFileSync(secretFile, 'utf8').trim();
  // The database will live here too (server/db/client.ts): owner only.
  mkdirSync(secretDir, { recursive: true, mode: 0o700 });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(secretFile, `${secret}\n`, { mode: 0o600 });
  log.warn({ secretFile }, 'BETTER_AUTH_SECRET is not set: generated a development secret');
  return secret;
}
