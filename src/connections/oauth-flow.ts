/**
 * The OAuth 2.0 authorization code flow around the pure HTTP helpers in providers/_shared/oauth:
 * a signed, single-use, 10-minute `state` bound to workspace, member, provider, the connection
 * being reconnected and the chat context that asked; the callback exchanges the code, tests
 * the token, and creates or re-authorizes the connection. The outcome is a domain event so the
 * chat that started it can be told.
 */
import { randomBytes } from 'node:crypto';
import { authorizeOrAudit } from '../access/authorize.ts';
import { auditOutsideTransaction } from '../audit/audit.ts';
import { currentContext, runWithContext, type Via } from '../context.ts';
import { Connection, type ConnectionMetadata } from '../entities/connection.ts';
import { Member } from '../entities/member.ts';
import { OAuthState, type ChatContext, type IOAuthState } from '../entities/oauth-state.ts';
import { AppError, notFound } from '../errors.ts';
import { recordEvent } from '../events/record.ts';
import { scrubText } from '../logger.ts';
import { buildAuthorizeUrl, createPkcePair, exchangeCode, oauthRedirectUri, requestedScopes } from '../providers/_shared/oauth.ts';
import { connectionUrls } from '../providers/_shared/urls.ts';
import { callbackOverrides, permittedOverrides } from '../providers/_shared/url-overrides.ts';
import { egressPolicy } from '../net/egress.ts';
import { probeCredentials } from './provider-session.ts';
import { getProvider } from '../providers/registry.ts';
import type { AccountInfo, Provider } from '../providers/types.ts';
import type { Runtime } from '../runtime.ts';
import { oauthClientFor } from './oauth-apps.ts';
import { acceptedUrlOverrides, ConnectionService, type Caller } from './service.ts';
import type { ConnectionView } from './view.ts';

export const STATE_TTL_MS = 10 * 60_000;

export type StartedAuthorization = { authorizeUrl: string; expiresAt: Date };

/** Begins an authorization: returns the provider's authorize URL with a signed, single-use state. */
export async function startAuthorization(
  rt: Runtime,
  caller: Caller,
  input: { provider: string; connectionId?: string; displayName?: string; chatContext?: ChatContext; urls?: ConnectionMetadata['urls'] },
): Promise<StartedAuthorization> {
  const action = input.connectionId ? 'connections.reconnect' : 'connections.connect';
  await authorizeOrAudit(rt, {
    workspaceId: caller.workspaceId,
    role: caller.member.role,
    action,
    targetType: 'connection',
    targetId: input.connectionId ?? null,
    details: { provider: input.provider },
  });
  const provider = getProvider(input.provider);
  if (provider.definition.auth.inbound) {
    throw new AppError('validation_failed', `${provider.definition.displayName} does not connect through OAuth: it calls Patchbay with a Patchbay API token. \`connect ${provider.definition.slug}\` in chat (or POST /api/v1/connections) explains the setup.`);
  }
  if (!provider.definition.auth.oauth2) {
    throw new AppError(
      'validation_failed',
      `${provider.definition.displayName} connects with ${provider.definition.auth.credentials?.kind === 'basic' ? 'account credentials' : 'an API key'}, not OAuth: send its fields to POST /api/v1/connections (in chat, \`connect ${provider.definition.slug}\` opens a form).`,
    );
  }
  // Validated before anything is stored: a host the definition does not allow is a 400 naming it.
  const requested = acceptedUrlOverrides(rt, provider, 'oauth2', input.urls);
  const em = rt.em();
  let overrides: ConnectionMetadata['urls'] = requested;
  if (input.connectionId) {
    const conn = await em.findOne(Connection, { id: input.connectionId, workspace: caller.workspaceId });
    if (!conn) throw notFound('Connection', input.connectionId);
    if (conn.providerSlug !== provider.definition.slug) {
      throw new AppError('validation_failed', `Connection ${conn.displayName} is a ${conn.providerSlug} connection, not ${provider.definition.slug}.`);
    }
    if (conn.status === 'disconnected') {
      throw new AppError('invalid_transition', `${conn.displayName} is disconnected. Connect it again with \`connect ${conn.providerSlug}\`.`);
    }
    // A reconnect keeps the connection's hosts unless the request names others.
    if (!requested) overrides = conn.metadata.urls;
  } else {
    const name = (input.displayName ?? provider.definition.displayName).trim();
    const taken = await em.execute<Array<{ id: string }>>(
      `select id from connections where workspace_id = ? and lower(display_name) = lower(?) and status <> 'disconnected'`,
      [caller.workspaceId, name],
    );
    if (taken.length) {
      throw new AppError('conflict', `A connection named '${name}' already exists. Reconnect it, or choose another display name.`, {
        details: { field: 'displayName', connectionId: taken[0]!.id },
      });
    }
  }
  const client = await oauthClientFor(rt, caller.workspaceId, provider);
  const urls = connectionUrls(provider, rt.config, 'oauth2', overrides);
  const spec = provider.definition.auth.oauth2;
  const pkce = spec.pkce ? createPkcePair() : undefined;
  const id = randomBytes(24).toString('base64url');
  const state = `${id}.${rt.vault.sign(`oauth-state:${id}`)}`;
  const scopes = requestedScopes(provider.definition);
  const redirectUri = oauthRedirectUri(rt.config);
  const expiresAt = new Date(Date.now() + STATE_TTL_MS);
  em.create(OAuthState, {
    id,
    workspace: caller.workspaceId,
    member: caller.member.id,
    providerSlug: provider.definition.slug,
    connectionId: input.connectionId ?? null,
    displayName: input.displayName?.trim() || null,
    scopes,
    redirectUri,
    codeVerifier: pkce ? rt.vault.encrypt(pkce.codeVerifier) : null,
    chatContext: input.chatContext ?? null,
    // The callback exchanges the code at the same hosts, and the connection keeps them.
    urls: storedOverrides(provider, rt, overrides),
    expiresAt,
  });
  await em.flush();
  const authorizeUrl = buildAuthorizeUrl(provider, urls, client, {
    state,
    redirectUri,
    scopes,
    ...(pkce ? { codeChallenge: pkce.codeChallenge } : {}),
  });
  return { authorizeUrl, expiresAt };
}

