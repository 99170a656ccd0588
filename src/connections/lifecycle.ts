/**
 * The lifecycle writer: the only code that changes a connection's status. Every change — by a
 * member through the API or chat, or by Patchbay itself (rate limits, dead grants, jobs) — goes
 * through `transition`: authorize (members), lock the row, check the allowed-from table, apply,
 * then write the connection-log lines, the domain events and the audit entry in the same
 * transaction. Refusals change nothing and are audited once, in one shape.
 *
 * A database trigger (migration `lifecycle_writer`) refuses any status change made outside a
 * transaction that went through here, so a shortcut elsewhere fails loudly instead of silently
 * skipping the log, event and audit entry.
 */
import { LockMode, type EntityManager } from '@mikro-orm/postgresql';
import { authorizeOrAudit } from '../access/authorize.ts';
import type { Action } from '../access/permissions.ts';
import { auditOutsideTransaction, writeAudit } from '../audit/audit.ts';
import { Connection, type AuthKind, type ConnectionMetadata, type ConnectionStatus, type IConnection } from '../entities/connection.ts';
import type { Outcome } from '../entities/audit-log.ts';
import { AppError, notFound, uniqueViolationOf } from '../errors.ts';
import type { EventDataInput, EventTypeOf } from '../events/catalog/index.ts';
import { recordEvent, type EventInput } from '../events/record.ts';
import type { Credentials } from '../providers/types.ts';
import type { Runtime } from '../runtime.ts';
import { isMember, type Actor, type Caller } from './actor.ts';
import { writeConnectionLog, type LogLine } from './log.ts';
import { scheduleRefresh } from './tokens.ts';
import { viewOf } from './view.ts';

export type Op = 'test' | 'pause' | 'resume' | 'rename' | 'reconnect' | 'disconnect' | 'rate_limit_pause' | 'error';

type OpSpec = {
  /** What a member needs; system-only operations have none (a member cannot run them). */
  permission: Action | null;
  /** The audit action written for this operation. */
  audit: string;
  /** The statuses the operation may start from. */
  from: readonly ConnectionStatus[];
};

const LIVE: readonly ConnectionStatus[] = ['connected', 'paused', 'errored'];

/** The allowed-from table: one line per operation. */
export const OPS: Record<Op, OpSpec> = {
  test: { permission: 'connections.test', audit: 'connection.test', from: LIVE },
  pause: { permission: 'connections.pause', audit: 'connection.pause', from: ['connected', 'errored'] },
  resume: { permission: 'connections.resume', audit: 'connection.resume', from: ['paused'] },
  rename: { permission: 'connections.rename', audit: 'connection.rename', from: LIVE },
  reconnect: { permission: 'connections.reconnect', audit: 'connection.reconnect', from: LIVE },
  disconnect: { permission: 'connections.disconnect', audit: 'connection.disconnect', from: LIVE },
  rate_limit_pause: { permission: null, audit: 'connection.pause', from: LIVE },
  error: { permission: null, audit: 'connection.error', from: ['connected', 'paused'] },
};

type ConnectionEventType = EventTypeOf<'connection'>;

/**
 * A connection event as an operation declares it: typed by the event catalog, without
 * `previousStatus`, which the writer fills in from the row it locked.
 */
export type ConnectionEvent = {
  [T in ConnectionEventType]: { type: T; data: Omit<EventDataInput<T>, 'previousStatus'> };
}[ConnectionEventType];

/** Extra facts a connect or reconnect may carry on its connection_connected event. */
export type ConnectedEventExtras = Pick<EventDataInput<'connection_connected'>, 'chatContext'>;

/** What an operation changes, returned by its `apply`. Fields other than status are set by `apply` on the row. */
export type Change = {
  /** The new status, if it changes (only the writer assigns it). */
  status?: ConnectionStatus;
  log?: LogLine | LogLine[];
  events?: ConnectionEvent[];
  audit?: { outcome?: Outcome; details?: Record<string, unknown> };
};

