/**
 * Webhook secrets an Admin stores on a connection, for providers that make the secret themselves
 * (`secretSource: 'admin'`: Jira admin webhooks now, Stripe endpoint secrets later). One per
 * connection: a `provider_webhooks` row with origin `admin` and resource `admin`, the secret vault
 * ciphertext, never read back through the API. Also the listing of a connection's provider
 * webhooks — what Patchbay registered, what an Admin configured — with the URL to configure.
 */
import { z } from 'zod';
import { auditOutsideTransaction } from '../audit/audit.ts';
import { writeConnectionLog } from '../connections/log.ts';
import { findConnection } from '../connections/lifecycle.ts';
import { ProviderWebhook, type ProviderWebhookStatus } from '../entities/provider-webhook.ts';
import { AppError } from '../errors.ts';
import { getProvider } from '../providers/registry.ts';
import type { Provider } from '../providers/types.ts';
import type { Runtime } from '../runtime.ts';
import type { WebhookScheme } from './scheme.ts';

/** The row an admin-stored secret lives in (unique per connection with the resource). */
export const ADMIN_RESOURCE = 'admin';

export type ConnectionWebhooks = {
  provider: string;
  /** Where the provider must send this connection's webhooks (registered ones add their own id). */
  receivingUrl: string | null;
  secretSource: WebhookScheme['secretSource'] | null;
  /** What to configure by hand, and the scopes registration needs. */
  setup: string | null;
  webhooks: Array<{
    id: string;
    resource: string;
    origin: 'registered' | 'admin';
    status: ProviderWebhookStatus;
    expiresAt: string | null;
    lastReceivedAt: string | null;
    error: string | null;
    createdAt: string;
    updatedAt: string;
  }>;
};

/** A secret as an Admin may store it (the API body and the chat form): trimmed, 8 to 512 characters. Messages never quote it. */
export const adminSecretInput = z
  .string()
  .trim()
  .min(8, { error: 'The webhook secret must be at least 8 characters.' })
  .max(512, { error: 'The webhook secret must be at most 512 characters.' });

/** Where a provider's verifying secret comes from, in words an Admin can act on. */
export function whereSecretComesFrom(provider: Provider): string {
  const name = provider.definition.displayName;
  const scheme = provider.webhooks?.scheme;
  if (!scheme) return `Patchbay receives no webhooks from ${name}, so there is no webhook secret to store.`;
  switch (scheme.secretSource) {
    case 'registration':
      return `${name} webhook secrets are set by Patchbay itself when a realtime rule registers the webhook; there is nothing to store.`;
    case 'credential':
      return `${name} signs its webhooks with a credential of the connection (${scheme.credentialField ?? 'a credential field'}); reconnect with the right credentials instead of storing a secret.`;
    case 'app':
      return `${name} signs its webhooks with the OAuth app's client secret (the provider app settings or PROVIDER_${provider.definition.slug.toUpperCase().replace(/-/g, '_')}_CLIENT_SECRET), not a per-connection secret.`;
    default:
      return `${name} webhook secrets are stored by an Admin.`;
  }
}

async function adminConnection(rt: Runtime, workspaceId: string, connectionId: string) {
  const conn = await findConnection(rt.em(), workspaceId, connectionId);
  const provider = getProvider(conn.providerSlug);
  if (provider.webhooks?.scheme.secretSource !== 'admin') {
    throw new AppError('invalid_transition', `${conn.displayName}: ${whereSecretComesFrom(provider)}`, {
      details: { provider: conn.providerSlug, secretSource: provider.webhooks?.scheme.secretSource ?? null },
    });
  }
  if (conn.status === 'disconnected') throw new AppError('invalid_transition', `${conn.displayName} is disconnected: its webhooks are no longer received. Connect it again first.`);
  return { conn, provider };
}

