import cluster from 'node:cluster';
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createCounter, createHistogram, usePrometheus } from '@graphql-yoga/plugin-prometheus';
import { getOperationAST, type DocumentNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { AggregatorRegistry, Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { AuthEvent } from '../auth/events.js';
import { log, summarizeError } from '../log.js';

/**
 * Prometheus metrics, one registry per process. Labels are bounded: routes are normalised,
 * operation names outside KNOWN_OPERATIONS fold into "other", and no user id, email or token is
 * ever a label. With WEB_CONCURRENCY > 1 the cluster primary aggregates every worker's registry.
 */
export const metricsRegistry = new Registry();
AggregatorRegistry.setRegistries([metricsRegistry]);
// prom-client installs a worker's answer to the primary's metrics requests in this constructor.
if (cluster.isWorker) new AggregatorRegistry();

/** The web app's operations (client/src/lib/taskDocuments.ts and exportDocuments.ts; a test keeps them in step) and GraphiQL's. */
export const KNOWN_OPERATIONS = new Set([
  'TaskList',
  'TaskListTotalCount',
  'CreateTask',
  'UpdateTask',
  'ToggleTask',
  'DeleteTask',
  'TaskEvents',
  'ExportTasks',
  'TaskCount',
  'MyTasks',
  'IntrospectionQuery',
]);
export const OTHER_OPERATION = 'other';
export const ANONYMOUS_OPERATION = 'anonymous';

export function operationLabel(name: string | undefined | null): string {
  if (!name) return ANONYMOUS_OPERATION;
  return KNOWN_OPERATIONS.has(name) ? name : OTHER_OPERATION;
}

/** extensions.code values are set by server code only; anything else folds into "other". */
function errorCodeLabel(code: unknown, phase: string | undefined): string {
  if (typeof code === 'string' && /^[A-Z][A-Z0-9_]{0,39}$/.test(code)) return code;
  if (phase === 'parse') return 'GRAPHQL_PARSE_FAILED';
  if (phase === 'validate') return 'GRAPHQL_VALIDATION_FAILED';
  return code === undefined ? 'INTERNAL_SERVER_ERROR' : 'other';
}

const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
export const methodLabel = (method: string | undefined) => (method && KNOWN_METHODS.has(method) ? method : 'other');

const httpRequests = new Counter({
  name: 'taskfort_http_requests_total',
  help: 'HTTP requests answered, by method, normalised route and status',
  labelNames: ['method', 'route', 'status'] as const,
  registers: [metricsRegistry],
});
const httpDuration = new Histogram({
  name: 'taskfort_http_request_duration_seconds',
  help: 'Time from receiving an HTTP request to finishing its response, by method, normalised route and status',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [metricsRegistry],
});

export function observeHttpRequest(labels: { method: string; route: string; status: number }, seconds: number): void {
  const values = { method: labels.method, route: labels.route, status: String(labels.status) };
  httpRequests.inc(values);
  httpDuration.observe(values, seconds);
}

const authEvents = new Counter({
  name: 'taskfort_auth_events_total',
  help: 'Security events: sign_up, sign_in, sign_in.failed, token.minted, rate_limited, api.unauthenticated, …',
  labelNames: ['event'] as const,
  registers: [metricsRegistry],
});

export function countAuthEvent(event: AuthEvent): void {
  authEvents.inc({ event });
}

export interface DatabasePoolStats {
  total: number;
  idle: number;
  waiting: number;
}

let databasePoolStats: (() => DatabasePoolStats) | undefined;

/** PostgreSQL: db/client.ts hands over its pg.Pool's counters (SQLite has no pool). */
export function reportDatabasePool(stats: () => DatabasePoolStats): void {
  databasePoolStats = stats;
}

new Gauge({
  name: 'taskfort_db_pool_connections',
  help: 'PostgreSQL pool connections in this process: in_use, idle, and waiting (requests queued for a connection)',
  labelNames: ['state'] as const,
  registers: [metricsRegistry],
  collect() {
    if (!databasePoolStats) return;
    const { total, idle, waiting } = databasePoolStats();
    this.set({ state: 'in_use' }, total - idle);
    this.set({ state: 'idle' }, idle);
    this.set({ state: 'waiting' }, waiting);
  },
});

let defaultMetricsStarted = false;

/** Process metrics (CPU, memory, event loop lag, GC, handles); only when metrics are served. */
export function startProcessMetrics(): void {
  if (defaultMetricsStarted) return;
  defaultMetricsStarted = true;
  collectDefaultMetrics({ register: metricsRegistry });
}

interface OperationParams {
  document?: DocumentNode;
  operationType?: string;
  errorPhase?: string;
  error?: { extensions?: Record<string, unknown> };
}

function operationOf(params: OperationParams, context: unknown): { operationName: string; operationType: string } {
  const requested = (context as { params?: { operationName?: unknown } } | undefined)?.params?.operationName;
  const operation = params.document ? getOperationAST(params.document, typeof requested === 'string' ? requested : undefined) : null;
  return { operationName: operationLabel(operation?.name?.value), operationType: operation?.operation ?? params.operationType ?? 'unknown' };
}

/**
 * GraphQL metrics through Yoga's Prometheus plugin, with our own label functions: its defaults
 * label by the client-chosen operation name, the raw URL and error paths (unbounded).
 */
/** The operations counter, made by graphqlMetricsPlugin and also counted by countStreamOpened. */
const OPERATIONS_TOTAL = 'taskfort_graphql_operations_total';

export function graphqlMetricsPlugin(): Plugin {
  const registry = metricsRegistry;
  return usePrometheus({
    registry,
    endpoint: false,
    metrics: {
      graphql_envelop_request: createCounter({
        registry,
        counter: {
          name: OPERATIONS_TOTAL,
          help: 'GraphQL operations executed, by operation name (known ones; others fold into "other") and type',
          labelNames: ['operationName', 'operationType'],
        },
        fillLabelsFn: operationOf,
      }),
      graphql_envelop_request_duration: createHistogram({
        registry,
        histogram: {
          name: 'taskfort_graphql_operation_duration_seconds',
          help: 'Time to parse, validate and execute a GraphQL operation',
          labelNames: ['operationName', 'operationType'],
          buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
        },
        fillLabelsFn: operationOf,
      }),
      graphql_envelop_error_result: createCounter({
        registry,
        counter: {
          name: 'taskfort_graphql_errors_total',
          help: 'GraphQL errors, by operation, phase and extensions.code',
          labelNames: ['operationName', 'operationType', 'phase', 'code'],
        },
        fillLabelsFn: (params: OperationParams, context: unknown) => ({
          ...operationOf(params, context),
          phase: params.errorPhase ?? 'execute',
          code: errorCodeLabel(params.error?.extensions?.code, params.errorPhase),
        }),
      }),
      graphql_envelop_deprecated_field: false,
      graphql_envelop_request_time_summary: false,
      graphql_envelop_phase_parse: false,
      graphql_envelop_phase_validate: false,
      graphql_envelop_phase_context: false,
      graphql_envelop_phase_execute: false,
      graphql_envelop_phase_subscribe: false,
      graphql_envelop_execute_resolver: false,
      graphql_envelop_schema_change: false,
      graphql_yoga_http_duration: false,
    },
  }) as Plugin;
}

/** A live stream opened outside Yoga (graphql/streams.ts): counted as Yoga counts an operation. */
export function countStreamOpened(operationName: string | undefined): void {
  const operations = metricsRegistry.getSingleMetric(OPERATIONS_TOTAL) as Counter<string> | undefined;
  operations?.inc({ operationName: operationLabel(operationName), operationType: 'subscription' });
}

/** Constant-time comparison of `Authorization: Bearer <token>` with METRICS_TOKEN. */
export function hasMetricsToken(request: IncomingMessage, token: string): boolean {
  const match = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? '');
  if (!match) return false;
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(match[1]!.trim()), digest(token));
}