/** `apply` returns `'skip'` when there is nothing to do (already in the wanted state): nothing is written. */
export type Apply = (c: IConnection, tx: EntityManager) => Promise<Change | 'skip'> | Change | 'skip';

export type TransitionResult = { connection: IConnection; skipped: boolean };

function invalidTransition(c: IConnection, op: Op): AppError {
  const name = c.displayName;
  let message: string;
  if (c.status === 'disconnected') message = `${name} is disconnected. Connect it again with \`connect ${c.providerSlug}\`.`;
  else if (op === 'pause' && c.status === 'paused') message = `${name} is already paused.`;
  else if (op === 'resume') message = `${name} is not paused (it is ${c.status}), so there is nothing to resume.`;
  else message = `${name} cannot be ${op === 'test' ? 'tested' : `${op}d`} while it is ${c.status}.`;
  return new AppError('invalid_transition', message, { details: { connectionId: c.id, status: c.status, operation: op } });
}

async function refuseTransition(rt: Runtime, actor: Actor, c: IConnection, op: Op): Promise<never> {
  await auditOutsideTransaction(rt, {
    workspaceId: actor.workspaceId,
    action: OPS[op].audit,
    targetType: 'connection',
    targetId: c.id,
    outcome: 'refused',
    details: { reason: 'invalid_transition', status: c.status },
  });
  throw invalidTransition(c, op);
}

async function authorizeActor(rt: Runtime, actor: Actor, op: Op, connectionId: string | null): Promise<void> {
  if (!isMember(actor)) return;
  const permission = OPS[op].permission;
  if (!permission) throw new AppError('internal_error', `operation ${op} is Patchbay's own; a member cannot run it`);
  await authorizeOrAudit(rt, { workspaceId: actor.workspaceId, role: actor.member.role, action: permission, targetType: 'connection', targetId: connectionId });
}

export async function findConnection(em: EntityManager, workspaceId: string, id: string): Promise<IConnection> {
  const c = await em.findOne(Connection, { id, workspace: workspaceId });
  if (!c) throw notFound('Connection', id);
  return c;
}

/**
 * Permission, existence and allowed-from checks before slow work (a provider call, a revoke),
 * so a refused operation never reaches the provider. `transition` checks again under the lock.
 */
export async function precheck(rt: Runtime, actor: Actor, id: string, op: Op): Promise<IConnection> {
  await authorizeActor(rt, actor, op, id);
  const c = await findConnection(rt.em(), actor.workspaceId, id);
  if (!OPS[op].from.includes(c.status)) await refuseTransition(rt, actor, c, op);
  return c;
}

/** Marks the transaction as the writer's, which the status trigger requires. */
async function asWriter(tx: EntityManager): Promise<void> {
  await tx.execute(`select set_config('patchbay.lifecycle_writer', 'on', true)`);
}

/**
 * Runs one operation on one connection in one transaction. A member's refusal throws
 * (`forbidden`, `invalid_transition`), audited once; Patchbay's own operations on a connection
 * that moved on (disconnected meanwhile, already errored) are skipped quietly.
 */
