/**
 * What a webhook receiver gets: awork's payload shape, one JSON object per event —
 * `{ timestamp, eventType, entity, entityId, entityType, entityLink, traceId, triggeredBy }` —
 * plus the catalog's `version`, the event's `eventId` and the change's `data`. The body is built
 * once, when the event is dispatched, and stored with the delivery: the signature covers exactly
 * these bytes on every retry.
 */
import { z } from 'zod';
import { VIAS, type Via } from '../context.ts';
import { eventCatalog, publicJsonSchema, type EventType, type RecordedEvent } from '../events/catalog/index.ts';
import type { EventTypeDefinition } from '../events/catalog/define.ts';

/** Payloads above this are refused at the source (logged, and shown as `refused` in the delivery log). */
export const MAX_PAYLOAD_BYTES = 256 * 1024;

/** The type of the message `POST /webhooks/{id}/test` sends (not a catalog type: never subscribed to). */
export const TEST_EVENT_TYPE = 'test';

const triggeredBy = z
  .object({
    id: z.string().nullable().describe('The member who made the change; null for Patchbay itself (a sync, a job)'),
    name: z.string().nullable().describe("That member's display name"),
    via: z.enum(VIAS).describe('Where the change came from'),
  })
  .describe('Who or what caused the event');

/** The delivered body of one event type, as zod: its JSON Schema and example are served to customers. */
export function webhookBodySchema(type: EventType) {
  const def: EventTypeDefinition = eventCatalog[type];
  return z
    .object({
      timestamp: z.iso.datetime().describe('When the event happened (UTC); the same on every retry'),
      eventType: z.literal(def.type),
      version: z.literal(def.version).describe('Bumped on any breaking change of this type'),
      eventId: z.number().int().describe('Unique per event; the same in every endpoint’s delivery of it'),
      entity: def.snapshot,
      entityId: z.string(),
      entityType: z.literal(def.entityType),
      entityLink: z.url().describe("The entity in Patchbay's admin API"),
      data: def.data,
      traceId: z.string().describe('The correlation id of the request or job that made the change (in Patchbay’s logs)'),
      triggeredBy,
    })
    .describe(def.description);
}

/** One entry of `GET /api/v1/webhooks/event-types`. */
export function describeWebhookEventType(type: EventType, publicUrl = 'https://patchbay.example.com') {
  const def: EventTypeDefinition = eventCatalog[type];
  const schema = webhookBodySchema(type);
  const example = schema.parse({
    timestamp: '2026-11-29T10:00:00.000Z',
    eventType: def.type,
    version: def.version,
    eventId: 48213,
    entity: def.example.snapshot,
    entityId: def.example.entityId,
    entityType: def.entityType,
    entityLink: entityLink(publicUrl, def.entityType, def.example.entityId, def.example.snapshot),
    data: def.example.data,
    traceId: 'req_4f1c2a9e8b7d',
    triggeredBy: { id: '7936d6b8-3345-4770-83c8-2c8c2ed12414', name: 'Ada Lovelace', via: 'slack' },
  });
  return {
    type: def.type,
    version: def.version,
    entityType: def.entityType,
    description: def.description,
    schema: publicJsonSchema(schema),
    example,
  };
}

const COLLECTIONS: Record<string, string> = {
  connection: 'connections',
  task: 'tasks',
  contact: 'contacts',
  calendar_event: 'calendar-events',
  time_entry: 'time-entries',
  webhook: 'webhooks',
};

/** Where the entity lives in the admin API (a sync run under its connection). */
export function entityLink(publicUrl: string, entityType: string, entityId: string, snapshot: unknown): string {
  const base = `${publicUrl.replace(/\/+$/, '')}/api/v1`;
  const id = encodeURIComponent(entityId);
  if (entityType === 'sync_run') {
    const connectionId = (snapshot as { connectionId?: string } | null)?.connectionId ?? '';
    return `${base}/connections/${encodeURIComponent(connectionId)}/sync-runs/${id}`;
  }
  return `${base}/${COLLECTIONS[entityType] ?? entityType}/${id}`;
}

export type WebhookBody = {
  timestamp: string;
  eventType: string;
  version: number;
  eventId: number | null;
  entity: unknown;
  entityId: string;
  entityType: string;
  entityLink: string;
  data: unknown;
  traceId: string;
  triggeredBy: { id: string | null; name: string | null; via: Via };
};

/** The body of one recorded event (serialized once: these bytes are what gets signed). */
export function eventBody(event: RecordedEvent, publicUrl: string, memberName: string | null): string {
  const body: WebhookBody = {
    timestamp: event.createdAt.toISOString(),
    eventType: event.type,
    version: event.version,
    eventId: event.id,
    entity: event.snapshot,
    entityId: event.entityId,
    entityType: event.entityType,
    entityLink: entityLink(publicUrl, event.entityType, event.entityId, event.snapshot),
    data: event.data,
    traceId: event.traceId,
    triggeredBy: { id: event.actorMemberId, name: event.actorMemberId ? memberName : null, via: event.via },
  };
  return JSON.stringify(body);
}

/** The body of a `test` message for one endpoint. */
export function testBody(
  publicUrl: string,
  endpoint: { id: string; name: string },
  by: { id: string | null; name: string | null; via: Via },
  traceId: string,
  at = new Date(),
): string {
  const body: WebhookBody = {
    timestamp: at.toISOString(),
    eventType: TEST_EVENT_TYPE,
    version: 1,
    eventId: null,
    entity: { id: endpoint.id, name: endpoint.name, message: 'A test delivery from Patchbay: this endpoint is reachable and can verify signatures.' },
    entityId: endpoint.id,
    entityType: 'webhook',
    entityLink: entityLink(publicUrl, 'webhook', endpoint.id, null),
    data: {},
    traceId,
    triggeredBy: by,
  };
  return JSON.stringify(body);
}
