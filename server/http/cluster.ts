import cluster, { type Worker } from 'node:cluster';
import { createApp } from './app.js';
import type { Config } from '../config.js';
import { resolveAuthSecret } from '../auth/secret.js';
import { openDatabase } from './serve.js';
import { relayTaskChangesBetweenWorkers } from '../taskEvents/clusterRelay.js';

/**
 * WEB_CONCURRENCY > 1: the primary applies migrations once, then forks that many workers
 * sharing the port; crashed workers are replaced, and SIGTERM drains every worker.
 */
export async function runClusterPrimary(config: Config): Promise<void> {
  const db = await openDatabase(config, { migrate: true });
  // Once, before the workers race for it: the development secret and the first signing key.
  const secret = config.role === 'api' ? undefined : resolveAuthSecret(config);
  await createApp({ config, db }).warmUp();
  await db.$disconnect();

  let shuttingDown = false;
  const fork = (): Worker => cluster.fork(secret ? { BETTER_AUTH_SECRET: secret } : {});
  // Live updates on SQLite: each worker's task changes reach the others through here.
  if (config.databaseProvider === 'sqlite') relayTaskChangesBetweenWorkers();
  for (let i = 0; i < config.workers; i++) fork();
  console.log(`[taskfort] cluster primary ${process.pid}: ${config.workers} workers`);

  cluster.on('exit', (worker, code, signal) => {
    if (shuttingDown) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    console.error(`[taskfort] worker ${worker.process.pid} exited (${signal ?? code}); starting another`);
    fork();
  });

  const shutdown = (signal: NodeJS.Signals) => {
    if (shuttingDown) return;
    shuttingDown = true;
    console.log(`[taskfort] ${signal}: stopping ${config.workers} workers`);
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
    setTimeout(() => process.exit(1), 15_000).unref();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}