export async function transition(rt: Runtime, actor: Actor, id: string, op: Op, apply: Apply): Promise<TransitionResult> {
  await authorizeActor(rt, actor, op, id);
  let refused: IConnection | undefined;
  const result = await rt.em().transactional(async (tx): Promise<TransitionResult> => {
    const c = await tx.findOne(Connection, { id, workspace: actor.workspaceId }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
    if (!c) throw notFound('Connection', id);
    if (!OPS[op].from.includes(c.status)) {
      if (!isMember(actor)) return { connection: c, skipped: true };
      refused = c;
      return { connection: c, skipped: true };
    }
    const change = await apply(c, tx);
    if (change === 'skip') return { connection: c, skipped: true };
    await asWriter(tx);
    const previousStatus = c.status;
    if (change.status) c.status = change.status;
    // One flush for the row, its log lines and the audit entry (recording an event flushes them).
    const noFlush = { flush: false };
    for (const line of [change.log ?? []].flat()) await writeConnectionLog(tx, { workspaceId: c.workspace, connectionId: c.id }, line, noFlush);
    await writeAudit(
      tx,
      {
        workspaceId: actor.workspaceId,
        action: OPS[op].audit,
        targetType: 'connection',
        targetId: c.id,
        outcome: change.audit?.outcome ?? 'success',
        details: { ...(isMember(actor) ? {} : { by: actor.system }), ...change.audit?.details },
      },
      noFlush,
    );
    await tx.flush();
    for (const e of change.events ?? []) await recordConnectionEvent(tx, c, e, previousStatus);
    return { connection: c, skipped: false };
  });
  // Audited outside the (empty) transaction: the refusal is its own record.
  if (refused) await refuseTransition(rt, actor, refused, op);
  return result;
}

async function recordConnectionEvent(tx: EntityManager, c: IConnection, e: ConnectionEvent, previousStatus: ConnectionStatus | null): Promise<void> {
  // The catalog checks the whole event when it is recorded; the union cannot be narrowed here.
  const data = { previousStatus, ...e.data } as EventDataInput<ConnectionEventType>;
  await recordEvent(tx, { workspaceId: c.workspace, type: e.type, entityId: c.id, snapshot: viewOf(c), data } as EventInput<ConnectionEventType>);
}

export type NewConnection = {
  providerSlug: string;
  displayName: string;
  authKind: AuthKind;
  credentials: Credentials;
  metadata: ConnectionMetadata;
  tokenExpiresAt?: Date | null;
  /** Extra facts for the connection_connected event (the chat context that asked). */
  eventData?: ConnectedEventExtras;
};

/**
 * Saves a new, already-verified connection as `connected`, with its log line, event and audit
 * entry. The caller authorized `connections.connect` before the (slow) credential check.
 */
export async function insertConnection(rt: Runtime, caller: Caller, input: NewConnection): Promise<IConnection> {
  try {
    return await rt.em().transactional(async (tx) => {
      await asWriter(tx);
      const conn = tx.create(Connection, {
        workspace: caller.workspaceId,
        providerSlug: input.providerSlug,
        displayName: input.displayName,
        status: 'connected',
        authKind: input.authKind,
        credentials: rt.vault.encrypt(input.credentials),
        tokenExpiresAt: input.tokenExpiresAt ?? null,
        tokenRefreshedAt: input.credentials.type === 'oauth2' ? new Date() : null,
        metadata: input.metadata,
        createdBy: caller.member.id,
      });
      await tx.flush();
      if (input.tokenExpiresAt) await scheduleRefresh(tx, conn.workspace, conn.id, input.tokenExpiresAt);
      const as = input.metadata.accountName ? ` as ${input.metadata.accountName}` : '';
      await writeConnectionLog(tx, { workspaceId: conn.workspace, connectionId: conn.id }, { level: 'info', kind: 'status', message: `Connected${as}.` });
      await recordConnectionEvent(tx, conn, { type: 'connection_connected', data: { ...input.eventData } }, null);
      await writeAudit(tx, {
        workspaceId: caller.workspaceId,
        action: 'connection.connect',
        targetType: 'connection',
        targetId: conn.id,
        outcome: 'success',
        details: { provider: input.providerSlug, displayName: conn.displayName, account: input.metadata.accountName ?? null },
      });
      return conn;
    });
  } catch (err) {
    // Two connects raced past the name check: the unique index decided.
    if (uniqueViolationOf(err)) {
      throw new AppError('conflict', `A connection named '${input.displayName}' already exists. Choose another display name.`, { details: { field: 'displayName' } });
    }
    throw err;
  }
}
