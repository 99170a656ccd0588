/**
 * How an event type is declared. Events are a public contract (outbound webhooks publish them),
 * so each type states its entity snapshot and data as zod schemas that convert to JSON Schema,
 * with a description, an example and a version that is bumped on any breaking change.
 */
import type { z } from 'zod';

export type EventTypeDefinition<
  Type extends string = string,
  EntityType extends string = string,
  Snapshot extends z.ZodType = z.ZodType,
  Data extends z.ZodType = z.ZodType,
> = {
  /** `entity_action`, snake_case, never renamed (e.g. `connection_paused`). */
  type: Type;
  /** Bumped when a field is removed or changes meaning; adding an optional field is not breaking. */
  version: number;
  entityType: EntityType;
  description: string;
  /** The entity as it was after the change. Never secrets. */
  snapshot: Snapshot;
  /** Facts about the change itself (previous status, reason, …). */
  data: Data;
  /** A realistic payload, checked against the schemas by a test and served to customers. */
  example: { entityId: string; snapshot: z.input<Snapshot>; data: z.input<Data> };
};

/**
 * One entity family (connections, tasks, contacts, …) shares an entity type and a snapshot
 * schema: `const connectionEvent = eventFamily('connection', connectionSnapshot)` then one
 * `connectionEvent('connection_paused', { … })` per type.
 */
export function eventFamily<const EntityType extends string, Snapshot extends z.ZodType>(entityType: EntityType, snapshot: Snapshot) {
  return <const Type extends string, Data extends z.ZodType>(
    type: Type,
    def: Omit<EventTypeDefinition<Type, EntityType, Snapshot, Data>, 'type' | 'entityType' | 'snapshot'>,
  ): EventTypeDefinition<Type, EntityType, Snapshot, Data> => ({ type, entityType, snapshot, ...def });
}

/** Keys a family's declarations by their type, so the catalog is a plain record. */
export function byType<const L extends readonly EventTypeDefinition[]>(list: L): { [E in L[number] as E['type']]: E } {
  return Object.fromEntries(list.map((d) => [d.type, d])) as { [E in L[number] as E['type']]: E };
}
