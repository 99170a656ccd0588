/**
 * Where verified provider webhooks are stored before they are acknowledged: receipts (the
 * idempotency record, `inbound_receipts`) and the apply job of each connection they concern,
 * written in one transaction. Requests that arrive while a write is in flight are written
 * together in the next one (group commit): one fsync and one round trip for many deliveries,
 * which is what lets one process acknowledge thousands of webhooks a second.
 */
import type pg from 'pg';
import type { Logger } from '../logger.ts';
import { syncQueueName } from '../sync/schedule.ts';

export type ReceiptRow = {
  /** `webhook:<slug>`. */
  source: string;
  /** `connection:<id>`, or `app` for app-level senders' ids. */
  scope: string;
  deliveryId: string;
  kind: string;
  payloadHash: string;
  connectionId: string;
  /** The object to apply; null records the delivery as ignored (processed at once). */
  object: string | null;
  remoteId: string | null;
  /** The registration's resource, when the delivery came through one Patchbay registered. */
  resource: string | null;
};

export const applyJobKey = (connectionId: string) => `inbound_apply:${connectionId}`;

type Pending = { rows: ReceiptRow[]; resolve: (firsts: boolean[]) => void; reject: (err: unknown) => void };

const MAX_BATCH_ROWS = 1_000;

export class ReceiptIntake {
  private queue: Pending[] = [];
  private writing = false;

  private readonly pool: pg.Pool;
  private readonly logger: Logger;

  constructor(pool: pg.Pool, logger: Logger) {
    this.pool = pool;
    this.logger = logger;
  }

  /** Stores the rows; resolves with, per row, whether it was the first of its delivery id. */
  record(rows: ReceiptRow[]): Promise<boolean[]> {
    if (!rows.length) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.queue.push({ rows, resolve, reject });
      if (!this.writing) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.writing = true;
    try {
      while (this.queue.length) {
        const batch: Pending[] = [];
        let n = 0;
        while (this.queue.length && n < MAX_BATCH_ROWS) {
          const p = this.queue.shift()!;
          batch.push(p);
          n += p.rows.length;
        }
        try {
          const inserted = await this.write(batch.flatMap((p) => p.rows));
          for (const p of batch) p.resolve(p.rows.map((r) => claim(inserted, r)));
        } catch (err) {
          this.logger.error({ err, deliveries: n }, 'could not store webhook receipts');
          for (const p of batch) p.reject(err);
        }
      }
    } finally {
      this.writing = false;
    }
  }

  /**
   * One statement, so one round trip and its own transaction: the receipts, and one apply job per
   * connection with something to apply, in its sync queue (never beside a sync step of the
   * connection). A keyed job not yet running absorbs later receipts; one already running gets a
   * successor (graphile-worker clears a locked job's key). `add_jobs` is called only when there
   * are jobs (an empty batch of duplicates queues nothing and wakes no worker); the final select
   * names `jobs` because PostgreSQL never runs a SELECT CTE nothing reads.
   */
  private async write(rows: ReceiptRow[]): Promise<Set<string>> {
    const col = <K extends keyof ReceiptRow>(k: K) => rows.map((r) => r[k]);
    const { rows: inserted } = await this.pool.query<{ source: string; scope: string; delivery_id: string }>(
      `with ins as (
         insert into inbound_receipts (source, scope, delivery_id, kind, payload_hash, connection_id, object, remote_id, resource, received_at, processed_at)
         select s, sc, d, k, h, c::uuid, o, r, rs, now(), case when o is null then now() end
           from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $11::text[]) as t(s, sc, d, k, h, c, o, r, rs)
         on conflict (source, scope, delivery_id) do nothing
         returning source, scope, delivery_id, connection_id, object),
       specs as (
         select array(
           select ('inbound_apply', json_build_object('connectionId', c), $9 || c, null, 25, $10 || c, 0, null)::graphile_worker.job_spec
             from (select distinct connection_id::text as c from ins where object is not null) x) as a),
       jobs as (select count(*) from specs, lateral graphile_worker.add_jobs(specs.a, true) where cardinality(specs.a) > 0)
       select source, scope, delivery_id, (select count(*) from jobs) as jobs from ins`,
      [col('source'), col('scope'), col('deliveryId'), col('kind'), col('payloadHash'), col('connectionId'), col('object'), col('remoteId'), syncQueueName(''), applyJobKey(''), col('resource')],
    );
    return new Set(inserted.map((r) => keyOf(r.source, r.scope, r.delivery_id)));
  }
}

const keyOf = (source: string, scope: string, deliveryId: string) => `${source}\u0000${scope}\u0000${deliveryId}`;

/** The first row of a delivery id in the batch claims the insert; a copy in the same batch is a duplicate. */
function claim(inserted: Set<string>, r: ReceiptRow): boolean {
  return inserted.delete(keyOf(r.source, r.scope, r.deliveryId));
}
