/**
 * Patchbay as the app Zapier connects to (Zapier's REST Hook convention). Zapier's app
 * authenticates with a Patchbay API token (`Authorization: Bearer pb_…`; `GET /zapier/me` is its
 * auth test). Turning a Zap on POSTs `{ hookUrl, event }` to `/zapier/hooks`: Patchbay creates an
 * outbound endpoint for that hook URL and event type (`source = 'zapier'`) and answers its `id`,
 * which Zapier keeps; turning the Zap off DELETEs `/zapier/hooks/{id}`. Deliveries are the normal
 * signed outbound ones; a 410 Gone from the hook URL removes the endpoint (`webhooks/remove.ts`).
 * `/zapier/samples/{eventType}` is Zapier's `performList`: sample bodies in the delivered shape.
 *
 * Subscribing and unsubscribing change the workspace's webhooks: Admins and Owners
 * (`webhooks.manage`), as for `POST /webhooks`; Members may read samples (`events.read`).
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Caller } from '../connections/actor.ts';
import { pgArray } from '../db/pg-array.ts';
import { DomainEvent } from '../entities/domain-event.ts';
import { AppError } from '../errors.ts';
import { isEventType, type EventType } from '../events/catalog/index.ts';
import { toRecordedEvent } from '../events/stored.ts';
import type { Runtime } from '../runtime.ts';
import { authorize, checkUrl, insertEndpoint } from '../webhooks/endpoints.ts';
import { webhookUrl } from '../webhooks/input.ts';
import { describeWebhookEventType, eventBody } from '../webhooks/payload.ts';
import { removeEndpoint } from '../webhooks/remove.ts';

/** A catalog event type, with the catalog's address in the error (not zod's bare enum message). */
export const zapierEventType = z
  .string()
  .trim()
  .max(100)
  .refine((t) => isEventType(t), { error: (i) => `'${String(i.input)}' is not an event type of the catalog (GET /api/v1/webhooks/event-types)` })
  .transform((t) => t as EventType);

/** What Zapier's `performSubscribe` sends. Unknown keys (Zapier's own bundle fields) are ignored. */
export const subscribeInput = z.object({
  hookUrl: webhookUrl.describe("Zapier's hook URL for this Zap (`bundle.targetUrl`)"),
  event: zapierEventType.describe('The Patchbay event type that triggers the Zap, e.g. `task_added`'),
});
export type SubscribeInput = z.output<typeof subscribeInput>;

export type ZapierHook = { id: string; event: EventType; createdAt: string };

/** How many recent real events `samples` returns at most (Zapier shows a few to map fields from). */
export const MAX_SAMPLES = 3;
/** How far back (in event ids) samples are looked for before the catalog's example serves. */
const SAMPLE_WINDOW = 50_000;

/** A Zap's endpoint is named for its event and id, unique in the workspace; admins see it in `webhooks`. */
const hookName = (event: EventType, id: string) => `Zapier: ${event} (${id.slice(0, 8)})`;

const authorizeManage = (rt: Runtime, caller: Caller, targetId: string | null) =>
  authorize(rt, caller, targetId, 'Turning Zaps on or off (Zapier subscriptions)', { source: 'zapier' });

/** `performSubscribe`: an outbound endpoint for the Zap's hook URL and event, owned by Zapier. */
export async function subscribeZapierHook(rt: Runtime, caller: Caller, input: SubscribeInput): Promise<ZapierHook> {
  await authorizeManage(rt, caller, null);
  await checkUrl(rt, input.hookUrl, 'hookUrl');
  const id = randomUUID();
  return await rt.em().transactional(async (tx) => {
    // Zapier's hook URL is unique per Zap: the same URL and event again is a retried subscribe (the
    // first answer was lost), answered with the same endpoint rather than a second, orphaned one.
    const [same] = await tx.execute<Array<{ id: string; created_at: Date }>>(
      `select id, created_at from webhook_endpoints where workspace_id = ? and source = 'zapier' and url = ? and event_types = ?::text[] order by created_at limit 1`,
      [caller.workspaceId, input.hookUrl, pgArray([input.event])],
    );
    if (same) return { id: same.id, event: input.event, createdAt: new Date(same.created_at).toISOString() };
    // Zapier does not verify signatures, but every delivery is signed the same way.
    const { endpoint: w } = await insertEndpoint(rt, tx, caller, { id, name: hookName(input.event, id), url: input.hookUrl, eventTypes: [input.event], source: 'zapier' });
    return { id: w.id, event: input.event, createdAt: w.createdAt.toISOString() };
  });
}

