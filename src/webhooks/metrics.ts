/**
 * Webhook figures for /metrics, read from Postgres at scrape time (deliveries run in whichever
 * process holds the drain job; /metrics is served by the server): totals kept on each endpoint
 * row, refused deliveries, and the age of each endpoint's oldest pending delivery.
 */
import type pg from 'pg';
import { Counter, Gauge, type Registry } from 'prom-client';

type Row = { id: string; name: string; status: string; delivered: string; attempts: string; failed: string; refused: string; oldest_pending_seconds: number | null };

export function registerWebhookMetrics(registry: Registry, pool: pg.Pool): void {
  let cache: { at: number; rows: Promise<Row[]> } | null = null;
  // One query per scrape for every webhook metric.
  const rows = () => {
    if (!cache || Date.now() - cache.at > 1000) {
      cache = {
        at: Date.now(),
        rows: pool
          .query<Row>(
            `select e.id, e.name, e.status, e.delivered_total::text as delivered, e.attempts_total::text as attempts, e.failed_attempts_total::text as failed,
                    (select count(*) from webhook_deliveries d where d.endpoint_id = e.id and d.status = 'refused')::text as refused,
                    (select extract(epoch from now() - min(d.created_at))::float8 from webhook_deliveries d where d.endpoint_id = e.id and d.status = 'pending') as oldest_pending_seconds
               from webhook_endpoints e`,
          )
          .then((r) => r.rows),
      };
    }
    return cache.rows;
  };
  const each = async (fill: (r: Row) => void) => {
    for (const r of await rows().catch(() => [] as Row[])) fill(r);
  };
  new Counter({
    name: 'patchbay_webhook_deliveries_total',
    help: 'Webhook deliveries by outcome: delivered (a 2xx), refused (payload over 256 KB, never sent)',
    labelNames: ['outcome'],
    registers: [registry],
    async collect() {
      this.reset();
      this.inc({ outcome: 'delivered' }, 0);
      this.inc({ outcome: 'refused' }, 0);
      await each((r) => {
        this.inc({ outcome: 'delivered' }, Number(r.delivered));
        this.inc({ outcome: 'refused' }, Number(r.refused));
      });
    },
  });
  new Counter({
    name: 'patchbay_webhook_attempts_total',
    help: 'Webhook delivery attempts (automatic, redeliveries and tests) by result',
    labelNames: ['result'],
    registers: [registry],
    async collect() {
      this.reset();
      this.inc({ result: 'success' }, 0);
      this.inc({ result: 'failure' }, 0);
      await each((r) => {
        this.inc({ result: 'success' }, Number(r.attempts) - Number(r.failed));
        this.inc({ result: 'failure' }, Number(r.failed));
      });
    },
  });
  new Gauge({
    name: 'patchbay_webhook_oldest_pending_seconds',
    help: 'Age of the oldest delivery an endpoint has not received yet (0: nothing pending), by endpoint',
    labelNames: ['endpoint', 'name', 'status'],
    registers: [registry],
    async collect() {
      this.reset();
      await each((r) => this.set({ endpoint: r.id, name: r.name, status: r.status }, r.oldest_pending_seconds ?? 0));
    },
  });
}
