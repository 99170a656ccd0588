/**
 * Delivering an endpoint's events: one drain job per endpoint (job key and queue per endpoint, so
 * one at a time), on the deliveries worker pool. It sends the endpoint's pending deliveries oldest
 * first. A failed delivery holds the line: the others wait behind it (one probe at a time), so a
 * burst during a short outage costs one retry count, not one per event — which is why waiting
 * lives here and not in graphile-worker's `runAt` (a future job would not hold back the others).
 *
 * After each attempt, in one transaction with the endpoint row locked: the attempt is logged, the
 * delivery and the endpoint's counters move, and when the endpoint must stop — more than 10
 * failures in a row pauses it, a 410 Gone disables it — its status changes and the event
 * (`webhook_paused` / `webhook_disabled`) is recorded, which the alert pipeline picks up. A Zap's
 * endpoint (`source = 'zapier'`) that answers 410 is removed instead (`remove.ts`).
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { correlationId } from '../context.ts';
import { pgArray } from '../db/pg-array.ts';
import { recordEvent } from '../events/record.ts';
import type { Logger } from '../logger.ts';
import type { Runtime } from '../runtime.ts';
import { webhookEgressPolicy } from './endpoints.ts';
import { GONE_REASON, removeEndpoint } from './remove.ts';
import { PAUSE_AFTER_FAILURES, retryDelayMs } from './retry.ts';
import { sendAttempt, type AttemptResult } from './send.ts';
import { signDelivery } from './sign.ts';
import type { WebhookSnapshot } from '../events/catalog/index.ts';

/** Deliveries one drain job sends before it yields its worker slot to other endpoints. */
const BATCH = 100;
const JOB_BUDGET_MS = 10_000;

export const drainJobKey = (endpointId: string) => `webhook_drain:${endpointId}`;
export const drainQueue = (endpointId: string) => `webhooks:${endpointId}`;

/**
 * Queues the drain job of each endpoint, in the caller's transaction. `preserve_run_at` (default):
 * an endpoint waiting to retry keeps its retry time — new events queue behind the failing one.
 * `now`: run at once (an endpoint was enabled).
 */
export async function queueDrains(em: EntityManager, endpointIds: readonly string[], opts: { runAt?: Date; now?: boolean } = {}): Promise<void> {
  if (!endpointIds.length) return;
  const payloads = endpointIds.map((id) => JSON.stringify({ endpointId: id, _correlationId: correlationId() }));
  // Due now: the workers are nudged too (add_job only wakes them when it inserts), in the same
  // statement — one round trip; the notification is sent at commit either way.
  await em.execute(
    `select count(graphile_worker.add_job('webhook_drain', p::json, queue_name => 'webhooks:' || id, run_at => ?::timestamptz,
            max_attempts => 25, job_key => 'webhook_drain:' || id, job_key_mode => ?))${opts.runAt ? '' : `, pg_notify('jobs:insert', '{"count":1}')`}
       from unnest(?::text[], ?::text[]) as t(id, p)`,
    [(opts.runAt ?? new Date()).toISOString(), opts.runAt || opts.now ? 'replace' : 'preserve_run_at', pgArray(endpointIds), pgArray(payloads)],
  );
}

type EndpointRow = {
  id: string;
  workspace_id: string;
  name: string;
  url: string;
  status: string;
  authorization_header: string | null;
  authorization_value: string | null;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: Date | null;
};

const ENDPOINT_COLUMNS = 'id, workspace_id, name, url, status, authorization_header, authorization_value, secret, previous_secret, previous_secret_expires_at';

export type DeliveryTarget = {
  id: string;
  workspaceId: string;
  name: string;
  url: string;
  status: string;
  headers: Record<string, string>;
  secrets: string[];
};

/** An endpoint ready to send to: URL, the secrets signing now (current first) and its own header, decrypted. */
export async function loadTarget(rt: Runtime, em: EntityManager, endpointId: string, now = new Date()): Promise<DeliveryTarget | null> {
  const [row] = await em.execute<EndpointRow[]>(
    `select ${ENDPOINT_COLUMNS} from webhook_endpoints where id = ?`,
    [endpointId],
  );
  return row ? toTarget(rt, row, now) : null;
}

