/** Small helpers shared by connectors. */
import { AppError } from '../../errors.ts';
import type { ConnectorContext, Credentials, Provider } from '../types.ts';
import { providerEnvVar, type OAuthClient } from './urls.ts';

export type OAuth2Credentials = Extract<Credentials, { type: 'oauth2' }>;
export type FieldCredentials = Extract<Credentials, { type: 'api_key' | 'basic' }>;

/** The connection's OAuth credentials; anything else is a wiring bug surfaced as provider_auth_failed. */
export function oauthCredentials(ctx: ConnectorContext, provider: Provider): OAuth2Credentials {
  if (ctx.credentials.type !== 'oauth2') {
    throw new AppError('provider_auth_failed', `${provider.definition.displayName} expects OAuth credentials; reconnect it.`, {
      details: { provider: provider.definition.slug },
    });
  }
  return ctx.credentials;
}

/** The credential fields of an api_key/basic connection, checked for the names the connector needs. */
export function fieldCredentials(ctx: ConnectorContext, provider: Provider, names: string[]): Record<string, string> {
  const c = ctx.credentials;
  const missing = c.type === 'oauth2' ? names : names.filter((n) => !c.fields[n]);
  if (c.type === 'oauth2' || missing.length) {
    throw new AppError('provider_auth_failed', `${provider.definition.displayName} credentials are incomplete (${missing.join(', ')}); reconnect it.`, {
      details: { provider: provider.definition.slug, missing },
    });
  }
  return c.fields;
}

/** The OAuth app in use; revoke calls that authenticate as the app need it. */
export function requireOAuthClient(ctx: ConnectorContext, provider: Provider): OAuthClient {
  if (ctx.oauthClient) return ctx.oauthClient;
  const slug = provider.definition.slug;
  throw new AppError(
    'provider_not_configured',
    `Revoking at ${provider.definition.displayName} needs its OAuth app: set ${providerEnvVar(slug, 'CLIENT_ID')} and ${providerEnvVar(slug, 'CLIENT_SECRET')} (or the workspace's own app).`,
    { details: { provider: slug, variables: [providerEnvVar(slug, 'CLIENT_ID'), providerEnvVar(slug, 'CLIENT_SECRET')] } },
  );
}

/** The connection's resolved URL for `key`, else the definition's. */
export function urlOf(ctx: ConnectorContext, provider: Provider, key: 'revokeUrl' | 'tokenUrl' | 'authorizeUrl'): string | undefined {
  return ctx.urls?.[key] ?? provider.definition.auth.oauth2?.[key];
}

/** `Record<string, unknown>` access to the connection's stored provider extras (metadata.extra). */
export function metadataExtra(ctx: ConnectorContext): Record<string, unknown> {
  const extra = ctx.metadata.extra;
  return extra && typeof extra === 'object' ? (extra as Record<string, unknown>) : {};
}
