/**
 * Provider sessions: the only way anything calls a provider on behalf of a connection — the
 * lifecycle's test and disconnect, token refresh, and later the sync engine and webhook
 * registration. A session loads and decrypts the credentials, refreshes an expiring token
 * under the per-connection lock, retries once after a refresh when the provider says 401, turns
 * a rate limit into a rate-limit pause and an unrecoverable auth failure into `errored` —
 * always through the lifecycle writer, never by writing rows itself.
 *
 * Nothing else builds a `ConnectorContext` (`probeCredentials` is the one exception's door:
 * credentials being checked before any connection exists).
 */
import type { IConnection } from '../entities/connection.ts';
import { AppError } from '../errors.ts';
import { scrubText } from '../logger.ts';
import { egressPolicy } from '../net/egress.ts';
import { connectorContext } from '../providers/context.ts';
import { getProvider } from '../providers/registry.ts';
import type { OAuthClient, ProviderUrlOverrides } from '../providers/_shared/urls.ts';
import { oauthAppFromEnv } from '../providers/_shared/urls.ts';
import type { AccountInfo, ConnectorContext, Credentials, Provider } from '../providers/types.ts';
import type { Runtime } from '../runtime.ts';
import { systemActor } from './actor.ts';
import { loadCredentials } from './credentials.ts';
import { findConnection } from './lifecycle.ts';
import { subscriptionsOf } from '../webhooks/endpoints.ts';
import { workspaceApp } from './oauth-apps.ts';
import { definedPauseOf, markErrored, pauseForRateLimit } from './system-transitions.ts';
import { refreshConnectionToken, refreshDue } from './tokens.ts';

export type CallOptions = {
  /** Pause the connection when the provider rate-limits (default true). */
  pauseOnRateLimit?: boolean;
  /** Error the connection when the provider keeps refusing the credentials (default true). */
  errorOnAuthFailure?: boolean;
};

export type ProviderSession = {
  readonly connection: IConnection;
  readonly provider: Provider;
  /**
   * Runs `fn` with fresh credentials: a token close to expiry is refreshed first; a 401 triggers
   * one refresh and one retry; a rate limit pauses the connection until the provider's wait has
   * passed; credentials the provider keeps refusing error the connection. The error is rethrown.
   */
  call<T>(fn: (ctx: ConnectorContext) => Promise<T>, opts?: CallOptions): Promise<T>;
  /**
   * Revokes the provider-side grant (authenticating as the app where the provider needs it);
   * `not_supported` when the provider has no revoke call for these credentials. Failures throw.
   */
  revoke(): Promise<'revoked' | 'not_supported'>;
};

function contextFor(
  rt: Runtime,
  workspaceId: string | null,
  provider: Provider,
  credentials: Credentials,
  metadata: Record<string, unknown>,
  overrides?: ProviderUrlOverrides,
  oauthClient?: OAuthClient | null,
): ConnectorContext {
  const egress = egressPolicy(rt.config, { resolver: rt.net.resolver });
  const ctx = connectorContext({ config: rt.config, logger: rt.logger, provider, credentials, metadata, overrides, oauthClient: oauthClient ?? null, egress });
  // An inbound provider (Zapier) reports what it subscribed to in the workspace: its endpoints.
  if (provider.definition.auth.inbound && workspaceId) ctx.inbound = { subscriptions: () => subscriptionsOf(rt, workspaceId, provider.definition.slug) };
  return ctx;
}

/** Checks credentials that belong to no connection yet (connect, reconnect, the OAuth callback): the provider's "who am I". */
export async function probeCredentials(
  rt: Runtime,
  provider: Provider,
  credentials: Credentials,
  metadata: { urls?: ProviderUrlOverrides } & Record<string, unknown> = {},
  oauthClient?: OAuthClient | null,
  workspaceId: string | null = null,
): Promise<AccountInfo> {
  return await provider.connector.test(contextFor(rt, workspaceId, provider, credentials, metadata, metadata.urls, oauthClient));
}

/** Opens a session on a connection of the workspace (`not_found` otherwise). */
export async function openSession(rt: Runtime, workspaceId: string, connection: string | IConnection): Promise<ProviderSession> {
  const conn = typeof connection === 'string' ? await findConnection(rt.em(), workspaceId, connection) : connection;
  if (conn.workspace !== workspaceId) throw new AppError('not_found', `Connection '${conn.id}' was not found.`);
  const provider = getProvider(conn.providerSlug);
  const actor = systemActor(workspaceId, 'provider call');
  const metadata = conn.metadata as Record<string, unknown>;

  const appInUse = async (c: Credentials): Promise<OAuthClient | null> =>
    provider.definition.auth.oauth2 && c.type === 'oauth2'
      ? ((await workspaceApp(rt, rt.em(), workspaceId, provider)) ?? oauthAppFromEnv(provider, rt.config))
      : null;
  const isRefreshable = (c: Credentials) => c.type === 'oauth2' && Boolean(c.refreshToken) && provider.definition.auth.oauth2?.refresh !== 'none';

  return {
    connection: conn,
    provider,
    async call<T>(fn: (ctx: ConnectorContext) => Promise<T>, opts: CallOptions = {}): Promise<T> {
      let credentials = await loadCredentials(rt, rt.em(), conn);
      const refreshable = isRefreshable(credentials);
      if (refreshable && refreshDue(conn)) {
        credentials = (await refreshConnectionToken(rt, workspaceId, conn.id, { reason: 'expiring' })) ?? credentials;
      }
      // Some providers' calls authenticate as the app (HubSpot's token introspection): pass the app in use.
      const oauthClient = await appInUse(credentials);
      const run = (creds: Credentials) => fn(contextFor(rt, workspaceId, provider, creds, metadata, conn.metadata.urls, oauthClient));
      try {
        try {
          return await run(credentials);
        } catch (err) {
          if (!(err instanceof AppError && err.code === 'provider_auth_failed' && refreshable)) throw err;
          const fresh = await refreshConnectionToken(rt, workspaceId, conn.id, { reason: 'unauthorized', force: true });
          if (!fresh) throw err; // the grant is gone: the refresh already errored the connection
          return await run(fresh);
        }
      } catch (err) {
        if (err instanceof AppError && err.code === 'rate_limited' && opts.pauseOnRateLimit !== false) {
          await pauseForRateLimit(rt, actor, conn.id, err.retryAfterSeconds ?? 60, err.message, definedPauseOf(err));
        } else if (err instanceof AppError && err.code === 'provider_auth_failed' && opts.errorOnAuthFailure !== false) {
          await markErrored(rt, actor, conn.id, `Authentication failed: ${scrubText(err.message)} — Reconnect.`);
        }
        throw err;
      }
    },
    async revoke(): Promise<'revoked' | 'not_supported'> {
      if (!provider.connector.revoke) return 'not_supported';
      const credentials = await loadCredentials(rt, rt.em(), conn).catch(() => null);
      // Some providers revoke only OAuth grants (Linear): API keys have nothing to revoke.
      if (!credentials || !(provider.connector.canRevoke?.(credentials) ?? true)) return 'not_supported';
      // Some providers revoke by authenticating as the app (GitHub, Asana): pass the app in use.
      const oauthClient = await appInUse(credentials);
      await provider.connector.revoke(contextFor(rt, workspaceId, provider, credentials, metadata, conn.metadata.urls, oauthClient));
      return 'revoked';
    },
  };
}