function toTarget(rt: Runtime, row: EndpointRow, now: Date): DeliveryTarget {
  const secrets = [rt.vault.decrypt<string>(row.secret)];
  if (row.previous_secret && row.previous_secret_expires_at && new Date(row.previous_secret_expires_at) > now) secrets.push(rt.vault.decrypt<string>(row.previous_secret));
  const headers: Record<string, string> = {};
  if (row.authorization_header && row.authorization_value) headers[row.authorization_header] = rt.vault.decrypt<string>(row.authorization_value);
  return { id: row.id, workspaceId: row.workspace_id, name: row.name, url: row.url, status: row.status, headers, secrets };
}

/** One signed POST of a stored body. `webhook-id` is the delivery's message id on every attempt. */
export async function attempt(rt: Runtime, target: DeliveryTarget, messageId: string, body: string, at: Date, logger: Logger): Promise<AttemptResult> {
  const result = await sendAttempt({
    url: target.url,
    body,
    headers: { ...target.headers, ...signDelivery(target.secrets, messageId, body, at) },
    policy: webhookEgressPolicy(rt.config, rt.net.resolver),
    timeoutMs: rt.config.WEBHOOK_TIMEOUT_SECONDS * 1000,
    agents: rt.net.deliveryAgents,
  });
  if (result.refused) logger.warn({ endpointId: target.id, reason: result.refused }, 'webhook delivery refused by the egress guard');
  return result;
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '';
  }
}

/** The endpoint as events show it. */
export async function webhookSnapshot(em: EntityManager, endpointId: string): Promise<WebhookSnapshot> {
  const [w] = await em.execute<
    Array<{ id: string; name: string; url: string; event_types: string[] | null; source: 'api' | 'zapier'; status: 'active' | 'paused' | 'disabled'; status_reason: string | null; consecutive_failures: number; created_at: Date; updated_at: Date }>
  >('select id, name, url, event_types, source, status, status_reason, consecutive_failures, created_at, updated_at from webhook_endpoints where id = ?', [endpointId]);
  return {
    id: w!.id,
    name: w!.name,
    // The origin only: a path or query can carry a token (Slack's incoming webhooks do), and this
    // snapshot goes to the workspace's other endpoints and the events API.
    url: originOf(w!.url),
    eventTypes: w!.event_types ?? 'all',
    source: w!.source,
    status: w!.status,
    statusReason: w!.status_reason,
    consecutiveFailures: w!.consecutive_failures,
    createdAt: new Date(w!.created_at).toISOString(),
    updatedAt: new Date(w!.updated_at).toISOString(),
  };
}

export async function pendingCount(em: EntityManager, endpointId: string): Promise<number> {
  const [r] = await em.execute<Array<{ n: string }>>(`select count(*)::text as n from webhook_deliveries where endpoint_id = ? and status = 'pending'`, [endpointId]);
  return Number(r?.n ?? 0);
}

/** How an attempt reads in a reason: `HTTP 503`, or the error (timeout, connection refused). */
export function outcomeText(r: Pick<AttemptResult, 'statusCode' | 'error'>): string {
  return r.statusCode !== null ? `HTTP ${r.statusCode}` : (r.error ?? 'no answer');
}

export async function insertAttempt(em: EntityManager, deliveryId: number, endpointId: string, trigger: 'retry' | 'manual' | 'test', at: Date, r: AttemptResult): Promise<void> {
  await em.execute(
    `insert into webhook_attempts (delivery_id, endpoint_id, trigger, attempted_at, status_code, duration_ms, response, error) values (?, ?, ?, ?, ?, ?, ?, ?)`,
    [deliveryId, endpointId, trigger, at, r.statusCode, r.durationMs, r.response, r.error],
  );
}

/** As json_agg gives it: `next_attempt_at` is an ISO string there. */
type Pending = { id: number; message_id: string; body: string; attempts: number; next_attempt_at: Date | string | null };

type Outcome = 'next' | 'stop';

