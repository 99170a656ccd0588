import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';
import { WebhookEndpoint } from './webhook-endpoint.ts';
import { Workspace } from './workspace.ts';

/**
 * - `pending`: waiting for (or between) attempts; kept while the endpoint is paused;
 * - `delivered`: an attempt got a 2xx;
 * - `failed`: given up (its endpoint was disabled, or it is a `test` that failed);
 * - `refused`: never sent — the payload is over the size limit.
 */
export const WEBHOOK_DELIVERY_STATUSES = ['pending', 'delivered', 'failed', 'refused'] as const;
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number];

/**
 * One event for one endpoint. The body is stored as sent (the bytes the signature covers), so a
 * retry or a redelivery sends exactly the same message with the same `webhook-id` (`messageId`),
 * and an endpoint paused for months still receives what it missed. The drain job sends an
 * endpoint's pending deliveries in event order (event ids follow commits more closely than these
 * ids: transactions' events are fanned out by concurrent dispatch jobs).
 */
export const WebhookDelivery = defineEntity({
  name: 'WebhookDelivery',
  tableName: 'webhook_deliveries',
  indexes: [
    { name: 'webhook_deliveries_pending', expression: `create index "webhook_deliveries_pending" on "webhook_deliveries" ("endpoint_id", "event_id", "id") where "status" = 'pending'` },
    { properties: ['endpoint', 'createdAt'] },
  ],
  properties: {
    id: p.bigint('number').primary().autoincrement(),
    messageId: p.string().unique(),
    workspace: () => p.manyToOne(Workspace).mapToPk().deleteRule('cascade'),
    endpoint: () => p.manyToOne(WebhookEndpoint).mapToPk().deleteRule('cascade'),
    /** The domain event (null for `test` messages); not a foreign key: events are pruned on their own schedule. */
    eventId: p.bigint('number').nullable(),
    eventType: p.string(),
    body: p.text(),
    status: p.enum(WEBHOOK_DELIVERY_STATUSES).default('pending'),
    /** Automatic attempts so far (manual redeliveries are not counted). */
    attempts: p.integer().default(0),
    nextAttemptAt: p.datetime().nullable(),
    lastStatusCode: p.integer().nullable(),
    lastError: p.text().nullable(),
    lastAttemptAt: p.datetime().nullable(),
    deliveredAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type IWebhookDelivery = InferEntity<typeof WebhookDelivery>;

/** One HTTP attempt of a delivery: what the receiver answered, or why there was no answer. */
export const WebhookAttempt = defineEntity({
  name: 'WebhookAttempt',
  tableName: 'webhook_attempts',
  indexes: [{ properties: ['delivery', 'id'] }, { properties: ['attemptedAt'] }],
  properties: {
    id: p.bigint('number').primary().autoincrement(),
    delivery: () => p.manyToOne(WebhookDelivery).mapToPk().deleteRule('cascade'),
    endpoint: () => p.manyToOne(WebhookEndpoint).mapToPk().deleteRule('cascade'),
    /** `retry` (the drain job), `manual` (redeliver) or `test`. */
    trigger: p.string().default('retry'),
    attemptedAt: p.datetime(),
    statusCode: p.integer().nullable(),
    durationMs: p.integer(),
    /** The first 1 KB of the response body. */
    response: p.text().nullable(),
    error: p.text().nullable(),
  },
});
export type IWebhookAttempt = InferEntity<typeof WebhookAttempt>;
