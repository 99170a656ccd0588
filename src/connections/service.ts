/**
 * The connection lifecycle's operations: the one platform-neutral service the admin API, the
 * chat bots and the jobs call. Each operation is `(actor, connectionId, …)`; state changes go
 * through the lifecycle writer (`lifecycle.ts`), provider calls through a provider session
 * (`provider-session.ts`). This file only says what each operation means.
 */
import { authorizeOrAudit } from '../access/authorize.ts';
import type { Action } from '../access/permissions.ts';
import { auditOutsideTransaction } from '../audit/audit.ts';
import { Connection, type ConnectionMetadata, type ConnectionStatus, type IConnection } from '../entities/connection.ts';
import { AppError } from '../errors.ts';
import { scrubText } from '../logger.ts';
import { getProvider } from '../providers/registry.ts';
import { overrideProblems, permittedOverrides } from '../providers/_shared/url-overrides.ts';
import type { AccountInfo, Credentials, Provider } from '../providers/types.ts';
import type { Runtime } from '../runtime.ts';
import { actorName, isMember, type Actor, type Caller } from './actor.ts';
import { parseCredentialFields } from './credentials.ts';
import { findConnection, insertConnection, precheck, transition, type ConnectedEventExtras, type NewConnection } from './lifecycle.ts';
import { removeAllRegistrations, withRegistrationLock } from '../inbound/registrations.ts';
import { openSession, probeCredentials } from './provider-session.ts';
import { scheduleRefresh } from './tokens.ts';
import { viewOf, type ConnectionView } from './view.ts';

export type { Actor, Caller } from './actor.ts';

export type TestResult = {
  ok: boolean;
  latencyMs: number;
  account?: { id: string; name: string };
  error?: { code: string; message: string };
  connection: ConnectionView;
};

export type DisconnectResult = {
  connection: ConnectionView;
  revoke: 'revoked' | 'not_supported' | 'failed';
  /** Human text for chat and API: what happened at the provider. */
  note: string;
};

export class ConnectionService {
  readonly rt: Runtime;
  constructor(rt: Runtime) {
    this.rt = rt;
  }

  // ---------------------------------------------------------------- reads

  async list(actor: Actor, filter: { status?: ConnectionStatus; provider?: string; includeDisconnected?: boolean } = {}): Promise<ConnectionView[]> {
    await this.authorize(actor, 'connections.read', null);
    const where: Record<string, unknown> = { workspace: actor.workspaceId };
    if (filter.status) where.status = filter.status;
    else if (!filter.includeDisconnected) where.status = { $ne: 'disconnected' };
    if (filter.provider) where.providerSlug = filter.provider;
    const rows = await this.rt.em().find(Connection, where, { orderBy: { displayName: 'asc', id: 'asc' } });
    return rows.map(viewOf);
  }

  async get(actor: Actor, id: string): Promise<ConnectionView> {
    await this.authorize(actor, 'connections.read', id);
    return viewOf(await findConnection(this.rt.em(), actor.workspaceId, id));
  }

  view(c: IConnection): ConnectionView {
    return viewOf(c);
  }

  parseCredentialFields(provider: Provider, fields: Record<string, unknown>): Credentials {
    return parseCredentialFields(provider, fields);
  }

  // ---------------------------------------------------------------- connect

  /** Connects a credentials provider (API key / Basic): fields validated, tested, then saved. */
  async connectWithCredentials(
    caller: Caller,
    input: { provider: string; displayName?: string; fields: Record<string, unknown> | undefined; urls?: ConnectionMetadata['urls'] },
  ): Promise<{ connection: ConnectionView; account: AccountInfo }> {
    await this.authorize(caller, 'connections.connect', null, { provider: input.provider });
    const provider = getProvider(input.provider);
    if (provider.definition.auth.inbound) return await this.connectInbound(caller, provider, { ...input, fields: input.fields ?? {} });
    if (!input.fields) {
      throw new AppError('validation_failed', 'Invalid request: body.credentials is required.', { details: [{ location: 'body', path: 'credentials', message: 'is required' }] });
    }
    const credentials = parseCredentialFields(provider, input.fields);
    const displayName = (input.displayName ?? provider.definition.displayName).trim();
    await this.ensureNameFree(caller.workspaceId, displayName);
    const urls = this.acceptedOverrides(provider, credentials.type, input.urls);
    const metadata: ConnectionMetadata = urls ? { urls } : {};
    const account = await this.probe(caller, 'connection.connect', null, provider, credentials, metadata);
    const conn = await this.createConnection(caller, provider, {
      displayName,
      authKind: credentials.type,
      credentials,
      metadata: { ...metadata, accountId: account.accountId, accountName: account.accountName, extra: account.extra },
    });
    return { connection: viewOf(conn), account };
  }

