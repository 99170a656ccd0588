import { randomUUID } from 'node:crypto';
import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';
import { ALERT_KINDS, AlertSubscription } from './alert-subscription.ts';
import { Connection } from './connection.ts';

/** The state a (subscription, connection, kind) was last alerted about: `ok` after a recovery. */
export const ALERT_STATES = ['ok', 'errored', 'paused'] as const;
export type AlertState = (typeof ALERT_STATES)[number];

/**
 * Alert bookkeeping per subscription, connection and kind: the state last alerted (so a
 * connection that stays errored is alerted once), the message that opened it (recoveries are
 * threaded under it), and the delivery attempts of the latest post.
 */
export const AlertPost = defineEntity({
  name: 'AlertPost',
  tableName: 'alert_posts',
  uniques: [{ properties: ['subscription', 'connection', 'kind'] }],
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    subscription: () => p.manyToOne(AlertSubscription).mapToPk().deleteRule('cascade'),
    connection: () => p.manyToOne(Connection).mapToPk().deleteRule('cascade'),
    kind: p.enum(ALERT_KINDS),
    state: p.enum(ALERT_STATES).default('ok'),
    /** The domain event that opened the current (or last) alerted state. */
    alertEventId: p.bigint('number').nullable(),
    /** The platform's reference of the message posted for `alertEventId` (Slack ts, Discord message id, …). */
    messageRef: p.string().nullable(),
    /** Delivery attempts of the latest post. */
    attempts: p.integer().default(0),
    lastError: p.text().nullable(),
    lastAttemptAt: p.datetime().nullable(),
    postedAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p.datetime().onCreate(() => new Date()).onUpdate(() => new Date()),
  },
});
export type IAlertPost = InferEntity<typeof AlertPost>;
