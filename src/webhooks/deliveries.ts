/**
 * The delivery log and its manual actions: page an endpoint's deliveries with their attempts,
 * send a `test` message, redeliver one delivery. Test and redeliver answer synchronously with the
 * attempt's outcome (Svix's "send example" and "resend"), and are logged like automatic attempts;
 * they do not count toward auto-pause.
 */
import { authorizeOrAudit } from '../access/authorize.ts';
import { writeAudit } from '../audit/audit.ts';
import type { Caller } from '../connections/actor.ts';
import { correlationId, currentContext } from '../context.ts';
import { WebhookAttempt, WebhookDelivery, type IWebhookAttempt, type IWebhookDelivery, type WebhookDeliveryStatus } from '../entities/webhook-delivery.ts';
import { WebhookEndpoint } from '../entities/webhook-endpoint.ts';
import { conflict, notFound } from '../errors.ts';
import type { Runtime } from '../runtime.ts';
import { attempt, insertAttempt, loadTarget, outcomeText } from './drain.ts';
import { testBody } from './payload.ts';
import type { AttemptResult } from './send.ts';

export type AttemptView = {
  id: string;
  trigger: string;
  attemptedAt: string;
  statusCode: number | null;
  durationMs: number;
  response: string | null;
  error: string | null;
};

export type DeliveryView = {
  id: string;
  /** The `webhook-id` header: the same on every attempt of this delivery. */
  messageId: string;
  endpointId: string;
  eventId: string | null;
  eventType: string;
  status: WebhookDeliveryStatus;
  attempts: number;
  nextAttemptAt: string | null;
  lastStatusCode: number | null;
  lastError: string | null;
  deliveredAt: string | null;
  createdAt: string;
  attemptLog: AttemptView[];
};

const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : null);

export function attemptView(a: IWebhookAttempt): AttemptView {
  return { id: String(a.id), trigger: a.trigger, attemptedAt: iso(a.attemptedAt)!, statusCode: a.statusCode ?? null, durationMs: a.durationMs, response: a.response ?? null, error: a.error ?? null };
}

export function deliveryView(d: IWebhookDelivery, attempts: IWebhookAttempt[]): DeliveryView {
  return {
    id: String(d.id),
    messageId: d.messageId,
    endpointId: d.endpoint,
    eventId: d.eventId === null || d.eventId === undefined ? null : String(d.eventId),
    eventType: d.eventType,
    status: d.status,
    attempts: d.attempts,
    nextAttemptAt: d.status === 'pending' ? iso(d.nextAttemptAt) : null,
    lastStatusCode: d.lastStatusCode ?? null,
    lastError: d.lastError ?? null,
    deliveredAt: iso(d.deliveredAt),
    createdAt: iso(d.createdAt)!,
    attemptLog: attempts.map(attemptView),
  };
}

async function authorize(rt: Runtime, caller: Caller, targetId: string | null, what: string) {
  await authorizeOrAudit(rt, { workspaceId: caller.workspaceId, role: caller.member.role, action: 'webhooks.manage', targetType: 'webhook', targetId, what });
}

async function endpointOf(rt: Runtime, workspaceId: string, id: string) {
  const w = await rt.em().findOne(WebhookEndpoint, { id, workspace: workspaceId });
  if (!w) throw notFound('Webhook', id);
  return w;
}

/** Attempts shown per delivery in the log (the most recent ones). */
const ATTEMPTS_PER_DELIVERY = 20;

export async function listDeliveries(
  rt: Runtime,
  caller: Caller,
  endpointId: string,
  q: { limit: number; cursor?: number | undefined; status?: WebhookDeliveryStatus | undefined },
): Promise<{ data: DeliveryView[]; nextCursor: string | null }> {
  await authorize(rt, caller, endpointId, 'Managing webhooks');
  await endpointOf(rt, caller.workspaceId, endpointId);
  const em = rt.em();
  const rows = await em.find(
    WebhookDelivery,
    { endpoint: endpointId, ...(q.cursor ? { id: { $lt: q.cursor } } : {}), ...(q.status ? { status: q.status } : {}) },
    { orderBy: { id: 'desc' }, limit: q.limit + 1, exclude: ['body'] as never },
  );
  const more = rows.length > q.limit;
  const page = more ? rows.slice(0, q.limit) : rows;
  const attempts = page.length ? await em.find(WebhookAttempt, { delivery: { $in: page.map((d) => d.id) } }, { orderBy: { id: 'asc' } }) : [];
  const byDelivery = new Map<number, IWebhookAttempt[]>();
  for (const a of attempts) byDelivery.set(a.delivery, [...(byDelivery.get(a.delivery) ?? []), a]);
  return {
    data: page.map((d) => deliveryView(d, (byDelivery.get(d.id) ?? []).slice(-ATTEMPTS_PER_DELIVERY))),
    nextCursor: more ? String(page.at(-1)!.id) : null,
  };
}

