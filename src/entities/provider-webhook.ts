import { randomUUID } from 'node:crypto';
import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';
import { Connection } from './connection.ts';
import { Workspace } from './workspace.ts';

export const PROVIDER_WEBHOOK_STATUSES = ['pending', 'active', 'failed'] as const;
export type ProviderWebhookStatus = (typeof PROVIDER_WEBHOOK_STATUSES)[number];

/**
 * A webhook at a provider that sends to this connection's inbound URL: one Patchbay registered
 * for a realtime rule (`registered`: an Asana project, the Sandbox account, a Google watch channel)
 * or one an Admin configured at the provider and whose provider-made secret they stored (`admin`:
 * Jira admin webhooks). `resource` says what it watches, unique per connection. `pending` while the
 * registration call is in flight (Asana's handshake arrives then); the secret is vault ciphertext.
 */
export const ProviderWebhook = defineEntity({
  name: 'ProviderWebhook',
  tableName: 'provider_webhooks',
  uniques: [{ name: 'provider_webhooks_connection_resource_unique', properties: ['connection', 'resource'] }],
  indexes: [
    { name: 'provider_webhooks_expires_at_index', expression: `create index "provider_webhooks_expires_at_index" on "provider_webhooks" ("expires_at") where "expires_at" is not null` },
  ],
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    workspace: () => p.manyToOne(Workspace).mapToPk().deleteRule('cascade'),
    connection: () => p.manyToOne(Connection).mapToPk().deleteRule('cascade'),
    providerSlug: p.string(),
    resource: p.string(),
    /** The provider's id for it (Asana webhook gid, Google channel id + resource id). */
    remoteId: p.string().nullable(),
    secret: p.text().nullable().hidden().lazy(),
    origin: p.enum(['registered', 'admin'] as const).default('registered'),
    status: p.enum(PROVIDER_WEBHOOK_STATUSES).default('pending'),
    error: p.text().nullable(),
    expiresAt: p.datetime().nullable(),
    lastReceivedAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p.datetime().onCreate(() => new Date()).onUpdate(() => new Date()),
  },
});
export type IProviderWebhook = InferEntity<typeof ProviderWebhook>;