/** Patchbay stops an endpoint (auto-pause or 410): its status, and the event the alerts and other endpoints hear. */
async function stopEndpoint(tx: EntityManager, target: DeliveryTarget, status: 'paused' | 'disabled', reason: string, at: Date, r: AttemptResult): Promise<void> {
  await tx.execute(`update webhook_endpoints set status = ?, status_reason = ?, updated_at = ? where id = ?`, [status, reason, at, target.id]);
  await recordEvent(tx, {
    workspaceId: target.workspaceId,
    type: status === 'paused' ? 'webhook_paused' : 'webhook_disabled',
    entityId: target.id,
    snapshot: await webhookSnapshot(tx, target.id),
    data: { reason, by: 'auto', lastStatusCode: r.statusCode, lastError: r.error, pendingDeliveries: await pendingCount(tx, target.id) },
  });
}

/** Records one automatic attempt and its consequences; 'stop' when the drain must not go on. */
async function recordAttempt(rt: Runtime, target: DeliveryTarget, d: Pending, at: Date, r: AttemptResult, logger: Logger): Promise<{ outcome: Outcome }> {
  if (r.ok) return await recordSuccess(rt.em(), target.id, d, at, r);
  return await rt.em().transactional(async (tx) => {
    const [ep] = await tx.execute<Array<{ status: string; consecutive_failures: number; source: string }>>(
      'select status, consecutive_failures, source from webhook_endpoints where id = ? for update',
      [target.id],
    );
    if (!ep) return { outcome: 'stop' as const };
    await insertAttempt(tx, d.id, target.id, 'retry', at, r);
    const attempts = d.attempts + 1;
    if (r.ok) {
      await tx.execute(
        `update webhook_deliveries set status = 'delivered', attempts = ?, last_status_code = ?, last_error = null, last_attempt_at = ?, delivered_at = ?, next_attempt_at = null where id = ?`,
        [attempts, r.statusCode, at, at, d.id],
      );
      await tx.execute(
        `update webhook_endpoints set consecutive_failures = 0, last_attempt_at = ?, last_status_code = ?, last_success_at = ?,
                delivered_total = delivered_total + 1, attempts_total = attempts_total + 1 where id = ?`,
        [at, r.statusCode, at, target.id],
      );
      return { outcome: ep.status === 'active' ? ('next' as const) : ('stop' as const) };
    }
    const failures = ep.consecutive_failures + 1;
    await tx.execute(
      `update webhook_endpoints set consecutive_failures = ?, last_attempt_at = ?, last_status_code = ?,
              attempts_total = attempts_total + 1, failed_attempts_total = failed_attempts_total + 1 where id = ?`,
      [failures, at, r.statusCode, target.id],
    );
    const gone = r.statusCode === 410;
    const pause = !gone && failures > PAUSE_AFTER_FAILURES;
    const retryAt = gone || pause ? null : new Date(at.getTime() + retryDelayMs(attempts, r.retryAfterSeconds));
    await tx.execute(
      `update webhook_deliveries set attempts = ?, last_status_code = ?, last_error = ?, last_attempt_at = ?, next_attempt_at = ? where id = ?`,
      [attempts, r.statusCode, r.error, at, retryAt, d.id],
    );
    if (ep.status !== 'active') return { outcome: 'stop' as const };
    if (gone && ep.source === 'zapier') {
      // A Zap's hook is the Zap's: gone means removed, not disabled (src/webhooks/remove.ts).
      await removeEndpoint(tx, target.id, { by: 'auto', reason: GONE_REASON, lastStatusCode: r.statusCode }, logger);
      return { outcome: 'stop' as const };
    }
    if (gone) {
      // The receiver says it is gone for good: what it has not received is given up, not kept.
      await tx.execute(
        `update webhook_deliveries set status = 'failed', last_error = coalesce(last_error, ?), next_attempt_at = null where endpoint_id = ? and status = 'pending'`,
        ['Given up: the endpoint was disabled (410 Gone)', target.id],
      );
      await stopEndpoint(tx, target, 'disabled', 'Disabled: the endpoint answered 410 Gone', at, r);
      logger.warn({ endpointId: target.id }, 'webhook endpoint answered 410 Gone: disabled');
      return { outcome: 'stop' as const };
    }
    if (pause) {
      await stopEndpoint(tx, target, 'paused', `Paused after ${failures} failed attempts in a row (last: ${outcomeText(r)})`, at, r);
      logger.warn({ endpointId: target.id, failures }, 'webhook endpoint failed too often: paused; its events are kept');
      return { outcome: 'stop' as const };
    }
    await queueDrains(tx, [target.id], { runAt: retryAt! });
    return { outcome: 'stop' as const };
  });
}

