import { randomUUID } from 'node:crypto';
import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';
import { CHAT_CLIENTS } from './chat-team.ts';
import { Connection } from './connection.ts';
import { Member } from './member.ts';
import { Workspace } from './workspace.ts';

/** What a channel can subscribe to. Later features render their own kinds (conflicts, webhooks, hooks). */
export const ALERT_KINDS = ['errors', 'pauses', 'conflicts', 'webhooks', 'hooks'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

/**
 * A chat channel that receives alerts of some kinds, for every connection or one. At most one
 * active subscription per channel and connection filter (`alerts here` again updates its kinds).
 */
export const AlertSubscription = defineEntity({
  name: 'AlertSubscription',
  tableName: 'alert_subscriptions',
  indexes: [{ properties: ['workspace', 'active'] }],
  uniques: [
    {
      name: 'alert_subscriptions_active_channel_unique',
      expression: `create unique index "alert_subscriptions_active_channel_unique" on "alert_subscriptions" ("workspace_id", "platform", "team_external_id", "channel_id", coalesce("connection_id"::text, '')) where "active"`,
    },
  ],
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    workspace: () => p.manyToOne(Workspace).mapToPk().deleteRule('cascade'),
    platform: p.enum(CHAT_CLIENTS),
    teamExternalId: p.string(),
    channelId: p.string(),
    kinds: p.json<AlertKind[]>(),
    /** Only this connection's alerts; null for every connection. */
    connection: () => p.manyToOne(Connection).mapToPk().nullable().deleteRule('cascade'),
    createdBy: () => p.manyToOne(Member).mapToPk().nullable().deleteRule('set null'),
    active: p.boolean().default(true),
    /** Why it stopped: unsubscribed by someone, channel gone, app uninstalled, … */
    deactivatedReason: p.text().nullable(),
    deactivatedAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p.datetime().onCreate(() => new Date()).onUpdate(() => new Date()),
  },
});
export type IAlertSubscription = InferEntity<typeof AlertSubscription>;
