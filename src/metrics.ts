/** Prometheus metrics, one registry per runtime so tests can build several apps in one process. */
import type pg from 'pg';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { registerSyncMetrics } from './sync/metrics.ts';
import { registerWebhookMetrics } from './webhooks/metrics.ts';

export type Metrics = ReturnType<typeof createMetrics>;

export function createMetrics(opts: { defaults?: boolean; pool?: pg.Pool } = {}) {
  const registry = new Registry();
  if (opts.defaults) collectDefaultMetrics({ register: registry });
  if (opts.pool) {
    registerSyncMetrics(registry, opts.pool);
    registerWebhookMetrics(registry, opts.pool);
  }
  return {
    registry,
    httpDuration: new Histogram({
      name: 'patchbay_http_request_duration_seconds',
      help: 'HTTP request latency by method, route and status',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    jobs: new Counter({
      name: 'patchbay_jobs_total',
      help: 'Jobs run, by task and outcome (success, retry, failed)',
      labelNames: ['task', 'outcome'] as const,
      registers: [registry],
    }),
    inboundWebhooks: new Counter({
      name: 'patchbay_inbound_webhooks_total',
      help: 'Provider webhook events received, by provider and outcome (applied, duplicate, ignored), and deliveries refused (rejected: bad signature)',
      labelNames: ['provider', 'outcome'] as const,
      registers: [registry],
    }),
    workerRestarts: new Counter({
      name: 'patchbay_worker_restarts_total',
      help: 'Times the job runner stopped on its own (e.g. a database restart during a job) and was restarted',
      registers: [registry],
    }),
    jobDuration: new Histogram({
      name: 'patchbay_job_duration_seconds',
      help: 'Job run time by task',
      labelNames: ['task'] as const,
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300],
      registers: [registry],
    }),
  };
}