  /**
   * Connects an inbound provider (Zapier): the service holds a Patchbay API token, so there is
   * nothing to type or store; the test (what the service subscribed to) runs first, as for any connect.
   */
  private async connectInbound(caller: Caller, provider: Provider, input: { displayName?: string; fields: Record<string, unknown> }): Promise<{ connection: ConnectionView; account: AccountInfo }> {
    const name = provider.definition.displayName;
    if (Object.keys(input.fields ?? {}).length) {
      throw new AppError('validation_failed', `${name} takes no credentials: it calls Patchbay with a Patchbay API token you paste into ${name}. Send no credentials.`, {
        details: [{ location: 'body', path: 'credentials', message: `must be empty: ${name} holds a Patchbay API token, Patchbay stores nothing for it` }],
      });
    }
    const displayName = (input.displayName ?? name).trim();
    await this.ensureNameFree(caller.workspaceId, displayName);
    const credentials: Credentials = { type: 'inbound' };
    const account = await this.probe(caller, 'connection.connect', null, provider, credentials, {});
    const conn = await this.createConnection(caller, provider, {
      displayName,
      authKind: 'inbound',
      credentials,
      metadata: { accountId: account.accountId, accountName: account.accountName, extra: account.extra },
    });
    return { connection: viewOf(conn), account };
  }

  /** Saves a new, already-verified connection (credentials flows here; OAuth callbacks too). */
  async createConnection(caller: Caller, provider: Provider, input: Omit<NewConnection, 'providerSlug'>): Promise<IConnection> {
    return await insertConnection(this.rt, caller, { ...input, providerSlug: provider.definition.slug });
  }

  // ---------------------------------------------------------------- test

  /**
   * Calls the provider's cheapest "who am I" through a provider session (which pauses on a rate
   * limit and errors the connection on refused credentials), then records the outcome; a
   * passing test recovers an errored connection.
   */
  async test(actor: Actor, id: string): Promise<TestResult> {
    const conn = await precheck(this.rt, actor, id, 'test');
    const session = await openSession(this.rt, actor.workspaceId, conn);
    const started = performance.now();
    let account: AccountInfo | undefined;
    let failure: AppError | undefined;
    try {
      account = await session.call((ctx) => session.provider.connector.test(ctx));
    } catch (err) {
      failure = err instanceof AppError ? err : new AppError('provider_error', 'The provider could not be reached.', { cause: err });
    }
    const latencyMs = Math.round(performance.now() - started);
    const { connection } = await transition(this.rt, actor, id, 'test', (c) => {
      if (!account) {
        c.consecutiveFailures += 1;
        return {
          log: { level: failure!.code === 'rate_limited' ? 'warn' : 'error', kind: 'test', message: `Test failed in ${latencyMs} ms: ${failure!.message}`, data: { latencyMs, code: failure!.code } },
          audit: { outcome: 'failed', details: { latencyMs, code: failure!.code } },
        };
      }
      c.metadata = { ...c.metadata, accountId: account.accountId, accountName: account.accountName, extra: { ...c.metadata.extra, ...account.extra } };
      c.consecutiveFailures = 0;
      const passed = { level: 'info' as const, kind: 'test', message: `Test passed in ${latencyMs} ms: connected as ${account.accountName}.`, data: { latencyMs } };
      if (c.status !== 'errored') return { log: passed, audit: { details: { latencyMs } } };
      // A passing test is how an admin confirms a fix: the connection recovers.
      c.statusReason = null;
      return {
        status: 'connected',
        log: [passed, { level: 'info', kind: 'status', message: 'Recovered: the provider accepts the credentials again.' }],
        events: [{ type: 'connection_connected', data: { recovered: true } }],
        audit: { details: { latencyMs } },
      };
    });
    return {
      ok: Boolean(account),
      latencyMs,
      ...(account ? { account: { id: account.accountId, name: account.accountName } } : {}),
      ...(failure ? { error: { code: failure.code, message: scrubText(failure.message) } } : {}),
      connection: viewOf(connection),
    };
  }

  // ---------------------------------------------------------------- pause / resume / rename

  async pause(actor: Actor, id: string, reason?: string): Promise<ConnectionView> {
    const who = actorName(actor);
    const { connection } = await transition(this.rt, actor, id, 'pause', (c) => {
      c.pausedBy = 'member';
      c.pausedUntil = null;
      c.statusReason = reason?.trim() || `Paused by ${who}.`;
      return {
        status: 'paused',
        log: { level: 'info', kind: 'status', message: `Paused by ${who}.${reason ? ` Reason: ${reason}` : ''}` },
        events: [{ type: 'connection_paused', data: { pausedBy: 'member', reason: c.statusReason } }],
      };
    });
    return viewOf(connection);
  }

