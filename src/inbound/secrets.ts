/**
 * Who an inbound webhook is for and which secrets may have signed it. Looked up per request but
 * cached for a few seconds per URL: a burst of deliveries to one connection (a bulk edit at the
 * provider) costs one lookup and one decryption, not one each. A signature the cached secrets do
 * not verify is checked once more against freshly read ones (a registration or rotation that just
 * happened, perhaps in another process), so only a removed secret may outlive its removal — by
 * the cache's lifetime at most; the apply job re-checks the connection anyway.
 */
import { oauthAppFromEnv } from '../providers/_shared/urls.ts';
import type { Provider } from '../providers/types.ts';
import type { Credentials } from '../providers/types.ts';
import type { Runtime } from '../runtime.ts';

export type SecretCandidate = {
  secret: string;
  /** The registration it belongs to (its `last_received_at` moves), when it came from one. */
  registrationId: string | null;
  /** What that registration watches, when Patchbay registered it: deliveries it verifies concern only rules on it. */
  resource?: string | null;
  /** App secrets: the workspace whose own OAuth app it is; null for the instance's app. */
  appWorkspaceId?: string | null;
};

export type ConnectionTarget = { id: string; workspaceId: string; providerSlug: string; status: string };

const TTL_MS = 5_000;
/** A fresh read is not repeated within this long. */
const FRESH_AFTER_MS = 1_000;
const MAX_ENTRIES = 10_000;

type Entry<T> = { value: T; expires: number };

export class InboundCache {
  private entries = new Map<string, Entry<unknown>>();

  /**
   * The cached value, else a loaded one. `fresh` asks for a new read (a secret that may have just
   * changed) unless the entry is under a second old and not empty: forged requests cannot turn
   * every failed check into a database read.
   */
  async get<T>(key: string, load: () => Promise<T>, opts: { fresh?: boolean } = {}): Promise<T> {
    const now = Date.now();
    const hit = this.entries.get(key);
    const stale = opts.fresh && ((Array.isArray(hit?.value) && hit.value.length === 0) || now - ((hit?.expires ?? 0) - TTL_MS) >= FRESH_AFTER_MS);
    if (hit && hit.expires > now && !stale) return hit.value as T;
    const value = await load();
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear(); // crude, but bounded: an attacker's random ids cannot grow it
    this.entries.set(key, { value, expires: now + TTL_MS });
    return value;
  }

}

export async function loadConnection(rt: Runtime, provider: Provider, connectionId: string): Promise<ConnectionTarget | null> {
  const { rows } = await rt.db.pool.query<{ id: string; workspace_id: string; provider_slug: string; status: string }>(
    'select id, workspace_id, provider_slug, status from connections where id = $1 and provider_slug = $2',
    [connectionId, provider.definition.slug],
  );
  const r = rows[0];
  return r ? { id: r.id, workspaceId: r.workspace_id, providerSlug: r.provider_slug, status: r.status } : null;
}

/** The secrets that may have signed a delivery to this connection (or one registration of it). */
export async function connectionSecrets(rt: Runtime, provider: Provider, conn: ConnectionTarget, registrationId: string | null): Promise<SecretCandidate[]> {
  const scheme = provider.webhooks!.scheme;
  if (scheme.secretSource === 'credential') {
    const { rows } = await rt.db.pool.query<{ credentials: string | null }>('select credentials from connections where id = $1', [conn.id]);
    if (!rows[0]?.credentials) return [];
    const creds = rt.vault.decrypt<Credentials>(rows[0].credentials);
    const value = 'fields' in creds && scheme.credentialField ? creds.fields[scheme.credentialField] : undefined;
    return value ? [{ secret: value, registrationId: null }] : [];
  }
  if (scheme.secretSource === 'app') return await appSecrets(rt, provider, conn.workspaceId);
  const { rows } = await rt.db.pool.query<{ id: string; secret: string; resource: string; origin: string }>(
    `select id, secret, resource, origin from provider_webhooks where connection_id = $1 and secret is not null and ($2::uuid is null or id = $2::uuid)`,
    [conn.id, registrationId],
  );
  return rows.map((r) => ({ secret: rt.vault.decrypt<string>(r.secret), registrationId: r.id, resource: r.origin === 'registered' ? r.resource : null }));
}

/**
 * OAuth apps' client secrets (HubSpot, Trello sign with them). For one workspace: its own app, else
 * the instance's. For app-level URLs (no connection known yet): the instance's and every workspace's own.
 */
export async function appSecrets(rt: Runtime, provider: Provider, workspaceId?: string): Promise<SecretCandidate[]> {
  const slug = provider.definition.slug;
  const { rows } = await rt.db.pool.query<{ workspace_id: string; client_secret: string }>(
    'select workspace_id, client_secret from provider_apps where provider_slug = $1 and ($2::uuid is null or workspace_id = $2::uuid)',
    [slug, workspaceId ?? null],
  );
  const own = rows.map((r) => ({ secret: rt.vault.decrypt<string>(r.client_secret), registrationId: null, appWorkspaceId: r.workspace_id }));
  if (workspaceId && own.length) return own;
  const instance = oauthAppFromEnv(provider, rt.config);
  return instance ? [...own, { secret: instance.clientSecret, registrationId: null, appWorkspaceId: null }] : own;
}

/**
 * App-level routing: the live connections to a provider account. With a workspace's own app the
 * delivery is that workspace's; with the instance's app, it is every workspace's without its own.
 */
export async function connectionsForAccount(rt: Runtime, provider: Provider, accountId: string, appWorkspaceId: string | null): Promise<ConnectionTarget[]> {
  const slug = provider.definition.slug;
  const { rows } = await rt.db.pool.query<{ id: string; workspace_id: string; status: string }>(
    `select c.id, c.workspace_id, c.status from connections c
      where c.provider_slug = $1 and c.metadata->>'accountId' = $2 and c.status <> 'disconnected'
        and case when $3::uuid is not null then c.workspace_id = $3::uuid
                 else not exists (select 1 from provider_apps a where a.workspace_id = c.workspace_id and a.provider_slug = $1) end`,
    [slug, accountId, appWorkspaceId],
  );
  return rows.map((r) => ({ id: r.id, workspaceId: r.workspace_id, providerSlug: slug, status: r.status }));
}
