import { randomUUID } from 'node:crypto';
import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';
import { Member } from './member.ts';
import { Workspace } from './workspace.ts';

export const HOOK_STATUSES = ['active', 'disabled'] as const;
export type HookStatus = (typeof HOOK_STATUSES)[number];

/**
 * A custom inbound hook: a tokenized URL (`/hooks/<token>`) that accepts JSON from any service.
 * The token is stored only as its SHA-256 (`tokenHash`, looked up by hash) plus a short,
 * non-secret `tokenPrefix` for display. The optional shared secret (`whsec_…`, Standard Webhooks)
 * is vault ciphertext, lazy and hidden so it is read only on purpose.
 */
export const InboundHook = defineEntity({
  name: 'InboundHook',
  tableName: 'inbound_hooks',
  uniques: [{ properties: ['workspace', 'name'] }],
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    workspace: () => p.manyToOne(Workspace).mapToPk().deleteRule('cascade'),
    name: p.string(),
    tokenHash: p.string().unique().hidden(),
    /** The token's first characters (`hk_Ab3x`): enough to tell URLs apart, far too few to guess one. */
    tokenPrefix: p.string(),
    /** The shared signing secret (`whsec_…`), encrypted; null: unsigned bodies are accepted. */
    secret: p.text().nullable().hidden().lazy(),
    status: p.enum(HOOK_STATUSES).default('active'),
    receivedCount: p.bigint('number').default(0),
    lastReceivedAt: p.datetime().nullable(),
    createdBy: () => p.manyToOne(Member).mapToPk().nullable().deleteRule('set null'),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p.datetime().onCreate(() => new Date()).onUpdate(() => new Date()),
  },
});
export type IInboundHook = InferEntity<typeof InboundHook>;

/**
 * One body a hook accepted, as JSON, with what the request said about it. Ids increase with
 * arrival, so pages (newest first) and the alert's "since" cursor follow them. Pruned after 30 days.
 */
export const InboundHookMessage = defineEntity({
  name: 'InboundHookMessage',
  tableName: 'inbound_hook_messages',
  indexes: [{ properties: ['hook', 'id'] }, { properties: ['hook', 'webhookId'] }, { properties: ['receivedAt'] }],
  properties: {
    id: p.bigint('number').primary().autoincrement(),
    hook: () => p.manyToOne(InboundHook).mapToPk().deleteRule('cascade'),
    receivedAt: p.datetime().onCreate(() => new Date()),
    payload: p.json<unknown>(),
    contentType: p.string().nullable(),
    /** Bytes of the body as received. */
    size: p.integer(),
    signatureVerified: p.boolean(),
    /** The sender's `webhook-id` (Standard Webhooks), when it sent one: retries with it are stored once. */
    webhookId: p.string().nullable(),
    correlationId: p.string(),
  },
});
export type IInboundHookMessage = InferEntity<typeof InboundHookMessage>;

/**
 * Where a hook's alerts stand in one chat channel: when the last post went out and the last
 * message it covered, so the next post (at most one per interval) summarizes what came between.
 */
export const InboundHookPost = defineEntity({
  name: 'InboundHookPost',
  tableName: 'inbound_hook_posts',
  properties: {
    hook: () => p.manyToOne(InboundHook).primary().mapToPk().deleteRule('cascade'),
    /** `alerts:<platform>:<team>:<channel>`, the channel's alert queue. */
    channelKey: p.string().primary(),
    lastPostedAt: p.datetime(),
    lastMessageId: p.bigint('number'),
  },
});
export type IInboundHookPost = InferEntity<typeof InboundHookPost>;
