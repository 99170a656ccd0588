/** Small helpers shared by connectors; each reads the provider from the context. */
import { AppError } from '../../errors.ts';
import type { ConnectorContext, OAuth2Credentials } from '../types.ts';
import { providerEnvVar, type OAuthClient } from './urls.ts';

export type { FieldCredentials, OAuth2Credentials } from '../types.ts';

/** The connection's OAuth credentials; anything else is a wiring bug surfaced as provider_auth_failed. */
export function oauthCredentials(ctx: ConnectorContext): OAuth2Credentials {
  const d = ctx.provider.definition;
  if (ctx.credentials.type !== 'oauth2') {
    throw new AppError('provider_auth_failed', `${d.displayName} expects OAuth credentials; reconnect it.`, { details: { provider: d.slug } });
  }
  return ctx.credentials;
}

/** The credential fields of an api_key/basic connection, checked for the names the connector needs. */
export function fieldCredentials(ctx: ConnectorContext, names: string[]): Record<string, string> {
  const d = ctx.provider.definition;
  const c = ctx.credentials;
  const missing = c.type === 'oauth2' || c.type === 'inbound' ? names : names.filter((n) => !c.fields[n]);
  if (c.type === 'oauth2' || c.type === 'inbound' || missing.length) {
    throw new AppError('provider_auth_failed', `${d.displayName} credentials are incomplete (${missing.join(', ')}); reconnect it.`, {
      details: { provider: d.slug, missing },
    });
  }
  return c.fields;
}

/** The OAuth app in use; revoke calls (and HubSpot's introspection) authenticate as the app. */
export function requireOAuthClient(ctx: ConnectorContext): OAuthClient {
  if (ctx.oauthClient) return ctx.oauthClient;
  const { slug, displayName } = ctx.provider.definition;
  const variables = [providerEnvVar(slug, 'CLIENT_ID'), providerEnvVar(slug, 'CLIENT_SECRET')];
  throw new AppError(
    'provider_not_configured',
    `Calling ${displayName} as the app needs its OAuth app: set ${variables[0]} and ${variables[1]} (or the workspace's own app).`,
    { details: { provider: slug, variables } },
  );
}

/** `Record<string, unknown>` access to the connection's stored provider extras (metadata.extra). */
export function metadataExtra(ctx: ConnectorContext): Record<string, unknown> {
  const extra = ctx.metadata.extra;
  return extra && typeof extra === 'object' ? (extra as Record<string, unknown>) : {};
}
