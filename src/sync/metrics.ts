/**
 * Sync counters for /metrics, read from `sync_totals` at scrape time: runs happen in whichever
 * process holds the job, while /metrics is served by the server, so the totals live in Postgres.
 */
import type pg from 'pg';
import { Counter, type Registry } from 'prom-client';

const METRICS = {
  runs: { name: 'patchbay_sync_runs_total', help: 'Sync runs finished, by provider and outcome', labels: ['provider', 'outcome'] },
  records: { name: 'patchbay_sync_records_total', help: 'Records synced, by provider and direction (pulled, pushed)', labels: ['provider', 'direction'] },
  conflicts: { name: 'patchbay_sync_conflicts_total', help: 'Field conflicts inside the grace window, by provider', labels: ['provider'] },
} as const;

export function registerSyncMetrics(registry: Registry, pool: pg.Pool): void {
  let cache: { at: number; rows: Promise<Array<{ provider_slug: string; metric: string; value: string }>> } | null = null;
  // One query per scrape for the three counters.
  const rows = () => {
    if (!cache || Date.now() - cache.at > 1000) {
      cache = { at: Date.now(), rows: pool.query<{ provider_slug: string; metric: string; value: string }>('select provider_slug, metric, value::text from sync_totals').then((r) => r.rows) };
    }
    return cache.rows;
  };
  const counter = (m: (typeof METRICS)[keyof typeof METRICS], fill: (c: Counter<string>, r: { provider_slug: string; metric: string; value: number }) => void) =>
    new Counter({
      name: m.name,
      help: m.help,
      labelNames: [...m.labels],
      registers: [registry],
      async collect() {
        this.reset();
        for (const r of await rows().catch(() => [])) fill(this, { ...r, value: Number(r.value) });
      },
    });
  counter(METRICS.runs, (c, r) => {
    if (r.metric === 'runs_succeeded' || r.metric === 'runs_failed') c.inc({ provider: r.provider_slug, outcome: r.metric.slice(5) }, r.value);
  });
  counter(METRICS.records, (c, r) => {
    if (r.metric === 'records_pulled' || r.metric === 'records_pushed') c.inc({ provider: r.provider_slug, direction: r.metric.slice(8) }, r.value);
  });
  counter(METRICS.conflicts, (c, r) => {
    if (r.metric === 'conflicts') c.inc({ provider: r.provider_slug }, r.value);
  });
}
