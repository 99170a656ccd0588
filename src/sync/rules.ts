/**
 * Sync rules: which provider object a connection syncs with which local object, which way, how
 * often, and how fields map. Admins and Owners manage them (`sync_rules.manage`); every change is
 * audited in its transaction and (re)schedules or unschedules the rule's runs in the same one.
 * The admin API and the chat core call these functions; the engine reads the rows.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { LockMode } from '@mikro-orm/postgresql';
import { authorizeOrAudit } from '../access/authorize.ts';
import type { Action } from '../access/permissions.ts';
import { auditOutsideTransaction, writeAudit } from '../audit/audit.ts';
import type { Caller } from '../connections/actor.ts';
import { findConnection } from '../connections/lifecycle.ts';
import { type IConnection } from '../entities/connection.ts';
import type { RunReporter, ISyncRun } from '../entities/sync-run.ts';
import { SyncRule, type ISyncRule } from '../entities/sync-rule.ts';
import { AppError, notFound } from '../errors.ts';
import { getProvider } from '../providers/registry.ts';
import type { Runtime } from '../runtime.ts';
import { checkMapping, suggestMapping, type MappingSuggestion } from './mapping.ts';
import type { CreateRuleInput, UpdateRuleInput } from './rule-input.ts';
import { requestRun, scheduleRule, unscheduleRule } from './schedule.ts';
import { queueRegistrationSync } from '../inbound/registrations.ts';
import { DEFAULT_MAPPING_CONFIDENCE } from './suggest.ts';
import type { LocalObject, MappingEntry, ObjectAdapter, RemoteField, SyncDirection, SyncScope } from './types.ts';

/** A rule as the API and chat show it: no engine cursors. */
export type RuleView = {
  id: string;
  connectionId: string;
  localObject: LocalObject;
  remoteObject: string;
  direction: SyncDirection;
  scope: SyncScope;
  frequency: 'realtime' | 'interval';
  intervalSeconds: number;
  deletePolicy: 'mark' | 'propagate' | 'ignore';
  mapping: MappingEntry[];
  enabled: boolean;
  lastRunAt: string | null;
  nextRunAt: string | null;
  initialImportAt: string | null;
  consecutiveFailures: number;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
};

