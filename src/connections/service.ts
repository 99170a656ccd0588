/**
 * The connection lifecycle: the one platform-neutral service the admin API, the chat bots and
 * the jobs all call. Every change runs in one transaction that updates the connection, writes
 * its connection-log line, its domain event and its audit entry; refusals change nothing and
 * are audited as refused.
 */
import { LockMode, type EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { authorize, type Action } from '../access/permissions.ts';
import { auditOutsideTransaction, writeAudit } from '../audit/audit.ts';
import { currentContext } from '../context.ts';
import { ConnectionLog, type LogLevel } from '../entities/connection-log.ts';
import {
  Connection,
  type AuthKind,
  type ConnectionMetadata,
  type ConnectionStatus,
  type IConnection,
} from '../entities/connection.ts';
import type { IMember } from '../entities/member.ts';
import { AppError, notFound } from '../errors.ts';
import type { EventDataInput, EventTypeOf } from '../events/catalog/index.ts';
import { recordEvent } from '../events/record.ts';
import { enqueue } from '../jobs/enqueue.ts';
import { scrubText } from '../logger.ts';
import { connectorContext } from '../providers/context.ts';
import { getProvider } from '../providers/registry.ts';
import type { AccountInfo, ConnectorContext, Credentials, Provider } from '../providers/types.ts';
import type { Runtime } from '../runtime.ts';
import { oauthAppFromEnv } from '../providers/_shared/urls.ts';
import { workspaceApp } from './oauth-apps.ts';
import { refreshConnectionToken, scheduleRefresh, REFRESH_MARGIN_MS } from './tokens.ts';
import { connectionView, type ConnectionView } from './view.ts';

/** Who is asking. Through what (api, slack, …) and the chat identity come from the request context. */
export type Caller = { workspaceId: string; member: IMember };

/** What a caller may add to a connection_connected event (e.g. the chat context that asked). */
export type ConnectedEventExtras = Pick<EventDataInput<'connection_connected'>, 'chatContext'>;

type Op = 'test' | 'pause' | 'resume' | 'rename' | 'reconnect' | 'disconnect';

/** From which statuses each operation may start. Anything else is an invalid transition. */
const ALLOWED_FROM: Record<Op, readonly ConnectionStatus[]> = {
  test: ['connected', 'paused', 'errored'],
  pause: ['connected', 'errored'],
  resume: ['paused'],
  rename: ['connected', 'paused', 'errored'],
  reconnect: ['connected', 'paused', 'errored'],
  disconnect: ['connected', 'paused', 'errored'],
};

const ACTION_OF: Record<Op, Action> = {
  test: 'connections.test',
  pause: 'connections.pause',
  resume: 'connections.resume',
  rename: 'connections.rename',
  reconnect: 'connections.reconnect',
  disconnect: 'connections.disconnect',
};

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

function invalidTransition(c: IConnection, op: Op): AppError {
  const name = c.displayName;
  const messages: Partial<Record<ConnectionStatus, string>> = {
    disconnected: `${name} is disconnected. Connect it again with \`connect ${c.providerSlug}\`.`,
  };
  let message = messages[c.status as ConnectionStatus];
  if (!message) {
    if (op === 'pause' && c.status === 'paused') message = `${name} is already paused.`;
    else if (op === 'resume') message = `${name} is not paused (it is ${c.status}), so there is nothing to resume.`;
    else message = `${name} cannot be ${op === 'test' ? 'tested' : `${op}d`} while it is ${c.status}.`;
  }
  return new AppError('invalid_transition', message, { details: { connectionId: c.id, status: c.status, operation: op } });
}

export class ConnectionService {
  readonly rt: Runtime;
  constructor(rt: Runtime) {
    this.rt = rt;
  }

  // ---------------------------------------------------------------- reads

  async list(caller: Caller, filter: { status?: ConnectionStatus; provider?: string; includeDisconnected?: boolean } = {}) {
    await this.authorize(caller, 'connections.read', 'connection', null);
    const where: Record<string, unknown> = { workspace: caller.workspaceId };
    if (filter.status) where.status = filter.status;
    else if (!filter.includeDisconnected) where.status = { $ne: 'disconnected' };
    if (filter.provider) where.providerSlug = filter.provider;
    const rows = await this.rt.em().find(Connection, where, { orderBy: { displayName: 'asc', id: 'asc' } });
    return rows.map((c) => this.view(c));
  }

  async get(caller: Caller, id: string): Promise<ConnectionView> {
    await this.authorize(caller, 'connections.read', 'connection', id);
    return this.view(await this.load(this.rt.em(), caller.workspaceId, id));
  }

  // ---------------------------------------------------------------- connect

  /** Connects a credentials provider (API key / Basic): fields validated, tested, then saved. */
  async connectWithCredentials(
    caller: Caller,
    input: { provider: string; displayName?: string; fields: Record<string, unknown>; urls?: ConnectionMetadata['urls'] },
  ): Promise<{ connection: ConnectionView; account: AccountInfo }> {
    await this.authorize(caller, 'connections.connect', 'connection', null, { provider: input.provider });
    const provider = getProvider(input.provider);
    const credentials = this.parseCredentialFields(provider, input.fields);
    const displayName = (input.displayName ?? provider.definition.displayName).trim();
    await this.ensureNameFree(caller.workspaceId, displayName);
    const metadata: ConnectionMetadata = input.urls ? { urls: input.urls } : {};
    const account = await this.testCredentials(provider, credentials, metadata).catch(async (err: unknown) => {
      await auditOutsideTransaction(this.rt, {
        workspaceId: caller.workspaceId,
        action: 'connection.connect',
        targetType: 'connection',
        outcome: 'failed',
        details: { provider: provider.definition.slug, code: err instanceof AppError ? err.code : 'internal_error' },
      });
      throw err;
    });
    const conn = await this.createConnection(caller, provider, {
      displayName,
      authKind: credentials.type,
      credentials,
      metadata: { ...metadata, accountId: account.accountId, accountName: account.accountName, extra: account.extra },
    });
    return { connection: this.view(conn), account };
  }

  /**
   * Saves a new, already-verified connection (credentials flows here; OAuth callbacks too) with
   * its log line, `connection_connected` event and audit entry, in one transaction.
   */
  async createConnection(
    caller: Caller,
    provider: Provider,
    input: {
      displayName: string;
      authKind: AuthKind;
      credentials: Credentials;
      metadata: ConnectionMetadata;
      tokenExpiresAt?: Date | null;
      /** Extra facts for the connection_connected event (e.g. the chat context that asked). */
      eventData?: ConnectedEventExtras;
    },
  ): Promise<IConnection> {
    try {
      return await this.rt.em().transactional(async (tx) => {
        const conn = tx.create(Connection, {
          workspace: caller.workspaceId,
          providerSlug: provider.definition.slug,
          displayName: input.displayName,
          status: 'connected',
          authKind: input.authKind,
          credentials: this.rt.vault.encrypt(input.credentials),
          tokenExpiresAt: input.tokenExpiresAt ?? null,
          tokenRefreshedAt: input.credentials.type === 'oauth2' ? new Date() : null,
          metadata: input.metadata,
          createdBy: caller.member.id,
        });
        await tx.flush();
        if (input.tokenExpiresAt) await scheduleRefresh(tx, conn.workspace, conn.id, input.tokenExpiresAt);
        const as = input.metadata.accountName ? ` as ${input.metadata.accountName}` : '';
        await this.log(tx, conn, 'info', 'status', `Connected${as}.`);
        await this.event(tx, conn, 'connection_connected', { previousStatus: null, ...input.eventData });
        await writeAudit(tx, {
          workspaceId: caller.workspaceId,
          action: 'connection.connect',
          targetType: 'connection',
          targetId: conn.id,
          outcome: 'success',
          details: { provider: provider.definition.slug, displayName: conn.displayName, account: input.metadata.accountName ?? null },
        });
        return conn;
      });
    } catch (err) {
      if (String((err as { code?: string }).code) === '23505' || /unique/i.test(String(err))) {
        throw new AppError('conflict', `A connection named '${input.displayName}' already exists. Choose another display name.`, {
          details: { field: 'displayName' },
        });
      }
      throw err;
    }
  }

  // ---------------------------------------------------------------- test

  async test(caller: Caller | null, workspaceId: string, id: string): Promise<TestResult> {
    const conn = await this.precheck(caller, workspaceId, id, 'test');
    const provider = getProvider(conn.providerSlug);
    const started = performance.now();
    let account: AccountInfo | undefined;
    let failure: AppError | undefined;
    try {
      account = await this.callProvider(conn, (ctx) => provider.connector.test(ctx), { pauseOnRateLimit: false });
    } catch (err) {
      failure = err instanceof AppError ? err : new AppError('provider_error', 'The provider could not be reached.', { cause: err });
    }
    const latencyMs = Math.round(performance.now() - started);
    if (failure?.code === 'rate_limited') {
      await this.pauseForRateLimit(workspaceId, id, failure.retryAfterSeconds ?? 60, failure.message);
    }
    const updated = await this.rt.em().transactional(async (tx) => {
      const c = await this.lockFor(tx, workspaceId, id);
      const previous = c.status;
      if (account) {
        c.metadata = { ...c.metadata, accountId: account.accountId, accountName: account.accountName, extra: { ...c.metadata.extra, ...account.extra } };
        c.consecutiveFailures = 0;
        await this.log(tx, c, 'info', 'test', `Test passed in ${latencyMs} ms: connected as ${account.accountName}.`, { latencyMs });
        if (c.status === 'errored') {
          // A passing test is how an admin confirms a fix: the connection recovers.
          c.status = 'connected';
          c.statusReason = null;
          await this.log(tx, c, 'info', 'status', 'Recovered: the provider accepts the credentials again.');
          await this.event(tx, c, 'connection_connected', { previousStatus: previous, recovered: true });
        }
      } else if (failure) {
        c.consecutiveFailures += 1;
        const msg = scrubText(failure.message);
        await this.log(tx, c, failure.code === 'rate_limited' ? 'warn' : 'error', 'test', `Test failed in ${latencyMs} ms: ${msg}`, {
          latencyMs,
          code: failure.code,
        });
        if (failure.code === 'provider_auth_failed' && c.status !== 'errored') {
          c.status = 'errored';
          c.statusReason = `Authentication failed: ${msg} — Reconnect.`;
          await this.log(tx, c, 'error', 'status', `Errored: ${c.statusReason}`);
          await this.event(tx, c, 'connection_errored', { previousStatus: previous, reason: c.statusReason });
        }
      }
      await tx.flush();
      await writeAudit(tx, {
        workspaceId,
        action: 'connection.test',
        targetType: 'connection',
        targetId: c.id,
        outcome: account ? 'success' : 'failed',
        details: { latencyMs, ...(failure ? { code: failure.code } : {}) },
      });
      return c;
    });
    return {
      ok: Boolean(account),
      latencyMs,
      ...(account ? { account: { id: account.accountId, name: account.accountName } } : {}),
      ...(failure ? { error: { code: failure.code, message: scrubText(failure.message) } } : {}),
      connection: this.view(updated),
    };
  }

  // ---------------------------------------------------------------- pause / resume

  async pause(caller: Caller, id: string, reason?: string): Promise<ConnectionView> {
    return await this.change(caller, caller.workspaceId, id, 'pause', async (tx, c) => {
      const previous = c.status;
      c.status = 'paused';
      c.pausedBy = 'member';
      c.pausedUntil = null;
      c.statusReason = reason?.trim() || `Paused by ${caller.member.displayName}.`;
      await this.log(tx, c, 'info', 'status', `Paused by ${caller.member.displayName}.${reason ? ` Reason: ${reason}` : ''}`);
      await this.event(tx, c, 'connection_paused', { previousStatus: previous, pausedBy: 'member', reason: c.statusReason });
      return {};
    });
  }

  /** Resumes a paused connection. Resuming a rate-limited one early is allowed, with a warning. */
  async resume(caller: Caller | null, workspaceId: string, id: string): Promise<{ connection: ConnectionView; warning?: string }> {
    let warning: string | undefined;
    const connection = await this.change(caller, workspaceId, id, 'resume', async (tx, c) => {
      if (c.pausedBy === 'rate_limit' && c.pausedUntil && c.pausedUntil > new Date()) {
        warning = `${c.displayName} was paused by the provider's rate limit until ${c.pausedUntil.toISOString()}; that window still applies at the provider, so calls may be limited again.`;
      }
      const previousPausedBy = c.pausedBy;
      c.status = 'connected';
      c.pausedBy = null;
      c.pausedUntil = null;
      c.statusReason = null;
      await this.log(tx, c, warning ? 'warn' : 'info', 'status', `Resumed${caller ? ` by ${caller.member.displayName}` : ''}.${warning ? ` ${warning}` : ''}`);
      await this.event(tx, c, 'connection_resumed', { previousStatus: 'paused', previousPausedBy: previousPausedBy ?? null, resumedEarly: Boolean(warning) });
      return { auditDetails: warning ? { warning: 'rate_limit_window' } : {} };
    });
    return warning ? { connection, warning } : { connection };
  }

  /**
   * Pauses a connection because its provider said to wait (what provider calls and syncs use).
   * A job resumes it at `pausedUntil`. A connection a member paused stays paused by the member.
   */
  async pauseForRateLimit(workspaceId: string, id: string, waitSeconds: number, reason: string): Promise<ConnectionView> {
    const until = new Date(Date.now() + Math.max(1, waitSeconds) * 1000);
    return await this.rt.em().transactional(async (tx) => {
      const c = await this.lockFor(tx, workspaceId, id);
      if (c.status === 'disconnected' || (c.status === 'paused' && c.pausedBy === 'member')) return this.view(c);
      if (c.status === 'paused' && c.pausedBy === 'rate_limit' && c.pausedUntil && c.pausedUntil >= until) return this.view(c);
      const previous = c.status;
      c.status = 'paused';
      c.pausedBy = 'rate_limit';
      c.pausedUntil = until;
      c.statusReason = `Rate limited by ${getProvider(c.providerSlug).definition.displayName}: ${scrubText(reason)}`;
      await tx.flush();
      await this.log(tx, c, 'warn', 'status', `Paused by the provider's rate limit until ${until.toISOString()}.`, { waitSeconds });
      await this.event(tx, c, 'connection_paused', { previousStatus: previous, pausedBy: 'rate_limit', pausedUntil: until.toISOString(), reason: c.statusReason });
      await enqueue(tx, 'resume_connection', { connectionId: c.id, workspaceId }, { runAt: until, jobKey: `resume_connection:${c.id}` });
      await writeAudit(tx, {
        workspaceId,
        action: 'connection.pause',
        targetType: 'connection',
        targetId: c.id,
        outcome: 'success',
        details: { pausedBy: 'rate_limit', pausedUntil: until.toISOString() },
      });
      return this.view(c);
    });
  }

  /** The `resume_connection` job: resumes only if still paused by the rate limit and the window has passed. */
  async resumeAfterRateLimit(workspaceId: string, id: string): Promise<'resumed' | 'skipped'> {
    const c = await this.rt.em().findOne(Connection, { id, workspace: workspaceId });
    if (!c || c.status !== 'paused' || c.pausedBy !== 'rate_limit') return 'skipped';
    if (c.pausedUntil && c.pausedUntil.getTime() > Date.now() + 1000) return 'skipped'; // re-paused for longer; its own job will run
    await this.resume(null, workspaceId, id);
    return 'resumed';
  }

  /** Moves a connection to errored (authorization revoked, refresh failed, …). No-op when already errored. */
  async markErrored(workspaceId: string, id: string, reason: string): Promise<ConnectionView> {
    return await this.rt.em().transactional(async (tx) => {
      const c = await this.lockFor(tx, workspaceId, id);
      if (c.status === 'errored' || c.status === 'disconnected') return this.view(c);
      const previous = c.status;
      c.status = 'errored';
      c.statusReason = scrubText(reason);
      c.pausedBy = null;
      c.pausedUntil = null;
      await tx.flush();
      await this.log(tx, c, 'error', 'status', `Errored: ${c.statusReason}`);
      await this.event(tx, c, 'connection_errored', { previousStatus: previous, reason: c.statusReason });
      await writeAudit(tx, { workspaceId, action: 'connection.error', targetType: 'connection', targetId: c.id, outcome: 'success', details: { reason: c.statusReason } });
      return this.view(c);
    });
  }

  // ---------------------------------------------------------------- rename / reconnect / disconnect

  async rename(caller: Caller, id: string, displayName: string): Promise<ConnectionView> {
    const name = displayName.trim();
    if (!name) throw new AppError('validation_failed', 'The display name cannot be empty.');
    await this.ensureNameFree(caller.workspaceId, name, id);
    return await this.change(caller, caller.workspaceId, id, 'rename', async (tx, c) => {
      const before = c.displayName;
      c.displayName = name;
      await this.log(tx, c, 'info', 'rename', `Renamed from '${before}' to '${name}'.`);
      await this.event(tx, c, 'connection_renamed', { previousDisplayName: before });
      return { auditDetails: { from: before, to: name } };
    });
  }

  /**
   * Re-authorizes a credentials connection in place with new fields (tested first): same id and
   * everything attached to it; emits `connection_connected`. OAuth reconnects go through the
   * authorize flow and finish in `completeReconnect`.
   */
  async reconnectWithCredentials(caller: Caller, id: string, fields: Record<string, unknown>): Promise<{ connection: ConnectionView; account: AccountInfo }> {
    const conn = await this.precheck(caller, caller.workspaceId, id, 'reconnect');
    const provider = getProvider(conn.providerSlug);
    const credentials = this.parseCredentialFields(provider, fields);
    const account = await this.testCredentials(provider, credentials, conn.metadata).catch(async (err: unknown) => {
      await auditOutsideTransaction(this.rt, {
        workspaceId: caller.workspaceId,
        action: 'connection.reconnect',
        targetType: 'connection',
        targetId: id,
        outcome: 'failed',
        details: { code: err instanceof AppError ? err.code : 'internal_error' },
      });
      throw err;
    });
    const connection = await this.completeReconnect(caller, id, {
      credentials,
      metadata: { accountId: account.accountId, accountName: account.accountName, extra: account.extra },
    });
    return { connection, account };
  }

  /** Stores fresh credentials on an existing connection (credentials or OAuth) and marks it connected. */
  async completeReconnect(
    caller: Caller,
    id: string,
    input: { credentials: Credentials; metadata: ConnectionMetadata; tokenExpiresAt?: Date | null; eventData?: ConnectedEventExtras },
  ): Promise<ConnectionView> {
    return await this.change(caller, caller.workspaceId, id, 'reconnect', async (tx, c) => {
      const previous = c.status;
      c.credentials = this.rt.vault.encrypt(input.credentials);
      c.authKind = input.credentials.type;
      c.tokenExpiresAt = input.tokenExpiresAt ?? null;
      c.tokenRefreshedAt = input.credentials.type === 'oauth2' ? new Date() : null;
      if (input.tokenExpiresAt) await scheduleRefresh(tx, c.workspace, c.id, input.tokenExpiresAt);
      c.metadata = { ...c.metadata, ...input.metadata, extra: { ...c.metadata.extra, ...input.metadata.extra } };
      c.status = 'connected';
      c.statusReason = null;
      c.pausedBy = null;
      c.pausedUntil = null;
      c.consecutiveFailures = 0;
      await this.log(tx, c, 'info', 'status', `Reconnected${c.metadata.accountName ? ` as ${c.metadata.accountName}` : ''} by ${caller.member.displayName}.`);
      await this.event(tx, c, 'connection_connected', { previousStatus: previous, reconnected: true, ...input.eventData });
      return { auditDetails: { account: c.metadata.accountName ?? null, scopes: c.metadata.scopes ?? [] } };
    });
  }

  /**
   * Revokes the provider-side grant where the provider has a revoke call, then deletes the
   * credentials and keeps the history. A failed revoke is logged and reported, never blocks.
   */
  async disconnect(caller: Caller, id: string): Promise<DisconnectResult> {
    const conn = await this.precheck(caller, caller.workspaceId, id, 'disconnect');
    const provider = getProvider(conn.providerSlug);
    let revoke: DisconnectResult['revoke'] = 'not_supported';
    let note = provider.definition.revokeNote ?? `${provider.definition.displayName} has no revoke call; the credentials were deleted from Patchbay.`;
    const credentials = await this.credentialsOf(conn).catch(() => null);
    if (provider.connector.revoke && credentials && (provider.connector.canRevoke?.(credentials) ?? true)) {
      try {
        // Some providers revoke by authenticating as the app (GitHub, Asana): pass the app in use.
        const oauthClient = provider.definition.auth.oauth2
          ? ((await workspaceApp(this.rt, this.rt.em(), conn.workspace, provider)) ?? oauthAppFromEnv(provider, this.rt.config))
          : null;
        const ctx = connectorContext({
          config: this.rt.config,
          logger: this.rt.logger,
          provider,
          oauthClient,
          credentials,
          metadata: conn.metadata as Record<string, unknown>,
          overrides: conn.metadata.urls,
        });
        await provider.connector.revoke(ctx);
        revoke = 'revoked';
        note = `Access was revoked at ${provider.definition.displayName}.`;
      } catch (err) {
        revoke = 'failed';
        note = `Revoking at ${provider.definition.displayName} failed (${err instanceof AppError ? scrubText(err.message) : 'unexpected error'}); the credentials were deleted from Patchbay anyway — remove the app's access in ${provider.definition.displayName} to be sure.`;
      }
    }
    const connection = await this.change(caller, caller.workspaceId, id, 'disconnect', async (tx, c) => {
      const previous = c.status;
      c.status = 'disconnected';
      c.credentials = null;
      c.tokenExpiresAt = null;
      c.pausedBy = null;
      c.pausedUntil = null;
      c.statusReason = `Disconnected by ${caller.member.displayName}.`;
      c.disconnectedAt = new Date();
      await this.log(tx, c, revoke === 'failed' ? 'warn' : 'info', 'status', `Disconnected by ${caller.member.displayName}. ${note}`, { revoke });
      await this.event(tx, c, 'connection_disconnected', { previousStatus: previous, revoke });
      return { auditDetails: { revoke } };
    });
    return { connection, revoke, note };
  }

  // ---------------------------------------------------------------- provider calls

  /**
   * Runs a provider call for a connection with fresh credentials: an OAuth token close to
   * expiry is refreshed first; a 401 triggers one refresh and one retry before giving up; a
   * rate limit pauses the connection until the provider's wait has passed.
   */
  async callProvider<T>(
    conn: IConnection,
    fn: (ctx: ConnectorContext) => Promise<T>,
    opts: { pauseOnRateLimit?: boolean } = {},
  ): Promise<T> {
    const provider = getProvider(conn.providerSlug);
    let credentials = await this.credentialsOf(conn);
    const refreshable = credentials.type === 'oauth2' && Boolean(credentials.refreshToken) && provider.definition.auth.oauth2?.refresh !== 'none';
    if (refreshable && conn.tokenExpiresAt && conn.tokenExpiresAt.getTime() - Date.now() < REFRESH_MARGIN_MS) {
      credentials = (await refreshConnectionToken(this.rt, conn.workspace, conn.id, { reason: 'expiring' })) ?? credentials;
    }
    const run = (creds: Credentials) =>
      fn(
        connectorContext({
          config: this.rt.config,
          logger: this.rt.logger,
          provider,
          credentials: creds,
          metadata: conn.metadata as Record<string, unknown>,
          overrides: conn.metadata.urls,
        }),
      );
    try {
      try {
        return await run(credentials);
      } catch (err) {
        if (!(err instanceof AppError && err.code === 'provider_auth_failed' && refreshable)) throw err;
        const fresh = await refreshConnectionToken(this.rt, conn.workspace, conn.id, { reason: 'unauthorized', force: true });
        if (!fresh) throw err; // the refresh failed and already errored the connection
        return await run(fresh);
      }
    } catch (err) {
      if (opts.pauseOnRateLimit !== false && err instanceof AppError && err.code === 'rate_limited') {
        await this.pauseForRateLimit(conn.workspace, conn.id, err.retryAfterSeconds ?? 60, err.message);
      }
      throw err;
    }
  }

  // ---------------------------------------------------------------- helpers

  /** Decrypted credentials of a live connection (lazy column, loaded on demand). */
  async credentialsOf(conn: IConnection): Promise<Credentials> {
    const rows = await this.rt.em().execute<Array<{ credentials: string | null }>>('select credentials from connections where id = ?', [conn.id]);
    const ct = rows[0]?.credentials;
    if (!ct) throw new AppError('invalid_transition', `${conn.displayName} has no stored credentials. Reconnect it.`);
    return this.rt.vault.decrypt<Credentials>(ct);
  }

  view(c: IConnection): ConnectionView {
    let name: string | undefined;
    try {
      name = getProvider(c.providerSlug).definition.displayName;
    } catch {
      name = undefined;
    }
    return connectionView(c, name);
  }

  private async testCredentials(provider: Provider, credentials: Credentials, metadata: ConnectionMetadata): Promise<AccountInfo> {
    const ctx = connectorContext({
      config: this.rt.config,
      logger: this.rt.logger,
      provider,
      credentials,
      metadata: metadata as Record<string, unknown>,
      overrides: metadata.urls,
    });
    return await provider.connector.test(ctx);
  }

  /** Validates typed credential fields against the provider's declaration; values are never echoed. */
  parseCredentialFields(provider: Provider, fields: Record<string, unknown>): Credentials {
    const spec = provider.definition.auth.credentials;
    if (!spec) {
      throw new AppError(
        'validation_failed',
        `${provider.definition.displayName} connects through OAuth, not typed credentials. Use POST /api/v1/connections/oauth (or \`connect ${provider.definition.slug}\` in chat).`,
      );
    }
    const shape: Record<string, z.ZodType> = {};
    for (const f of spec.fields) {
      let s = z.string({ error: `${f.label} is required` }).trim().min(1, { error: `${f.label} is required` });
      if (f.pattern) s = s.regex(new RegExp(f.pattern), { error: `${f.label} does not look right${f.help ? ` (${f.help})` : ''}` });
      shape[f.name] = f.optional ? s.optional() : s;
    }
    const parsed = z.strictObject(shape).safeParse(fields ?? {});
    if (!parsed.success) {
      const details = parsed.error.issues.map((i) => ({ location: 'body', path: ['credentials', ...i.path].join('.'), message: i.message }));
      throw new AppError('validation_failed', `Invalid credentials for ${provider.definition.displayName}: ${details.map((d) => d.message).join('; ')}.`, { details });
    }
    return { type: spec.kind, fields: parsed.data as Record<string, string> };
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

  private async authorize(caller: Caller | null, action: Action, targetType: string, targetId: string | null, details?: Record<string, unknown>) {
    if (!caller) return;
    try {
      authorize(caller.member.role, action);
    } catch (err) {
      await auditOutsideTransaction(this.rt, {
        workspaceId: caller.workspaceId,
        action,
        targetType,
        targetId,
        outcome: 'refused',
        details: { reason: 'forbidden', role: caller.member.role, ...details },
      });
      throw err;
    }
  }

  private async load(em: EntityManager, workspaceId: string, id: string): Promise<IConnection> {
    const c = await em.findOne(Connection, { id, workspace: workspaceId });
    if (!c) throw notFound('Connection', id);
    return c;
  }

  private async lockFor(tx: EntityManager, workspaceId: string, id: string): Promise<IConnection> {
    const c = await tx.findOne(Connection, { id, workspace: workspaceId }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
    if (!c) throw notFound('Connection', id);
    return c;
  }

  /** Permission, existence and transition checks before any slow work; refusals audited. */
  private async precheck(caller: Caller | null, workspaceId: string, id: string, op: Op): Promise<IConnection> {
    await this.authorize(caller, ACTION_OF[op], 'connection', id);
    const c = await this.load(this.rt.em(), workspaceId, id);
    if (!ALLOWED_FROM[op].includes(c.status)) {
      const err = invalidTransition(c, op);
      await auditOutsideTransaction(this.rt, {
        workspaceId,
        action: `connection.${op}`,
        targetType: 'connection',
        targetId: id,
        outcome: 'refused',
        details: { reason: 'invalid_transition', status: c.status },
      });
      throw err;
    }
    return c;
  }

  /** Runs one transition: checks, then in one transaction the change, its log, event and audit entry. */
  private async change(
    caller: Caller | null,
    workspaceId: string,
    id: string,
    op: Op,
    apply: (tx: EntityManager, c: IConnection) => Promise<{ auditDetails?: Record<string, unknown> }>,
  ): Promise<ConnectionView> {
    await this.precheck(caller, workspaceId, id, op);
    try {
      return await this.rt.em().transactional(async (tx) => {
        const c = await this.lockFor(tx, workspaceId, id);
        // Re-check under the row lock: another request may have changed it since the precheck.
        if (!ALLOWED_FROM[op].includes(c.status)) throw invalidTransition(c, op);
        const { auditDetails } = await apply(tx, c);
        await tx.flush();
        await writeAudit(tx, { workspaceId, action: `connection.${op}`, targetType: 'connection', targetId: c.id, outcome: 'success', details: auditDetails });
        return this.view(c);
      });
    } catch (err) {
      if (err instanceof AppError && err.code === 'invalid_transition') {
        await auditOutsideTransaction(this.rt, { workspaceId, action: `connection.${op}`, targetType: 'connection', targetId: id, outcome: 'refused', details: { reason: 'invalid_transition' } });
      }
      throw err;
    }
  }

  private async log(tx: EntityManager, c: IConnection, level: LogLevel, kind: string, message: string, data?: Record<string, unknown>) {
    tx.create(ConnectionLog, {
      workspace: c.workspace,
      connection: c.id,
      level,
      kind,
      message: scrubText(message),
      data: data ?? null,
      correlationId: currentContext()?.correlationId ?? 'none',
    });
    await tx.flush();
  }

  private async event<T extends EventTypeOf<'connection'>>(tx: EntityManager, c: IConnection, type: T, data: EventDataInput<T>) {
    await tx.flush();
    await recordEvent(tx, { workspaceId: c.workspace, type, entityId: c.id, snapshot: this.view(c), data });
  }
}