  /** Resumes a paused connection. Resuming a rate-limited one early is allowed, with a warning. */
  async resume(actor: Actor, id: string): Promise<{ connection: ConnectionView; warning?: string }> {
    let warning: string | undefined;
    const { connection } = await transition(this.rt, actor, id, 'resume', (c) => {
      if (c.pausedBy === 'rate_limit' && c.pausedUntil && c.pausedUntil > new Date()) {
        warning = `${c.displayName} was paused by the provider's rate limit until ${c.pausedUntil.toISOString()}; that window still applies at the provider, so calls may be limited again.`;
      }
      const previousPausedBy = c.pausedBy ?? null;
      c.pausedBy = null;
      c.pausedUntil = null;
      c.statusReason = null;
      return {
        status: 'connected',
        log: { level: warning ? 'warn' : 'info', kind: 'status', message: `Resumed by ${actorName(actor)}.${warning ? ` ${warning}` : ''}` },
        events: [{ type: 'connection_resumed', data: { previousPausedBy, resumedEarly: Boolean(warning) } }],
        audit: { details: warning ? { warning: 'rate_limit_window' } : {} },
      };
    });
    return warning ? { connection: viewOf(connection), warning } : { connection: viewOf(connection) };
  }

  async rename(actor: Actor, id: string, displayName: string): Promise<ConnectionView> {
    const name = displayName.trim();
    if (!name) throw new AppError('validation_failed', 'The display name cannot be empty.');
    await this.authorize(actor, 'connections.rename', id);
    await this.ensureNameFree(actor.workspaceId, name, id);
    const { connection } = await transition(this.rt, actor, id, 'rename', (c) => {
      const before = c.displayName;
      c.displayName = name;
      return {
        log: { level: 'info', kind: 'rename', message: `Renamed from '${before}' to '${name}'.` },
        events: [{ type: 'connection_renamed', data: { previousDisplayName: before } }],
        audit: { details: { from: before, to: name } },
      };
    });
    return viewOf(connection);
  }

  // ---------------------------------------------------------------- reconnect / disconnect

  /**
   * Re-authorizes a credentials connection in place with new fields (tested first): same id and
   * everything attached to it; emits `connection_connected`. OAuth reconnects go through the
   * authorize flow and finish in `completeReconnect`.
   */
  async reconnectWithCredentials(actor: Caller, id: string, fields: Record<string, unknown>): Promise<{ connection: ConnectionView; account: AccountInfo }> {
    const conn = await precheck(this.rt, actor, id, 'reconnect');
    const provider = getProvider(conn.providerSlug);
    const credentials = parseCredentialFields(provider, fields);
    const account = await this.probe(actor, 'connection.reconnect', id, provider, credentials, conn.metadata);
    const connection = await this.completeReconnect(actor, id, {
      credentials,
      metadata: { accountId: account.accountId, accountName: account.accountName, extra: account.extra },
    });
    return { connection, account };
  }

  /** Stores fresh credentials on an existing connection (credentials or OAuth) and marks it connected. */
  async completeReconnect(
    actor: Actor,
    id: string,
    input: { credentials: Credentials; metadata: ConnectionMetadata; tokenExpiresAt?: Date | null; eventData?: ConnectedEventExtras },
  ): Promise<ConnectionView> {
    const { connection } = await transition(this.rt, actor, id, 'reconnect', async (c, tx) => {
      c.credentials = this.rt.vault.encrypt(input.credentials);
      c.authKind = input.credentials.type;
      c.tokenExpiresAt = input.tokenExpiresAt ?? null;
      c.tokenRefreshedAt = input.credentials.type === 'oauth2' ? new Date() : null;
      if (input.tokenExpiresAt) await scheduleRefresh(tx, c.workspace, c.id, input.tokenExpiresAt);
      c.metadata = { ...c.metadata, ...input.metadata, extra: { ...c.metadata.extra, ...input.metadata.extra } };
      // A re-authorization says which overrides survive (`urls` present, maybe empty); the rest are cleared.
      if ('urls' in input.metadata && !input.metadata.urls) delete c.metadata.urls;
      c.statusReason = null;
      c.pausedBy = null;
      c.pausedUntil = null;
      c.consecutiveFailures = 0;
      return {
        status: 'connected',
        log: { level: 'info', kind: 'status', message: `Reconnected${c.metadata.accountName ? ` as ${c.metadata.accountName}` : ''} by ${actorName(actor)}.` },
        events: [{ type: 'connection_connected', data: { reconnected: true, ...input.eventData } }],
        audit: { details: { account: c.metadata.accountName ?? null, scopes: c.metadata.scopes ?? [] } },
      };
    });
    return viewOf(connection);
  }

