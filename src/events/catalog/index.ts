/**
 * The event catalog: every domain event type, declared once. Recording, dispatch, subscribers,
 * GET /api/v1/events and (later) the webhook event-type list are all typed and checked by it.
 * A new entity family is one file here and one spread below; a new type is one declaration.
 */
import { z } from 'zod';
import type { Via } from '../../context.ts';
import { calendarEventEvents } from './calendar-event.ts';
import { connectionEvents } from './connection.ts';
import { contactEvents } from './contact.ts';
import type { EventTypeDefinition } from './define.ts';
import { hookEvents } from './hook.ts';
import { syncEvents } from './sync.ts';
import { taskEvents } from './task.ts';
import { timeEntryEvents } from './time-entry.ts';
import { webhookEvents } from './webhook.ts';

export type { CalendarEventSnapshot } from './calendar-event.ts';
export type { ConnectionSnapshot } from './connection.ts';
export type { ContactSnapshot } from './contact.ts';
export type { SyncRunSnapshot } from './sync.ts';
export type { TaskSnapshot } from './task.ts';
export type { TimeEntrySnapshot } from './time-entry.ts';
export type { WebhookSnapshot } from './webhook.ts';
export type { HookSnapshot } from './hook.ts';

export const eventCatalog = {
  ...connectionEvents,
  ...taskEvents,
  ...contactEvents,
  ...calendarEventEvents,
  ...timeEntryEvents,
  ...syncEvents,
  ...webhookEvents,
  ...hookEvents,
} as const satisfies Record<string, EventTypeDefinition>;

export type EventCatalog = typeof eventCatalog;
export type EventType = keyof EventCatalog;
export const EVENT_TYPES = Object.keys(eventCatalog) as EventType[];

export type EventEntityType<T extends EventType> = EventCatalog[T]['entityType'];
export type EventSnapshot<T extends EventType> = z.output<EventCatalog[T]['snapshot']>;
export type EventData<T extends EventType> = z.output<EventCatalog[T]['data']>;
// Interfaces (not mapped types) on purpose: indexing them with a generic type, as a producer
// like `event<T extends EventTypeOf<'connection'>>()` does, resolves through the constraint.
interface SnapshotInputs extends SnapshotInputMap {}
interface DataInputs extends DataInputMap {}
type SnapshotInputMap = { [T in EventType]: z.input<EventCatalog[T]['snapshot']> };
type DataInputMap = { [T in EventType]: z.input<EventCatalog[T]['data']> };
export type EventSnapshotInput<T extends EventType> = SnapshotInputs[T];
export type EventDataInput<T extends EventType> = DataInputs[T];

/** Event types of one entity family, e.g. `EventTypeOf<'connection'>`. */
export type EventTypeOf<E extends string> = { [T in EventType]: EventCatalog[T]['entityType'] extends E ? T : never }[EventType];

export function isEventType(type: string): type is EventType {
  return Object.hasOwn(eventCatalog, type);
}

/**
 * A recorded event with its snapshot and data parsed by the catalog. A union over the types,
 * so checking `event.type` narrows `snapshot` and `data` with no casts.
 */
export type RecordedEvent<T extends EventType = EventType> = {
  [K in T]: {
    id: number;
    workspaceId: string;
    type: K;
    version: number;
    entityType: EventEntityType<K>;
    entityId: string;
    snapshot: EventSnapshot<K>;
    data: EventData<K>;
    /** The correlation id of the request or job that made the change. */
    traceId: string;
    actorMemberId: string | null;
    via: Via;
    txid: string;
    createdAt: Date;
  };
}[T];

/**
 * The public payload of one type (what GET /api/v1/events returns per event, minus id and
 * trigger), as zod: its JSON Schema and example are what customers see for webhooks.
 */
export function eventPayloadSchema<T extends EventType>(type: T) {
  const def: EventTypeDefinition = eventCatalog[type];
  return z
    .object({
      type: z.literal(def.type),
      version: z.literal(def.version),
      entityType: z.literal(def.entityType),
      entityId: z.string(),
      snapshot: def.snapshot,
      data: def.data,
    })
    .describe(def.description);
}

/**
 * The JSON Schema customers get for a public payload. Adding a field is not a breaking change, so
 * the schema never forbids unknown properties: receivers must not reject them.
 */
export function publicJsonSchema(schema: z.ZodType) {
  return z.toJSONSchema(schema, {
    io: 'output',
    override: (ctx) => {
      if (ctx.jsonSchema.additionalProperties === false) delete ctx.jsonSchema.additionalProperties;
    },
  });
}

/** One type's description, JSON Schema and example, as GET /api/v1/events documents it. */
export function describeEventType(type: EventType) {
  const def: EventTypeDefinition = eventCatalog[type];
  const payload = eventPayloadSchema(type);
  return {
    type: def.type,
    version: def.version,
    entityType: def.entityType,
    description: def.description,
    schema: publicJsonSchema(payload),
    example: payload.parse({ type: def.type, version: def.version, entityType: def.entityType, ...def.example }),
  };
}
