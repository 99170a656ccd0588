/** Which OAuth app a workspace uses for a provider: its own (stored encrypted) or the instance's. */
import type { EntityManager } from '@mikro-orm/postgresql';
import { ProviderApp } from '../entities/provider-app.ts';
import { oauthAppFromEnv, requireOAuthApp, type OAuthClient } from '../providers/_shared/urls.ts';
import type { Provider } from '../providers/types.ts';
import type { Runtime } from '../runtime.ts';

export async function workspaceApp(rt: Runtime, em: EntityManager, workspaceId: string, provider: Provider): Promise<OAuthClient | null> {
  const row = await em.findOne(ProviderApp, { workspace: workspaceId, providerSlug: provider.definition.slug });
  if (!row) return null;
  const secret = await em.execute<Array<{ client_secret: string }>>('select client_secret from provider_apps where id = ?', [row.id]);
  return { clientId: row.clientId, clientSecret: rt.vault.decrypt<string>(secret[0]!.client_secret) };
}

/** The app to use (the workspace's own wins); throws provider_not_configured naming what to set. */
export async function oauthClientFor(rt: Runtime, workspaceId: string, provider: Provider): Promise<OAuthClient> {
  return requireOAuthApp(provider, rt.config, await workspaceApp(rt, rt.em(), workspaceId, provider));
}

/** Whether an OAuth app is available to this workspace (catalog display). */
export async function oauthConfigured(rt: Runtime, em: EntityManager, workspaceId: string, provider: Provider): Promise<'workspace' | 'instance' | null> {
  if (!provider.definition.auth.oauth2) return null;
  if (await em.findOne(ProviderApp, { workspace: workspaceId, providerSlug: provider.definition.slug })) return 'workspace';
  return oauthAppFromEnv(provider, rt.config) ? 'instance' : null;
}