  /**
   * Revokes the provider-side grant where the provider has a revoke call, then deletes the
   * credentials and keeps the history. A failed revoke is logged and reported, never blocks.
   */
  async disconnect(actor: Actor, id: string): Promise<DisconnectResult> {
    const conn = await precheck(this.rt, actor, id, 'disconnect');
    const session = await openSession(this.rt, actor.workspaceId, conn);
    const name = session.provider.definition.displayName;
    let revoke: DisconnectResult['revoke'] = 'not_supported';
    let note = session.provider.definition.revokeNote ?? `${name} has no revoke call; the credentials were deleted from Patchbay.`;
    // Webhooks Patchbay registered go first, while the credentials still work (best effort each);
    // the registration lock is held until the connection is marked disconnected, so a sync job
    // that was waiting finds it disconnected instead of registering again.
    return await withRegistrationLock(this.rt, conn.id, async () => {
      await removeAllRegistrations(this.rt, session).catch((err: unknown) => this.rt.logger.warn({ err, connectionId: conn.id }, 'could not remove provider webhooks'));
      try {
        if ((await session.revoke()) === 'revoked') {
          revoke = 'revoked';
          note = `Access was revoked at ${name}.`;
        }
      } catch (err) {
        revoke = 'failed';
        note = `Revoking at ${name} failed (${err instanceof AppError ? scrubText(err.message) : 'unexpected error'}); the credentials were deleted from Patchbay anyway — remove the app's access in ${name} to be sure.`;
      }
      const who = actorName(actor);
      const { connection } = await transition(this.rt, actor, id, 'disconnect', (c) => {
        c.credentials = null;
        c.tokenExpiresAt = null;
        c.pausedBy = null;
        c.pausedUntil = null;
        c.statusReason = `Disconnected by ${who}.`;
        c.disconnectedAt = new Date();
        return {
          status: 'disconnected',
          log: { level: revoke === 'failed' ? 'warn' : 'info', kind: 'status', message: `Disconnected by ${who}. ${note}`, data: { revoke } },
          events: [{ type: 'connection_disconnected', data: { revoke } }],
          audit: { details: { revoke } },
        };
      });
      return { connection: viewOf(connection), revoke, note };
    });
  }

  // ---------------------------------------------------------------- helpers

  /** Checks new credentials at the provider; a failure is audited as the operation failing. */
  private async probe(caller: Caller, action: string, targetId: string | null, provider: Provider, credentials: Credentials, metadata: ConnectionMetadata): Promise<AccountInfo> {
    try {
      return await probeCredentials(this.rt, provider, credentials, metadata, null, caller.workspaceId);
    } catch (err) {
      await auditOutsideTransaction(this.rt, {
        workspaceId: caller.workspaceId,
        action,
        targetType: 'connection',
        targetId,
        outcome: 'failed',
        details: { provider: provider.definition.slug, code: err instanceof AppError ? err.code : 'internal_error' },
      });
      throw err;
    }
  }

  /** The URL overrides the provider's definition accepts, or a 400 naming each refused field and why. */
  private acceptedOverrides(provider: Provider, authKind: Credentials['type'], urls: ConnectionMetadata['urls']): ConnectionMetadata['urls'] {
    return acceptedUrlOverrides(this.rt, provider, authKind, urls);
  }

  private async ensureNameFree(workspaceId: string, displayName: string, exceptId?: string): Promise<void> {
    const rows = await this.rt.em().execute<Array<{ id: string }>>(
      `select id from connections where workspace_id = ? and lower(display_name) = lower(?) and status <> 'disconnected'`,
      [workspaceId, displayName],
    );
    if (rows.some((r) => r.id !== exceptId)) {
      throw new AppError('conflict', `A connection named '${displayName}' already exists. Choose another display name.`, {
        details: { field: 'displayName' },
      });
    }
  }

  private async authorize(actor: Actor, action: Action, targetId: string | null, details?: Record<string, unknown>): Promise<void> {
    if (!isMember(actor)) return;
    await authorizeOrAudit(this.rt, { workspaceId: actor.workspaceId, role: actor.member.role, action, targetType: 'connection', targetId, details });
  }
}

/**
 * The URL overrides a provider's definition accepts for this auth kind, or a 400 naming each
 * refused field and why (credential connects and OAuth starts share it).
 */
export function acceptedUrlOverrides(rt: Runtime, provider: Provider, authKind: Credentials['type'], urls: ConnectionMetadata['urls']): ConnectionMetadata['urls'] {
  const allow = rt.config.EGRESS_ALLOW_PRIVATE;
  const problems = overrideProblems(provider.definition, authKind, urls, allow);
  if (problems.length) {
    throw new AppError('validation_failed', `Invalid request: ${problems.map((p) => `urls.${p.field}: ${p.message}`).join('; ')}.`, {
      details: problems.map((p) => ({ location: 'body', path: `urls.${p.field}`, message: p.message })),
    });
  }
  const kept = permittedOverrides(provider.definition, authKind, urls, allow);
  return Object.keys(kept).length ? kept : undefined;
}