/** The audit entry of a change (never the secret: only what happened to it). */
async function writeAuditLog(rt: Runtime, workspaceId: string, connectionId: string, change: 'stored' | 'replaced' | 'removed'): Promise<void> {
  await auditOutsideTransaction(rt, { workspaceId, action: 'connection.webhook_secret', targetType: 'connection', targetId: connectionId, outcome: 'success', details: { change } });
}

/** Stores (or replaces) the connection's provider-made webhook secret; says which it did. */
export async function setAdminSecret(rt: Runtime, workspaceId: string, connectionId: string, secret: string): Promise<'stored' | 'replaced'> {
  const { conn, provider } = await adminConnection(rt, workspaceId, connectionId);
  const { rows } = await rt.db.pool.query<{ replaced: boolean }>(
    `insert into provider_webhooks (id, workspace_id, connection_id, provider_slug, resource, secret, origin, status, created_at, updated_at)
     values (gen_random_uuid(), $1, $2, $3, $4, $5, 'admin', 'active', now(), now())
     on conflict (connection_id, resource) do update set secret = excluded.secret, origin = 'admin', status = 'active', error = null, updated_at = now()
     returning (xmax <> 0) as replaced`,
    [conn.workspace, conn.id, conn.providerSlug, ADMIN_RESOURCE, rt.vault.encrypt(secret)],
  );
  const replaced = Boolean(rows[0]?.replaced);
  const name = provider.definition.displayName;
  await writeConnectionLog(rt.em(), { workspaceId: conn.workspace, connectionId: conn.id }, {
    level: 'info',
    kind: 'webhook',
    message: `${replaced ? 'Replaced' : 'Stored'} the ${name} webhook secret: deliveries signed with it are accepted within seconds.`,
  });
  await writeAuditLog(rt, conn.workspace, conn.id, replaced ? 'replaced' : 'stored');
  return replaced ? 'replaced' : 'stored';
}

/** Removes it: deliveries are refused (401) from then on. False when there was none. */
export async function removeAdminSecret(rt: Runtime, workspaceId: string, connectionId: string): Promise<boolean> {
  const conn = await findConnection(rt.em(), workspaceId, connectionId);
  const { rowCount } = await rt.db.pool.query(`delete from provider_webhooks where connection_id = $1 and origin = 'admin' and resource = $2`, [conn.id, ADMIN_RESOURCE]);
  if (!rowCount) return false;
  const name = getProvider(conn.providerSlug).definition.displayName;
  await writeConnectionLog(rt.em(), { workspaceId: conn.workspace, connectionId: conn.id }, {
    level: 'info',
    kind: 'webhook',
    message: `Removed the ${name} webhook secret: its deliveries are refused until a new one is stored.`,
  });
  await writeAuditLog(rt, conn.workspace, conn.id, 'removed');
  return true;
}

/** The connection's provider webhooks (never their secrets) and the URL the provider sends to. */
export async function listConnectionWebhooks(rt: Runtime, workspaceId: string, connectionId: string): Promise<ConnectionWebhooks> {
  const em = rt.em();
  const conn = await findConnection(em, workspaceId, connectionId);
  const provider = getProvider(conn.providerSlug);
  const wh = provider.webhooks;
  const rows = await em.find(ProviderWebhook, { connection: conn.id }, { orderBy: { createdAt: 'asc', id: 'asc' } });
  const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);
  return {
    provider: conn.providerSlug,
    receivingUrl: wh ? (wh.scheme.routing === 'app' ? `${rt.config.PUBLIC_URL}/webhooks/${conn.providerSlug}` : `${rt.config.PUBLIC_URL}/webhooks/${conn.providerSlug}/${conn.id}`) : null,
    secretSource: wh?.scheme.secretSource ?? null,
    setup: wh?.setup ?? null,
    webhooks: rows.map((r) => ({
      id: r.id,
      resource: r.resource,
      origin: r.origin,
      status: r.status,
      expiresAt: iso(r.expiresAt),
      lastReceivedAt: iso(r.lastReceivedAt),
      error: r.error ?? null,
      createdAt: r.createdAt.toISOString(),
      updatedAt: r.updatedAt.toISOString(),
    })),
  };
}
