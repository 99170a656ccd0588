import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';
import { VIAS } from '../context.ts';
import { Workspace } from './workspace.ts';

/**
 * The outbox: one row per state change, written in the same transaction as the change. `txid`
 * groups a transaction's events so one dispatcher job hands them, in order, to the subscribers.
 */
export const DomainEvent = defineEntity({
  name: 'DomainEvent',
  tableName: 'domain_events',
  indexes: [{ properties: ['workspace', 'id'] }, { properties: ['txid'] }],
  properties: {
    id: p.bigint('number').primary().autoincrement(),
    workspace: () => p.manyToOne(Workspace).mapToPk().deleteRule('cascade'),
    /** `entity_action`, e.g. connection_paused. */
    type: p.string(),
    entityType: p.string(),
    entityId: p.string(),
    /** The entity as it was after the change (never secrets). */
    snapshot: p.json<Record<string, unknown>>(),
    /** Extra facts about the change (previous status, reason, …). */
    data: p.json<Record<string, unknown>>().nullable(),
    traceId: p.string(),
    actorMemberId: p.uuid().nullable(),
    via: p.enum(VIAS),
    txid: p.bigint('string'),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type IDomainEvent = InferEntity<typeof DomainEvent>;

/** Which subscriber has handled which event, so a retried dispatch never delivers twice. */
export const EventDelivery = defineEntity({
  name: 'EventDelivery',
  tableName: 'event_deliveries',
  properties: {
    event: () => p.manyToOne(DomainEvent).mapToPk().primary().deleteRule('cascade'),
    subscriber: p.string().primary(),
    deliveredAt: p.datetime().onCreate(() => new Date()),
  },
});
export type IEventDelivery = InferEntity<typeof EventDelivery>;