export type CallbackOutcome =
  | { ok: true; provider: Provider; connection: ConnectionView; account: AccountInfo; reconnected: boolean; chatContext: ChatContext | null }
  | { ok: false; provider: Provider | null; title: string; message: string; chatContext: ChatContext | null };

/** Verifies and consumes a state: tampered, replayed and expired states are refused and change nothing. */
async function consumeState(rt: Runtime, state: string): Promise<IOAuthState> {
  const [id, sig] = state.split('.');
  if (!id || !sig || !rt.vault.verify(`oauth-state:${id}`, sig)) {
    throw new AppError('oauth_state_invalid', 'This authorization link is not valid. Start again from Patchbay (`connect <provider>`).');
  }
  // Atomically mark it used: a second callback with the same state finds nothing to consume.
  const rows = await rt.em().execute<Array<{ id: string; expires_at: Date }>>(
    'update oauth_states set used_at = now() where id = ? and used_at is null returning id, expires_at',
    [id],
  );
  if (!rows.length) {
    const exists = await rt.em().findOne(OAuthState, { id });
    throw new AppError(
      'oauth_state_invalid',
      exists ? 'This authorization link was already used. Start again from Patchbay if you need to connect again.' : 'This authorization link is not valid. Start again from Patchbay.',
    );
  }
  const row = await rt.em().findOneOrFail(OAuthState, { id });
  if (row.expiresAt.getTime() < Date.now()) {
    throw new AppError('oauth_state_invalid', 'This authorization link expired (links last 10 minutes). Start again from Patchbay (`connect <provider>`).');
  }
  return row;
}