/**
 * A success — the common case — as one statement: what the transaction below writes for it (the
 * attempt logged, the delivery delivered, the endpoint's counters), with the endpoint row locked
 * first, but in one round trip instead of six (begin, lock, three writes, commit). A statement is
 * atomic on its own. Nothing is written when the endpoint is gone; 'stop' unless it is still active.
 */
async function recordSuccess(em: EntityManager, endpointId: string, d: Pending, at: Date, r: AttemptResult): Promise<{ outcome: Outcome }> {
  const [ep] = await em.execute<Array<{ status: string }>>(
    `with ep as (
       select id, status from webhook_endpoints where id = ? for update
     ), attempt as (
       insert into webhook_attempts (delivery_id, endpoint_id, trigger, attempted_at, status_code, duration_ms, response, error)
       select ?::bigint, ep.id, 'retry', ?::timestamptz, ?::int, ?::int, ?::text, ?::text from ep
     ), delivery as (
       update webhook_deliveries set status = 'delivered', attempts = ?, last_status_code = ?, last_error = null, last_attempt_at = ?, delivered_at = ?, next_attempt_at = null
        where id = ? and exists (select 1 from ep)
     ), endpoint as (
       update webhook_endpoints w set consecutive_failures = 0, last_attempt_at = ?, last_status_code = ?, last_success_at = ?,
              delivered_total = delivered_total + 1, attempts_total = attempts_total + 1
         from ep where w.id = ep.id
     )
     select status from ep`,
    [endpointId, d.id, at, r.statusCode, r.durationMs, r.response, r.error, d.attempts + 1, r.statusCode, at, at, d.id, at, r.statusCode, at],
  );
  return { outcome: ep?.status === 'active' ? 'next' : 'stop' };
}

/**
 * The drain job's body. Returns how many deliveries it sent successfully. Re-queues itself when
 * it used its budget with work left, or at the head's retry time.
 */
export async function drainEndpoint(rt: Runtime, endpointId: string, logger: Logger): Promise<number> {
  const started = Date.now();
  let delivered = 0;
  for (;;) {
    // The endpoint (as loadTarget reads it) and its next pending deliveries, in event order, in one round trip.
    const [row] = await rt.em().execute<Array<EndpointRow & { batch: Pending[] }>>(
      `select ${ENDPOINT_COLUMNS},
              (select coalesce(json_agg(p order by p.event_id, p.id), '[]'::json)
                 from (select id, event_id, message_id, body, attempts, next_attempt_at from webhook_deliveries
                        where endpoint_id = e.id and status = 'pending' order by event_id, id limit ?) p) as batch
         from webhook_endpoints e where id = ?`,
      [BATCH, endpointId],
    );
    if (!row) return delivered;
    const target = toTarget(rt, row, new Date());
    if (target.status === 'disabled' && row.batch.length) {
      // A fan-out that raced the 410 (it read the endpoint as active) left rows behind: give them up too.
      await rt.em().execute(
        `update webhook_deliveries set status = 'failed', last_error = coalesce(last_error, ?), next_attempt_at = null where endpoint_id = ? and status = 'pending'`,
        ['Given up: the endpoint was disabled (410 Gone)', endpointId],
      );
    }
    if (target.status !== 'active') return delivered;
    const batch = row.batch;
    if (!batch.length) return delivered;
    for (const d of batch) {
      const now = new Date();
      if (d.next_attempt_at && new Date(d.next_attempt_at) > now) {
        // The head waits for its retry: everything behind it waits too.
        await queueDrains(rt.em(), [endpointId], { runAt: new Date(d.next_attempt_at) });
        return delivered;
      }
      const r = await attempt(rt, target, d.message_id, d.body, now, logger);
      const { outcome } = await recordAttempt(rt, target, d, now, r, logger);
      if (r.ok) delivered++;
      if (outcome === 'stop') return delivered;
      if (Date.now() - started > JOB_BUDGET_MS) {
        // Yield the slot: other endpoints' drains get their turn; this one continues next.
        await queueDrains(rt.em(), [endpointId], { now: true });
        return delivered;
      }
    }
  }
}
