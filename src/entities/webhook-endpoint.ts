import { randomUUID } from 'node:crypto';
import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';
import { Member } from './member.ts';
import { Workspace } from './workspace.ts';

export const WEBHOOK_STATUSES = ['active', 'paused', 'disabled'] as const;
export type WebhookStatus = (typeof WEBHOOK_STATUSES)[number];

/** Who made an endpoint: an admin through the API (`api`), or a Zap subscribing through `POST /api/v1/zapier/hooks`. */
export const WEBHOOK_SOURCES = ['api', 'zapier'] as const;
export type WebhookSource = (typeof WEBHOOK_SOURCES)[number];

/**
 * An outbound webhook endpoint: where a workspace's events are POSTed, which types it wants
 * (`eventTypes` null = all), and how deliveries are signed. Secrets and the authorization value
 * are vault ciphertext (`src/vault/`, rotated by `npm run vault:rotate`), lazy and hidden so they
 * are read only on purpose. During a rotation `previousSecret` still signs until `previousSecretExpiresAt`.
 */
export const WebhookEndpoint = defineEntity({
  name: 'WebhookEndpoint',
  tableName: 'webhook_endpoints',
  uniques: [{ properties: ['workspace', 'name'] }],
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    workspace: () => p.manyToOne(Workspace).mapToPk().deleteRule('cascade'),
    name: p.string(),
    url: p.text(),
    /** Header name sent with every delivery (`Authorization`, `X-Api-Key`, …); its value is encrypted. */
    authorizationHeader: p.string().nullable(),
    authorizationValue: p.text().nullable().hidden().lazy(),
    /** Catalog event types this endpoint receives; null receives every type. */
    eventTypes: p.array().nullable(),
    /** The current signing secret (`whsec_…`), encrypted. */
    secret: p.text().hidden().lazy(),
    previousSecret: p.text().nullable().hidden().lazy(),
    previousSecretExpiresAt: p.datetime().nullable(),
    /** A `zapier` endpoint is removed (not disabled) on 410 Gone, and deleted by the Zap's unsubscribe. */
    source: p.enum(WEBHOOK_SOURCES).default('api'),
    status: p.enum(WEBHOOK_STATUSES).default('active'),
    statusReason: p.text().nullable(),
    /** Failed delivery attempts in a row since the last success. */
    consecutiveFailures: p.integer().default(0),
    /** The last attempt (automatic, manual or test) and its HTTP status (null: no answer). */
    lastAttemptAt: p.datetime().nullable(),
    lastStatusCode: p.integer().nullable(),
    lastSuccessAt: p.datetime().nullable(),
    /**
     * Monotonic totals for /metrics. Kept on the endpoint because only its own drain job (one at a
     * time) writes them: no row shared by every delivery, so endpoints never wait on each other.
     */
    deliveredTotal: p.bigint('number').default(0),
    attemptsTotal: p.bigint('number').default(0),
    failedAttemptsTotal: p.bigint('number').default(0),
    createdBy: () => p.manyToOne(Member).mapToPk().nullable().deleteRule('set null'),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p.datetime().onCreate(() => new Date()).onUpdate(() => new Date()),
  },
});
export type IWebhookEndpoint = InferEntity<typeof WebhookEndpoint>;