/** Handles GET /oauth/callback. Never throws for provider-side failures: they become an outcome and an event. */
export async function completeAuthorization(
  rt: Runtime,
  query: { state?: string; code?: string; error?: string; error_description?: string; params?: Record<string, string> },
): Promise<CallbackOutcome> {
  if (!query.state) throw new AppError('oauth_state_invalid', 'The provider sent no state. Start again from Patchbay (`connect <provider>`).');
  const row = await consumeState(rt, query.state);
  const provider = getProvider(row.providerSlug);
  const member = await rt.em().findOne(Member, { id: row.member, workspace: row.workspace });
  if (!member) throw new AppError('oauth_state_invalid', 'The member who started this authorization no longer exists.');
  const via: Via = row.chatContext?.platform && row.chatContext.platform !== 'cli' ? row.chatContext.platform : row.chatContext?.platform === 'cli' ? 'cli' : 'api';
  const ctx = { correlationId: currentContext()?.correlationId ?? id(), actor: { memberId: member.id, via } };
  return await runWithContext(ctx, async () => {
    const caller: Caller = { workspaceId: row.workspace, member };
    const chatContext = row.chatContext ?? null;
    const fail = async (title: string, message: string, reason: string): Promise<CallbackOutcome> => {
      await rt.em().transactional(async (tx) => {
        await recordEvent(tx, {
          workspaceId: row.workspace,
          type: 'connection_authorization_failed',
          entityId: row.id,
          snapshot: { id: row.id, provider: provider.definition.slug, connectionId: row.connectionId ?? null },
          data: { chatContext, code: reason, message },
        });
      });
      await auditOutsideTransaction(rt, {
        workspaceId: row.workspace,
        action: row.connectionId ? 'connection.reconnect' : 'connection.connect',
        targetType: 'connection',
        targetId: row.connectionId ?? null,
        outcome: 'failed',
        details: { provider: provider.definition.slug, reason },
      });
      return { ok: false, provider, title, message, chatContext };
    };
    const name = provider.definition.displayName;
    if (query.error) {
      const denied = query.error === 'access_denied';
      return await fail(
        denied ? `${name} access was not granted` : `${name} authorization failed`,
        denied
          ? `The authorization was cancelled at ${name}, so nothing was connected. To connect, start again and choose Allow.`
          : `${name} answered "${scrubText(query.error_description ?? query.error)}". Nothing was connected; start again, and if it keeps failing, check the ${name} app's settings (redirect URL ${row.redirectUri}).`,
        query.error,
      );
    }
    if (!query.code) return await fail(`${name} authorization failed`, `${name} sent no authorization code. Start again from Patchbay.`, 'no_code');
    let account: AccountInfo;
    let credentials;
    let overrides: ConnectionMetadata['urls'];
    try {
      // The hosts the authorization started with; a state from before they were stored falls back to the reconnected connection's.
      const started = row.urls ?? (row.connectionId ? (await rt.em().findOne(Connection, { id: row.connectionId }))?.metadata.urls : undefined);
      overrides = storedOverrides(provider, rt, started) ?? undefined;
      // URLs the callback names (Zoho's data center), only on the definition's declared hosts.
      // (One equal to the definition's own URL is no override: the default data center stays trusted configuration.)
      const oauth = provider.definition.auth.oauth2 as Record<string, unknown> | undefined;
      const named = Object.fromEntries(
        Object.entries(permittedOverrides(provider.definition, 'oauth2', callbackOverrides(provider.definition.urlsFromCallback, query.params ?? {}), rt.config.EGRESS_ALLOW_PRIVATE)).filter(([k, v]) => oauth?.[k] !== v),
      );
      if (Object.keys(named).length) overrides = { ...overrides, ...named };
      const client = await oauthClientFor(rt, row.workspace, provider);
      const urls = connectionUrls(provider, rt.config, 'oauth2', overrides);
      const verifierRows = await rt.em().execute<Array<{ code_verifier: string | null }>>('select code_verifier from oauth_states where id = ?', [row.id]);
      const verifierCt = verifierRows[0]?.code_verifier;
      credentials = await exchangeCode(
        provider,
        urls,
        client,
        { code: query.code, redirectUri: row.redirectUri, requestedScopes: row.scopes, ...(verifierCt ? { codeVerifier: rt.vault.decrypt<string>(verifierCt) } : {}) },
        { logger: rt.logger, egress: egressPolicy(rt.config, { resolver: rt.net.resolver }) },
      );
      account = await probeCredentials(rt, provider, credentials, overrides ? { urls: overrides } : {}, client);
    } catch (err) {
      const e = err instanceof AppError ? err : new AppError('provider_error', 'unexpected error', { cause: err });
      if (!(err instanceof AppError)) rt.logger.error({ err }, 'OAuth callback failed');
      return await fail(
        `${name} authorization failed`,
        `${scrubText(e.message).replace(/\.+$/, '')}. Nothing was connected; start again from Patchbay.`,
        e.code,
      );
    }
    const metadata: ConnectionMetadata = {
      accountId: account.accountId,
      accountName: account.accountName,
      scopes: credentials.scopes,
      ...(account.extra ? { extra: account.extra } : {}),
      // Present even when empty: a re-authorization clears the overrides the new grant does not declare.
      urls: overrides,
    };
    const tokenExpiresAt = credentials.expiresAt ? new Date(credentials.expiresAt) : null;
    const service = new ConnectionService(rt);
    try {
      if (row.connectionId) {
        const connection = await service.completeReconnect(caller, row.connectionId, { credentials, metadata, tokenExpiresAt, eventData: { chatContext } });
        return { ok: true, provider, connection, account, reconnected: true, chatContext };
      }
      const conn = await service.createConnection(caller, provider, {
        displayName: row.displayName ?? name,
        authKind: 'oauth2',
        credentials,
        metadata,
        tokenExpiresAt,
        eventData: { chatContext },
      });
      return { ok: true, provider, connection: service.view(conn), account, reconnected: false, chatContext };
    } catch (err) {
      const e = err instanceof AppError ? err : new AppError('internal_error', 'unexpected error', { cause: err });
      if (!(err instanceof AppError)) rt.logger.error({ err }, 'saving the OAuth connection failed');
      return await fail(`${name} could not be saved`, `${scrubText(e.message)}`, e.code);
    }
  });
}

/** Only overrides the definition declares for OAuth grants survive; an API key's override never carries a token. */
function storedOverrides(provider: Provider, rt: Runtime, urls: ConnectionMetadata['urls'] | null): NonNullable<ConnectionMetadata['urls']> | null {
  const kept = permittedOverrides(provider.definition, 'oauth2', urls ?? undefined, rt.config.EGRESS_ALLOW_PRIVATE);
  return Object.keys(kept).length ? kept : null;
}

function id(): string {
  return randomBytes(8).toString('hex');
}
