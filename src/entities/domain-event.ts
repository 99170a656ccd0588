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
    /** `entity_action`, e.g. connection_paused: a key of the event catalog (src/events/catalog/). */
    type: p.string(),
    /** The catalog version of `type` the snapshot and data were written with. */
    version: p.integer().default(1),
    entityType: p.string(),
    entityId: p.string(),
    /** The entity as it was after the change (never secrets), as parsed by the catalog. */
    snapshot: p.json<Record<string, unknown>>(),
    /** Facts about the change (previous status, reason, …), as parsed by the catalog. */
    data: p.json<Record<string, unknown>>().nullable(),
    traceId: p.string(),
    actorMemberId: p.uuid().nullable(),
    via: p.enum(VIAS),
    txid: p.bigint('string'),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type IDomainEvent = InferEntity<typeof DomainEvent>;

/**
 * Which subscriber has handled which transaction's events: one row per (transaction, subscriber),
 * written in the same transaction as the subscriber's work, so a retried dispatch never delivers
 * twice and a page of 500 changes costs one row, not 500.
 */
export const EventDelivery = defineEntity({
  name: 'EventDelivery',
  tableName: 'event_deliveries',
  indexes: [{ properties: ['deliveredAt'] }],
  properties: {
    txid: p.bigint('string').primary(),
    subscriber: p.string().primary(),
    /** How many of the transaction's events matched the subscriber (for troubleshooting). */
    eventCount: p.integer(),
    deliveredAt: p.datetime().onCreate(() => new Date()),
  },
});
export type IEventDelivery = InferEntity<typeof EventDelivery>;