export type ManualAttemptResult = {
  ok: boolean;
  /** In words: `HTTP 200`, `HTTP 503`, or why there was no answer. */
  outcome: string;
  attempt: AttemptView;
  delivery: DeliveryView;
};

async function attemptNow(rt: Runtime, deliveryId: number, trigger: 'manual' | 'test'): Promise<ManualAttemptResult> {
  const em = rt.em();
  const d = await em.findOneOrFail(WebhookDelivery, { id: deliveryId });
  const target = await loadTarget(rt, em, d.endpoint);
  if (!target) throw notFound('Webhook', d.endpoint);
  const at = new Date();
  const r: AttemptResult = await attempt(rt, target, d.messageId, d.body, at, rt.logger);
  await rt.em().transactional(async (tx) => {
    await insertAttempt(tx, d.id, target.id, trigger, at, r);
    await tx.execute(
      `update webhook_endpoints set last_attempt_at = ?, last_status_code = ?, last_success_at = case when ? then ?::timestamptz else last_success_at end,
              attempts_total = attempts_total + 1, failed_attempts_total = failed_attempts_total + ?, delivered_total = delivered_total + ? where id = ?`,
      [at, r.statusCode, r.ok, at, r.ok ? 0 : 1, r.ok && d.status !== 'delivered' ? 1 : 0, target.id],
    );
    if (r.ok) {
      await tx.execute(`update webhook_deliveries set status = 'delivered', delivered_at = coalesce(delivered_at, ?), last_status_code = ?, last_error = null, next_attempt_at = null where id = ?`, [at, r.statusCode, d.id]);
    } else if (trigger === 'test') {
      await tx.execute(`update webhook_deliveries set status = 'failed', last_status_code = ?, last_error = ? where id = ?`, [r.statusCode, r.error, d.id]);
    } else {
      // A failed manual attempt leaves the delivery's own state (pending retries, or delivered) as it was.
      await tx.execute(`update webhook_deliveries set last_status_code = ?, last_error = ? where id = ? and status <> 'delivered'`, [r.statusCode, r.error, d.id]);
    }
  });
  const fresh = await rt.em().findOneOrFail(WebhookDelivery, { id: d.id }, { exclude: ['body'] as never });
  const attempts = await rt.em().find(WebhookAttempt, { delivery: d.id }, { orderBy: { id: 'asc' } });
  return { ok: r.ok, outcome: outcomeText(r), attempt: attemptView(attempts.at(-1)!), delivery: deliveryView(fresh, attempts.slice(-ATTEMPTS_PER_DELIVERY)) };
}

/** Sends a `test` message now and reports what the endpoint answered. Works whatever the endpoint's status. */
export async function testWebhook(rt: Runtime, caller: Caller, endpointId: string): Promise<ManualAttemptResult> {
  await authorize(rt, caller, endpointId, 'Managing webhooks');
  const w = await endpointOf(rt, caller.workspaceId, endpointId);
  const via = currentContext()?.actor?.via ?? 'api';
  const body = testBody(rt.config.PUBLIC_URL, w, { id: caller.member.id, name: caller.member.displayName, via }, correlationId());
  const id = await rt.em().transactional(async (tx) => {
    const [row] = await tx.execute<Array<{ id: string }>>(
      `insert into webhook_deliveries (message_id, workspace_id, endpoint_id, event_id, event_type, body, status, created_at)
       values ('msg_' || replace(gen_random_uuid()::text, '-', ''), ?, ?, null, 'test', ?, 'failed', now()) returning id`,
      [caller.workspaceId, w.id, body],
    );
    // Stored as failed until its one attempt below succeeds: never 'pending', so no drain job sends it (a test is not retried).
    await writeAudit(tx, { workspaceId: caller.workspaceId, action: 'webhook.test', targetType: 'webhook', targetId: w.id, outcome: 'success', details: { name: w.name } });
    return Number(row!.id);
  });
  return await attemptNow(rt, id, 'test');
}

/** Sends one delivery again now, with its original `webhook-id` and body, and reports the answer. */
export async function redeliver(rt: Runtime, caller: Caller, endpointId: string, deliveryId: number): Promise<ManualAttemptResult> {
  await authorize(rt, caller, endpointId, 'Managing webhooks');
  await endpointOf(rt, caller.workspaceId, endpointId);
  const d = await rt.em().findOne(WebhookDelivery, { id: deliveryId, endpoint: endpointId, workspace: caller.workspaceId }, { exclude: ['body'] as never });
  if (!d) throw notFound('Delivery', String(deliveryId));
  if (d.status === 'refused') {
    throw conflict(`Delivery ${deliveryId} was never sent: ${d.lastError ?? 'its payload is over the size limit'}. It cannot be redelivered.`);
  }
  await rt.em().transactional(async (tx) => {
    await writeAudit(tx, { workspaceId: caller.workspaceId, action: 'webhook.redeliver', targetType: 'webhook', targetId: d.endpoint, outcome: 'success', details: { deliveryId: String(deliveryId), messageId: d.messageId } });
  });
  return await attemptNow(rt, deliveryId, 'manual');
}