export function ruleView(r: ISyncRule): RuleView {
  return {
    id: r.id,
    connectionId: r.connection,
    localObject: r.localObject,
    remoteObject: r.remoteObject,
    direction: r.direction,
    scope: r.scope,
    frequency: r.frequency,
    intervalSeconds: r.intervalSeconds,
    deletePolicy: r.deletePolicy,
    mapping: r.mapping,
    enabled: r.enabled,
    lastRunAt: r.lastRunAt?.toISOString() ?? null,
    nextRunAt: r.nextRunAt?.toISOString() ?? null,
    initialImportAt: r.initialImportAt?.toISOString() ?? null,
    consecutiveFailures: r.consecutiveFailures,
    createdBy: r.createdBy ?? null,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

export type SuggestedMapping = MappingSuggestion & { remoteObject: string; localObject: LocalObject; remoteFields: RemoteField[] };

const invalid = (issues: Array<{ path: string; message: string }>) =>
  new AppError('validation_failed', `Invalid request: body.${issues[0]!.path} ${issues[0]!.message}.`, { details: issues.map((i) => ({ location: 'body', ...i })) });

async function authorize(rt: Runtime, caller: Caller, action: Action, targetId: string | null, connectionId: string): Promise<void> {
  await authorizeOrAudit(rt, { workspaceId: caller.workspaceId, role: caller.member.role, action, targetType: 'sync_rule', targetId, details: { connectionId } });
}

/** The connection, refused (409) once disconnected: rules of a disconnected connection cannot change. */
function assertLive(c: IConnection): void {
  if (c.status === 'disconnected') {
    throw new AppError('invalid_transition', `${c.displayName} is disconnected. Connect it again before changing its sync rules.`, {
      details: { connectionId: c.id, status: c.status, operation: 'sync_rules' },
    });
  }
}

/** The adapter for a provider object, or a 400 naming the objects of this provider that sync. */
export function adapterFor(c: Pick<IConnection, 'providerSlug'>, remoteObject: string, path = 'remoteObject', location: 'body' | 'query' = 'body'): ObjectAdapter {
  const provider = getProvider(c.providerSlug);
  const adapter = provider.adapters.find((a) => a.remoteObject === remoteObject);
  if (adapter) return adapter;
  const syncing = provider.adapters.map((a) => a.remoteObject);
  const name = provider.definition.displayName;
  const message = syncing.length
    ? `is not an object ${name} syncs; objects that sync: ${syncing.join(', ')}`
    : `is not an object ${name} syncs; ${name} has no objects that sync yet`;
  throw new AppError('validation_failed', `Invalid request: ${location}.${path} '${remoteObject}' ${message}.`, { details: [{ location, path, message: `'${remoteObject}' ${message}` }] });
}

function checkScope(adapter: ObjectAdapter, scope: SyncScope): Array<{ path: string; message: string }> {
  const issues: Array<{ path: string; message: string }> = [];
  const s = adapter.scope;
  for (const key of Object.keys(scope)) {
    if (!s) issues.push({ path: `scope.${key}`, message: `${adapter.remoteObject} take no scope filter` });
    else if (key !== s.key) issues.push({ path: `scope.${key}`, message: `is not a scope of ${adapter.remoteObject}; the scope is '${s.key}' (${s.label})` });
  }
  if (s?.required && !scope[s.key]) issues.push({ path: `scope.${s.key}`, message: `is required: the ${s.label} whose ${adapter.remoteObject} this rule syncs` });
  return issues;
}

async function findRule(em: EntityManager, caller: Caller, connectionId: string, ruleId: string, lock = false): Promise<ISyncRule> {
  const rule = await em.findOne(SyncRule, { id: ruleId, workspace: caller.workspaceId, connection: connectionId }, lock ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {});
  if (!rule) throw notFound('Sync rule', ruleId);
  return rule;
}

export async function listRules(rt: Runtime, caller: Caller, connectionId: string): Promise<RuleView[]> {
  await authorize(rt, caller, 'sync_rules.manage', null, connectionId);
  const em = rt.em();
  await findConnection(em, caller.workspaceId, connectionId);
  const rules = await em.find(SyncRule, { workspace: caller.workspaceId, connection: connectionId }, { orderBy: { createdAt: 'asc', id: 'asc' } });
  return rules.map(ruleView);
}

export async function getRule(rt: Runtime, caller: Caller, connectionId: string, ruleId: string): Promise<RuleView> {
  await authorize(rt, caller, 'sync_rules.manage', ruleId, connectionId);
  const em = rt.em();
  await findConnection(em, caller.workspaceId, connectionId);
  return ruleView(await findRule(em, caller, connectionId, ruleId));
}

/** The suggested mapping for a provider object of this connection (what a rule created without `mapping` takes, from confidence 0.6). */
export async function suggestRuleMapping(rt: Runtime, caller: Caller, connectionId: string, remoteObject: string): Promise<SuggestedMapping> {
  await authorize(rt, caller, 'sync_rules.manage', null, connectionId);
  const conn = await findConnection(rt.em(), caller.workspaceId, connectionId);
  const adapter = adapterFor(conn, remoteObject, 'object', 'query');
  return { remoteObject, localObject: adapter.localObject, remoteFields: adapter.fields.map((f) => ({ ...f })), ...suggestMapping(adapter.localObject, adapter) };
}

const scopeKey = (scope: SyncScope) => JSON.stringify(Object.entries(scope).filter(([, v]) => v !== undefined && v !== '').sort(([a], [b]) => a.localeCompare(b)));

/**
 * A second rule on the same provider object and scope would link every record again, so each run
 * would copy them all a second time on both sides (409 naming the rule to change instead).
 * Creations on one connection are serialized by a transaction lock so two at once cannot both pass.
 */
async function refuseDuplicate(tx: EntityManager, caller: Caller, conn: IConnection, remoteObject: string, scope: SyncScope): Promise<void> {
  await tx.execute(`select pg_advisory_xact_lock(hashtext('sync_rule.create:' || ?))`, [conn.id]);
  const rules = await tx.find(SyncRule, { workspace: caller.workspaceId, connection: conn.id }, { orderBy: { createdAt: 'asc', id: 'asc' } });
  const n = rules.findIndex((r) => r.remoteObject === remoteObject && scopeKey(r.scope) === scopeKey(scope));
  if (n < 0) return;
  const same = rules[n]!;
  throw new AppError(
    'conflict',
    `${conn.displayName} already has a rule for ${remoteObject}${Object.keys(scope).length ? ' with this scope' : ''} (rule ${n + 1}, id ${same.id}); two would copy every record twice. ` +
      `Change that rule instead (PATCH /api/v1/connections/${conn.id}/rules/${same.id}), or delete it first.`,
    { details: { connectionId: conn.id, existingRuleId: same.id, remoteObject } },
  );
}

export async function createRule(rt: Runtime, caller: Caller, connectionId: string, input: CreateRuleInput): Promise<RuleView> {
  await authorize(rt, caller, 'sync_rules.manage', null, connectionId);
  return await rt.em().transactional(async (tx) => {
    const conn = await findConnection(tx, caller.workspaceId, connectionId);
    assertLive(conn);
    const adapter = adapterFor(conn, input.remoteObject);
    const issues: Array<{ path: string; message: string }> = [];
    if (input.localObject && input.localObject !== adapter.localObject) {
      issues.push({ path: 'localObject', message: `${adapter.remoteObject} pair with ${adapter.localObject}, not ${input.localObject}` });
    }
    issues.push(...checkScope(adapter, input.scope));
    const mapping =
      input.mapping ??
      suggestMapping(adapter.localObject, adapter)
        .pairs.filter((p) => p.confidence >= DEFAULT_MAPPING_CONFIDENCE)
        .map(({ confidence: _c, reason: _r, ...entry }) => entry);
    issues.push(...checkMapping(adapter.localObject, adapter, mapping, input.direction));
    if (issues.length) throw invalid(issues);
    await refuseDuplicate(tx, caller, conn, adapter.remoteObject, input.scope);
    const rule = tx.create(SyncRule, {
      workspace: caller.workspaceId,
      connection: conn.id,
      localObject: adapter.localObject,
      remoteObject: adapter.remoteObject,
      direction: input.direction,
      scope: input.scope,
      frequency: input.frequency,
      intervalSeconds: input.intervalSeconds,
      deletePolicy: input.deletePolicy,
      mapping,
      enabled: input.enabled,
      pullCursor: null,
      createdBy: caller.member.id,
    });
    await tx.flush();
    // Paused and errored connections are not scheduled; they resume scheduling when they recover.
    if (rule.enabled && conn.status === 'connected') await scheduleRule(tx, rule, new Date());
    if (rule.enabled && rule.frequency === 'realtime') await queueRegistrationSync(tx, conn.id);
    await writeAudit(tx, {
      workspaceId: caller.workspaceId,
      action: 'sync_rule.create',
      targetType: 'sync_rule',
      targetId: rule.id,
      outcome: 'success',
      details: { connectionId: conn.id, localObject: rule.localObject, remoteObject: rule.remoteObject, direction: rule.direction, mappingDefaulted: input.mapping === undefined },
    });
    await tx.refresh(rule);
    return ruleView(rule);
  });
}

/**
 * Changes the given fields. A new mapping or scope resets the pull cursor, so the next run is a
 * full pull (records already linked are updated, not duplicated). Enabling schedules a run now;
 * disabling drops the queued one.
 */
export async function updateRule(rt: Runtime, caller: Caller, connectionId: string, ruleId: string, patch: UpdateRuleInput): Promise<RuleView> {
  await authorize(rt, caller, 'sync_rules.manage', ruleId, connectionId);
  return await rt.em().transactional(async (tx) => {
    const conn = await findConnection(tx, caller.workspaceId, connectionId);
    const rule = await findRule(tx, caller, connectionId, ruleId, true);
    assertLive(conn);
    const changed = (Object.keys(patch) as Array<keyof UpdateRuleInput>).filter((k) => patch[k] !== undefined && JSON.stringify(patch[k]) !== JSON.stringify(rule[k]));
    if (!changed.length) return ruleView(rule);
    const adapter = adapterFor(conn, rule.remoteObject);
    const next = { direction: patch.direction ?? rule.direction, scope: patch.scope ?? rule.scope, mapping: patch.mapping ?? rule.mapping };
    const issues = [...(patch.scope ? checkScope(adapter, next.scope) : []), ...checkMapping(rule.localObject, adapter, next.mapping, next.direction)];
    if (issues.length) throw invalid(issues);
    const wasEnabled = rule.enabled;
    tx.assign(rule, Object.fromEntries(changed.map((k) => [k, patch[k]])));
    if (changed.includes('mapping') || changed.includes('scope')) rule.pullCursor = null;
    await tx.flush();
    if (!rule.enabled && wasEnabled) await unscheduleRule(tx, rule.id);
    else if (rule.enabled && conn.status === 'connected' && (!wasEnabled || changed.some((k) => k === 'frequency' || k === 'intervalSeconds'))) await scheduleRule(tx, rule, new Date());
    // Webhooks follow the realtime rules: registered when one needs them, removed when none does.
    if (changed.some((k) => k === 'enabled' || k === 'frequency' || k === 'scope')) await queueRegistrationSync(tx, conn.id);
    await writeAudit(tx, {
      workspaceId: caller.workspaceId,
      action: 'sync_rule.update',
      targetType: 'sync_rule',
      targetId: rule.id,
      outcome: 'success',
      details: { connectionId: conn.id, changedFields: changed, fullResync: rule.pullCursor === null && (changed.includes('mapping') || changed.includes('scope')) },
    });
    await tx.refresh(rule);
    return ruleView(rule);
  });
}

/** Deletes the rule and its queued run; its past runs stay (with `ruleId` null), like a connection's log. */
export async function deleteRule(rt: Runtime, caller: Caller, connectionId: string, ruleId: string): Promise<void> {
  await authorize(rt, caller, 'sync_rules.manage', ruleId, connectionId);
  await rt.em().transactional(async (tx) => {
    await findConnection(tx, caller.workspaceId, connectionId);
    const rule = await findRule(tx, caller, connectionId, ruleId, true);
    await unscheduleRule(tx, rule.id);
    if (rule.frequency === 'realtime') await queueRegistrationSync(tx, rule.connection);
    tx.remove(rule);
    await writeAudit(tx, {
      workspaceId: caller.workspaceId,
      action: 'sync_rule.delete',
      targetType: 'sync_rule',
      targetId: rule.id,
      outcome: 'success',
      details: { connectionId, localObject: rule.localObject, remoteObject: rule.remoteObject },
    });
  });
}

/**
 * Runs the rule now (`connections.sync`): a paused, errored or disconnected connection, or a
 * disabled rule, is refused with what to do first. A run already queued or in progress is
 * returned instead of a second one (`alreadyRunning`).
 */
export async function runRule(rt: Runtime, caller: Caller, connectionId: string, ruleId: string, opts: { reporter?: RunReporter | null } = {}): Promise<{ run: ISyncRun; alreadyRunning: boolean }> {
  await authorize(rt, caller, 'connections.sync', ruleId, connectionId);
  const em = rt.em();
  const conn = await findConnection(em, caller.workspaceId, connectionId);
  const rule = await findRule(em, caller, connectionId, ruleId);
  const refuse = (message: string) => new AppError('invalid_transition', message, { details: { connectionId, status: conn.status, operation: 'sync' } });
  if (conn.status === 'paused') throw refuse(`${conn.displayName} is paused. Resume it first (\`resume ${conn.displayName}\`, or POST /api/v1/connections/${conn.id}/resume), then run the rule.`);
  if (conn.status === 'errored') throw refuse(`${conn.displayName} is errored${conn.statusReason ? ` (${conn.statusReason})` : ''}. Reconnect it or test it to recover, then run the rule.`);
  if (conn.status === 'disconnected') throw refuse(`${conn.displayName} is disconnected. Reconnect it first, then run the rule.`);
  if (!rule.enabled) throw refuse(`This rule is disabled. Enable it (PATCH with \`enabled: true\`) to run it.`);
  const result = await requestRun(em, caller.workspaceId, rule.id, { trigger: 'manual', requestedBy: caller.member.id, reporter: opts.reporter ?? null });
  await auditOutsideTransaction(rt, {
    workspaceId: caller.workspaceId,
    action: 'sync_rule.run',
    targetType: 'sync_rule',
    targetId: rule.id,
    outcome: 'success',
    details: { connectionId, runId: result.run.id, alreadyRunning: result.alreadyRunning },
  });
  return result;
}
