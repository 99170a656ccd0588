/**
 * Outbound webhooks as a subscriber of the domain's events (the outbox): for one committed
 * transaction's events it writes one delivery row per (event, endpoint that wants it), set-based,
 * in the dispatch transaction, and queues each active endpoint's drain job there too — so an event
 * is never lost between its commit and its delivery (a crash in between re-runs the dispatch,
 * which the delivery record makes a no-op). Paused endpoints get rows too: they are kept for later.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import type { RecordedEvent } from '../events/catalog/index.ts';
import { pgArray } from '../db/pg-array.ts';
import { defineSubscriber } from '../events/subscribers.ts';
import type { Logger } from '../logger.ts';
import type { Runtime } from '../runtime.ts';
import { queueDrains } from './drain.ts';
import { eventBody, MAX_PAYLOAD_BYTES } from './payload.ts';

export async function fanOut(rt: Runtime, em: EntityManager, events: readonly RecordedEvent[], logger: Logger = rt.logger): Promise<void> {
  const workspaces = [...new Set(events.map((e) => e.workspaceId))];
  // Most workspaces have no endpoints: one cheap look before building any body.
  const [any] = await em.execute<Array<{ one: number }>>(`select 1 as one from webhook_endpoints where workspace_id = any(?::uuid[]) and status <> 'disabled' limit 1`, [pgArray(workspaces)]);
  if (!any) return;
  const actorIds = [...new Set(events.flatMap((e) => (e.actorMemberId ? [e.actorMemberId] : [])))];
  const names = new Map<string, string>();
  if (actorIds.length) {
    const rows = await em.execute<Array<{ id: string; display_name: string }>>('select id, display_name from members where id = any(?::uuid[])', [pgArray(actorIds)]);
    for (const r of rows) names.set(r.id, r.display_name);
  }
  const ids: number[] = [];
  const wss: string[] = [];
  const types: string[] = [];
  const bodies: string[] = [];
  const statuses: string[] = [];
  const errors: Array<string | null> = [];
  for (const event of events) {
    const body = eventBody(event, rt.config.PUBLIC_URL, event.actorMemberId ? (names.get(event.actorMemberId) ?? null) : null);
    const bytes = Buffer.byteLength(body);
    ids.push(event.id);
    wss.push(event.workspaceId);
    types.push(event.type);
    if (bytes > MAX_PAYLOAD_BYTES) {
      const error = `Not sent: the payload is ${Math.ceil(bytes / 1024)} KB, over the ${MAX_PAYLOAD_BYTES / 1024} KB limit for webhook payloads.`;
      logger.warn({ eventId: event.id, eventType: event.type, entityId: event.entityId, bytes, limit: MAX_PAYLOAD_BYTES }, 'webhook payload over the size limit: refused at the source, not sent');
      bodies.push('');
      statuses.push('refused');
      errors.push(error);
    } else {
      bodies.push(body);
      statuses.push('pending');
      errors.push(null);
    }
  }
  // Ordered by event then endpoint, so ids (the per-endpoint send order) follow the events' order.
  const due = await em.execute<Array<{ endpoint_id: string }>>(
    `with ev as (
       select * from unnest(?::bigint[], ?::uuid[], ?::text[], ?::text[], ?::text[], ?::text[]) with ordinality as t(id, workspace_id, type, body, status, error, n)
     ), ins as (
       insert into webhook_deliveries (message_id, workspace_id, endpoint_id, event_id, event_type, body, status, last_error, created_at)
       select 'msg_' || replace(gen_random_uuid()::text, '-', ''), ev.workspace_id, e.id, ev.id, ev.type, ev.body, ev.status, ev.error, now()
         from ev join webhook_endpoints e
           on e.workspace_id = ev.workspace_id and e.status <> 'disabled'
          and (e.event_types is null or ev.type = any(e.event_types))
        order by ev.n, e.id
       returning endpoint_id, status
     )
     select distinct ins.endpoint_id from ins join webhook_endpoints e on e.id = ins.endpoint_id
      where ins.status = 'pending' and e.status = 'active'`,
    [pgArray(ids), pgArray(wss), pgArray(types), pgArray(bodies), pgArray(statuses), pgArray(errors)],
  );
  await queueDrains(em, due.map((r) => r.endpoint_id));
}

/** Registered at the composition root (src/main/lifecycle.ts). */
export const webhookSubscriber = defineSubscriber({
  name: 'webhooks',
  types: '*',
  async handle(events, { em, rt }) {
    await fanOut(rt, em, events);
  },
});