/** `performUnsubscribe`: removes the Zap's endpoint. Only Zapier-owned endpoints of the workspace. */
export async function unsubscribeZapierHook(rt: Runtime, caller: Caller, id: string): Promise<void> {
  await authorizeManage(rt, caller, id);
  await rt.em().transactional(async (tx) => {
    const [row] = await tx.execute<Array<{ id: string }>>(
      `select id from webhook_endpoints where id = ? and workspace_id = ? and source = 'zapier' for update`,
      [id, caller.workspaceId],
    );
    if (!row) {
      throw new AppError(
        'not_found',
        `No Zapier subscription '${id}' in this workspace: it was already removed (the Zap was turned off, its hook URL answered 410 Gone, or an admin deleted it). Nothing to do.`,
        { details: { id } },
      );
    }
    await removeEndpoint(tx, id, { by: 'zapier', reason: 'Removed: the Zap was turned off (Zapier unsubscribed)', lastStatusCode: null }, rt.logger);
  });
}

/** A sample: the delivered body plus the `id` Zapier requires of `performList` items (the event id; `sample_<type>` for the catalog's example). */
export type ZapierSample = Record<string, unknown> & { id: string };

/**
 * `performList`: the workspace's most recent events of the type, as delivered (newest first, at most
 * MAX_SAMPLES); the catalog's example when there are none yet, so a Zap can be set up before the
 * first event.
 */
export async function zapierSamples(rt: Runtime, caller: Caller, type: EventType): Promise<ZapierSample[]> {
  const em = rt.em();
  // Only recent history is searched: ids within SAMPLE_WINDOW of the workspace's newest event
  // (ids are instance-wide), through the (workspace, id) index — a rare type must not cost a scan
  // of everything the workspace ever did.
  const [top] = await em.execute<Array<{ max: string | null }>>('select max(id)::text as max from domain_events where workspace_id = ?', [caller.workspaceId]);
  const floor = Math.max(0, Number(top?.max ?? 0) - SAMPLE_WINDOW);
  const rows = await em.find(DomainEvent, { workspace: caller.workspaceId, type, id: { $gt: floor } }, { orderBy: { id: 'desc' }, limit: MAX_SAMPLES });
  const actorIds = [...new Set(rows.flatMap((r) => (r.actorMemberId ? [r.actorMemberId] : [])))];
  const names = new Map<string, string>();
  if (actorIds.length) {
    const members = await em.execute<Array<{ id: string; display_name: string }>>('select id, display_name from members where id = any(?::uuid[])', [pgArray(actorIds)]);
    for (const m of members) names.set(m.id, m.display_name);
  }
  const out: ZapierSample[] = [];
  for (const row of rows) {
    try {
      const event = toRecordedEvent(row);
      const body = JSON.parse(eventBody(event, rt.config.PUBLIC_URL, event.actorMemberId ? (names.get(event.actorMemberId) ?? null) : null)) as Record<string, unknown>;
      out.push({ id: String(event.id), ...body });
    } catch (err) {
      // An old row that no longer parses is skipped: the others (or the example) still serve.
      rt.logger.warn({ err, eventId: row.id }, 'zapier sample: stored event skipped');
    }
  }
  if (out.length) return out;
  const example = describeWebhookEventType(type, rt.config.PUBLIC_URL).example as Record<string, unknown>;
  return [{ id: `sample_${type}`, ...example }];
}