const METRICS_REQUEST = 'taskfort:metrics-request';
const METRICS_RESPONSE = 'taskfort:metrics-response';
const CLUSTER_METRICS_TIMEOUT_MS = 5_000;

interface MetricsMessage {
  type: string;
  id: string;
  metrics?: string;
  error?: string;
}

/** In a cluster worker: asks the primary for every worker's metrics, aggregated. */
function metricsFromPrimary(): Promise<string> {
  return new Promise((resolve, reject) => {
    const id = randomUUID();
    const timer = setTimeout(() => {
      process.off('message', onMessage);
      reject(new Error('the cluster primary did not answer in time'));
    }, CLUSTER_METRICS_TIMEOUT_MS);
    const onMessage = (message: MetricsMessage) => {
      if (message?.type !== METRICS_RESPONSE || message.id !== id) return;
      clearTimeout(timer);
      process.off('message', onMessage);
      if (message.metrics !== undefined) resolve(message.metrics);
      else reject(new Error(message.error ?? 'no metrics'));
    };
    process.on('message', onMessage);
    process.send!({ type: METRICS_REQUEST, id });
  });
}

/** This process's metrics, or in a cluster worker the whole cluster's. */
export async function renderMetrics(): Promise<{ body: string; contentType: string }> {
  const body = cluster.isWorker && process.send ? await metricsFromPrimary() : await metricsRegistry.metrics();
  return { body, contentType: metricsRegistry.contentType };
}

export async function sendMetrics(response: ServerResponse): Promise<void> {
  try {
    const { body, contentType } = await renderMetrics();
    response.writeHead(200, { 'Content-Type': contentType, 'Cache-Control': 'no-store' }).end(body);
  } catch (error) {
    log.warn({ err: summarizeError(error, { withMessage: true }) }, 'metrics unavailable');
    response.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8', 'Retry-After': '1' }).end('metrics unavailable\n');
  }
}

/** In the cluster primary: aggregates the workers' registries (counters and histograms summed). */
export function createClusterMetrics() {
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker, message: MetricsMessage) => {
    if (message?.type !== METRICS_REQUEST) return;
    aggregator.clusterMetrics().then(
      (metrics) => worker.send({ type: METRICS_RESPONSE, id: message.id, metrics }),
      (error: unknown) => {
        log.warn({ err: summarizeError(error, { withMessage: true }) }, 'cluster metrics unavailable');
        worker.send({ type: METRICS_RESPONSE, id: message.id, error: error instanceof Error ? error.message : 'failed' });
      },
    );
  });
  return {
    render: async () => ({ body: await aggregator.clusterMetrics(), contentType: aggregator.contentType }),
  };
}
