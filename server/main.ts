import cluster from 'node:cluster';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { runClusterPrimary } from './http/cluster.js';
import { loadConfig, repoRoot } from './config.js';
import { serve } from './http/serve.js';
import { resolveAuthSecret } from './auth/secret.js';
import { warnWhenCookiesAreNotSecure } from './auth/secureCookies.js';
import { configureLogger, log, routeConsoleThroughLogger, summarizeError } from './log.js';

routeConsoleThroughLogger();
// Node's default would print the raw stack (possibly quoting client input) to stderr.
process.on('uncaughtException', (error) => {
  log.fatal({ err: summarizeError(error, { withMessage: true }) }, 'uncaught exception; exiting');
  process.exit(1);
});

const envFile = resolve(repoRoot, '.env');
if (existsSync(envFile)) process.loadEnvFile(envFile);

try {
  const loaded = loadConfig();
  // Resolved once, before any worker forks: a development secret is generated into a file at most once.
  const config = loaded.role === 'api' ? loaded : { ...loaded, authSecret: resolveAuthSecret(loaded) };
  configureLogger(config);
  // Once per start, not once per cluster worker.
  if (cluster.isPrimary) warnWhenCookiesAreNotSecure(config, log);
  if (config.workers > 1 && cluster.isPrimary) await runClusterPrimary(config);
  else await serve(config, { migrate: cluster.isPrimary });
} catch (error) {
  log.fatal({ err: summarizeError(error, { withMessage: true }) }, `cannot start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
