import cluster, { type Worker } from 'node:cluster';
import { createApp } from './app.js';
import type { Config } from '../config.js';
import { openDatabase, serveMetricsPort } from './serve.js';
import { log } from '../log.js';
import { createClusterMetrics } from '../observability/metrics.js';

/**
 * WEB_CONCURRENCY > 1: the primary applies migrations once, then forks that many workers
 * sharing the port; crashed workers are replaced, and SIGTERM drains every worker.
 */
export async function runClusterPrimary(config: Config): Promise<void> {
  const db = await openDatabase(config, { migrate: true });
  // Once, before the workers race for it: the first signing key (main.ts resolved the secret).
  const secret = config.authSecret;
  await createApp({ config, db }).warmUp();
  await db.$disconnect();

  let shuttingDown = false;
  let uncleanWorkerExit = false;
  const fork = (): Worker => cluster.fork(secret ? { BETTER_AUTH_SECRET: secret } : {});
  for (let i = 0; i < config.workers; i++) fork();
  log.info({ workers: config.workers }, `cluster primary ${process.pid}: ${config.workers} workers`);
  // The primary answers for the whole cluster: the workers' registries, aggregated (prom-client).
  const clusterMetrics = createClusterMetrics();
  if (config.metricsPort) await serveMetricsPort(config.metricsPort, clusterMetrics.render);

  cluster.on('exit', (worker, code, signal) => {
    if (shuttingDown) {
      if (code !== 0) uncleanWorkerExit = true;
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(uncleanWorkerExit ? 1 : 0);
      return;
    }
    log.error({ workerPid: worker.process.pid, exit: signal ?? code }, `worker ${worker.process.pid} exited (${signal ?? code}); starting another`);
    fork();
  });

  const shutdown = (signal: NodeJS.Signals) => {
    if (shuttingDown) return;
    shuttingDown = true;
    log.info({ signal }, `${signal}: stopping ${config.workers} workers`);
    // Each worker drains on its own (serve.ts); the primary keeps the shared listener until the last one closes.
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal);
    setTimeout(() => process.exit(1), config.http.shutdownTimeoutMs + 5_000).unref();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}
