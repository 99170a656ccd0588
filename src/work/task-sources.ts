/**
 * Task relationships (HourStack): scheduling a provider item as Patchbay work.
 *
 * `scheduleFromSource` reads one item through the connection's tasks adapter (inside a provider
 * session, like a sync) and then, in one transaction:
 * - no live open task is linked to the item → a new task linked to it (the item's fields through
 *   the suggested mapping a new rule gets, so HourStack's `[1h30m]` title syntax becomes scheduled
 *   minutes) and a time entry on it;
 * - a live open task is linked to it → a time entry on that task;
 * - the linked tasks are all done (or deleted) → a new linked task and a time entry.
 *
 * "A source item is never linked to two open tasks" holds twice over: importers of one item
 * take a transaction advisory lock on it (two simultaneous calls → one task, two entries), and
 * the database refuses a second live open task for it (`tasks_source_open_unique`) whoever
 * writes — a PATCH reopening an old done task included.
 *
 * Events come from the work services (`task_added`, `timetracking_added`), so webhooks and alerts
 * see them as for any task; task creation is not audited elsewhere, so neither is this.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import type { IConnection } from '../entities/connection.ts';
import { Task, type ITask } from '../entities/task.ts';
import { AppError } from '../errors.ts';
import type { TaskSnapshot } from '../events/catalog/task.ts';
import type { TimeEntrySnapshot } from '../events/catalog/time-entry.ts';
import { findConnection } from '../connections/lifecycle.ts';
import { openSession } from '../connections/provider-session.ts';
import { getProvider } from '../providers/registry.ts';
import type { Provider } from '../providers/types.ts';
import type { Runtime } from '../runtime.ts';
import { SyncRule } from '../entities/sync-rule.ts';
import { upsertLinks } from '../sync/links.ts';
import { mapIn } from '../sync/mapping.ts';
import { DEFAULT_MAPPING_CONFIDENCE, suggestMapping } from '../sync/suggest.ts';
import type { ObjectAdapter, RemoteRecord } from '../sync/types.ts';
import { isoDateTime, minutesSchema, type WorkWriter } from './common.ts';
import { createTask, getTask, openSourceConflict, taskFields, taskView, type CreateTaskInput } from './tasks.ts';
import { createTimeEntry } from './time-entries.ts';

export { OPEN_SOURCE_INDEX } from './tasks.ts';

/** A time entry's length when neither the request nor the task's scheduled minutes say. */
export const DEFAULT_SCHEDULE_MINUTES = 30;

export const fromSourceInput = z.strictObject({
  connectionId: z.uuid({ error: 'must be a UUID' }),
  remoteId: z.string().trim().min(1, { error: 'must not be empty' }).max(2000).describe("The item's id at the provider, or its URL (Sandbox and Asana task links)"),
  start: isoDateTime.optional().describe('When the time entry starts; default now'),
  minutes: minutesSchema.min(1, { error: 'must be at least 1' }).optional().describe("The time entry's length; default the task's scheduled minutes, else 30"),
});
export type FromSourceInput = z.output<typeof fromSourceInput>;

export type TaskSource = { connectionId: string; remoteId: string };

export type ScheduleResult = {
  task: TaskSnapshot;
  timeEntry: TimeEntrySnapshot;
  /** True when this call made the task (first import, or the earlier linked tasks were done). */
  taskCreated: boolean;
  source: TaskSource;
};

/**
 * The task linked to a source item: the live open one when there is one (there is at most one),
 * else the most recently created live one (done), else null. Deleted tasks are never returned.
 * For the initial match of a sync rule: "a stored source link" pairs this task with the item.
 */
export async function sourceLinkedTask(em: EntityManager, workspaceId: string, connectionId: string, remoteId: string): Promise<ITask | null> {
  const [task] = await em.find(
    Task,
    { workspace: workspaceId, sourceConnection: connectionId, sourceRemoteId: remoteId, deletedAt: null },
    { orderBy: [{ status: 'desc' }, { createdAt: 'desc' }, { id: 'desc' }], limit: 1 }, // 'open' > 'done'
  );
  return task ?? null;
}

/** A task's link as the task view shows it. */
export function taskSourceOf(t: Pick<ITask, 'sourceConnection' | 'sourceRemoteId'>): TaskSource | null {
  return t.sourceConnection && t.sourceRemoteId ? { connectionId: t.sourceConnection, remoteId: t.sourceRemoteId } : null;
}

/**
 * The item's id from what a user pasted: an id as it is, or a link to the item —
 * Asana (`app.asana.com/0/<project>/<task>`, `…/1/<workspace>/project/<p>/task/<task>`, `…/item/<task>`),
 * the Sandbox (`…/sandbox/api/tasks/tsk_…`), or any URL whose path ends in `/tasks/<id>`.
 */
export function itemIdOf(provider: Provider, pasted: string): string {
  const text = pasted.trim();
  if (!/^https?:\/\//i.test(text)) return text;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalidItem('is not a valid URL');
  }
  const path = url.pathname.replace(/\/+$/, '').replace(/\/f$/, '');
  const slug = provider.definition.slug;
  if (slug === 'asana') {
    const m = /\/(?:task|item)\/(\d+)$/.exec(path) ?? /^\/0\/\d+\/(\d+)$/.exec(path);
    if (m) return m[1]!;
  }
  if (slug === 'sandbox') {
    const m = /(tsk_[0-9a-f]+)$/i.exec(path);
    if (m) return m[1]!;
  }
  const generic = /\/tasks\/([^/]+)$/.exec(path);
  if (generic) return decodeURIComponent(generic[1]!);
  throw invalidItem(`is a link Patchbay cannot read a ${provider.definition.displayName} task id from; paste the task's id instead`);
}

function invalidItem(message: string): AppError {
  return new AppError('validation_failed', `Invalid request: body.remoteId ${message}.`, { details: [{ location: 'body', path: 'remoteId', message }] });
}

/** The connection's tasks adapter, or a 422 saying the provider has none. */
export function tasksAdapterOf(provider: Provider): ObjectAdapter {
  const adapter = provider.adapters.find((a) => a.localObject === 'tasks');
  if (adapter) return adapter;
  const name = provider.definition.displayName;
  throw new AppError('provider_not_configured', `${name} has no tasks Patchbay can read, so nothing can be scheduled from it. Schedule from a connection whose provider syncs tasks (the Sandbox, Asana).`, {
    details: { provider: provider.definition.slug, operation: 'schedule' },
  });
}

/** Refuses a connection that is not connected, as running a sync rule does (409, with what to do first). */
function assertConnected(conn: IConnection): void {
  const refuse = (message: string) => new AppError('invalid_transition', message, { details: { connectionId: conn.id, status: conn.status, operation: 'schedule' } });
  if (conn.status === 'paused') throw refuse(`${conn.displayName} is paused. Resume it first (\`resume ${conn.displayName}\`, or POST /api/v1/connections/${conn.id}/resume), then schedule from it.`);
  if (conn.status === 'errored') throw refuse(`${conn.displayName} is errored${conn.statusReason ? ` (${conn.statusReason})` : ''}. Reconnect it or test it to recover, then schedule from it.`);
  if (conn.status === 'disconnected') throw refuse(`${conn.displayName} is disconnected. Reconnect it first, then schedule from it.`);
}

/**
 * The new task's fields from the item: the suggested mapping a new rule would get, inbound only,
 * status left out (a scheduled task starts open). A value the API would refuse is dropped; an
 * item without a title gets one naming it.
 */
export function taskInputOf(provider: Provider, adapter: ObjectAdapter, record: RemoteRecord): CreateTaskInput {
  const mapping = suggestMapping('tasks', adapter)
    .pairs.filter((p) => p.confidence >= DEFAULT_MAPPING_CONFIDENCE && p.local !== 'status')
    .map((p) => ({ ...p, direction: 'in' as const }));
  const { values } = mapIn('tasks', adapter, mapping, record.fields, null, { providerName: provider.definition.displayName });
  const input: Record<string, unknown> = {};
  for (const f of ['title', 'description', 'dueDate', 'assigneeEmail', 'scheduledMinutes', 'labels'] as const) {
    if (values[f] === undefined) continue;
    const parsed = taskFields[f].safeParse(values[f]);
    if (parsed.success) input[f] = parsed.data;
  }
  if (typeof input.title !== 'string') input.title = `${provider.definition.displayName} task ${record.id}`;
  return input as CreateTaskInput;
}

/** Reads the item at the provider (404 naming the provider when it has no such item). */
async function readItem(rt: Runtime, conn: IConnection, provider: Provider, adapter: ObjectAdapter, remoteId: string): Promise<RemoteRecord> {
  const session = await openSession(rt, conn.workspace, conn);
  const record = await session.call((ctx) => adapter.get(ctx, remoteId, {}));
  if (!record || record.deleted) {
    throw new AppError('not_found', `${provider.definition.displayName} has no ${adapter.remoteObject.replace(/s$/, '')} '${remoteId}' (connection ${conn.displayName}).`, {
      details: { provider: provider.definition.slug, connectionId: conn.id, remoteId },
    });
  }
  return record;
}

/**
 * A sync rule of this connection already mirrors the item into an open task (pulled before anyone
 * scheduled it): that task becomes the item's linked task, rather than a second one for the item.
 */
async function adoptSyncedTask(tx: EntityManager, workspaceId: string, connectionId: string, adapter: ObjectAdapter, remoteId: string): Promise<ITask | null> {
  const [row] = await tx.execute<Array<{ id: string }>>(
    `select t."id" from "sync_links" l
       join "sync_rules" r on r."id" = l."rule_id"
       join "tasks" t on t."id" = l."local_id"
      where r."workspace_id" = ? and r."connection_id" = ? and r."local_object" = 'tasks' and r."remote_object" = ? and l."remote_id" = ?
        and l."remote_deleted_at" is null and t."deleted_at" is null and t."status" = 'open' and t."source_remote_id" is null
      order by t."created_at" limit 1`,
    [workspaceId, connectionId, adapter.remoteObject, remoteId],
  );
  if (!row) return null;
  await tx.execute(`update "tasks" set "source_connection_id" = ?, "source_remote_id" = ? where "id" = ?`, [connectionId, remoteId, row.id]);
  return await tx.findOne(Task, { id: row.id }, { refresh: true });
}

/**
 * A new task for the item, on a connection whose tasks rules already ran: each such rule links the
 * task to the item (a link to an older, done task of the item moves here), so the rule's push
 * never creates the item a second time at the provider. The link's snapshot holds the task's own
 * values: nothing is pushed for it, and a later change of the item is pulled into it. Rules that
 * have not run yet pair it through their initial match (the stored source link).
 */
async function linkToRules(tx: EntityManager, connectionId: string, adapter: ObjectAdapter, remoteId: string, remoteUpdatedAt: string, task: TaskSnapshot): Promise<void> {
  const rules = await tx.find(SyncRule, { connection: connectionId, localObject: 'tasks', remoteObject: adapter.remoteObject, matchedAt: { $ne: null } });
  for (const rule of rules) {
    const fields = new Set(rule.mapping.map((e) => e.local));
    if (rule.mapping.some((e) => e.transform === 'title_minutes')) fields.add('scheduledMinutes');
    const v: Record<string, unknown> = {};
    for (const f of fields) v[f] = (task as Record<string, unknown>)[f] ?? null;
    await tx.execute(`delete from "sync_links" where "rule_id" = ? and "remote_id" = ?`, [rule.id, remoteId]);
    await upsertLinks(tx, rule.id, [{ localId: task.id, remoteId, snapshot: { v, m: {} }, remoteUpdatedAt }], null);
  }
}

/** Turns one provider item into work: a task linked to it (new or the open one) and a time entry on it. */
export async function scheduleFromSource(rt: Runtime, w: WorkWriter, input: FromSourceInput): Promise<ScheduleResult> {
  const em = rt.em();
  const conn = await findConnection(em, w.workspaceId, input.connectionId);
  const provider = getProvider(conn.providerSlug);
  const adapter = tasksAdapterOf(provider);
  assertConnected(conn);
  const remoteId = itemIdOf(provider, input.remoteId);
  // The provider call happens before the transaction: no row lock is held across the network.
  const record = await readItem(rt, conn, provider, adapter, remoteId);
  const source: TaskSource = { connectionId: conn.id, remoteId: record.id };
  try {
    return await em.transactional(async (tx) => {
      // Importers of the same item queue here: the second sees the task the first made.
      await tx.execute('select pg_advisory_xact_lock(hashtext(?))', [`task_source:${w.workspaceId}:${source.connectionId}:${source.remoteId}`]);
      const linked = (await sourceLinkedTask(tx, w.workspaceId, source.connectionId, source.remoteId)) ?? (await adoptSyncedTask(tx, w.workspaceId, conn.id, adapter, source.remoteId));
      const open = linked?.status === 'open' ? taskView(linked) : null;
      const task = open ?? (await createTask(tx, w, { ...taskInputOf(provider, adapter, record), status: 'open' }, { source }));
      if (!open) await linkToRules(tx, conn.id, adapter, record.id, record.updatedAt, task);
      const minutes = input.minutes ?? (task.scheduledMinutes && task.scheduledMinutes > 0 ? task.scheduledMinutes : DEFAULT_SCHEDULE_MINUTES);
      const timeEntry = await createTimeEntry(tx, w, { taskId: task.id, startAt: input.start ?? new Date().toISOString(), minutes });
      return { task, timeEntry, taskCreated: !open, source };
    });
  } catch (err) {
    throw openSourceConflict(err) ?? err;
  }
}

/** One task as GET /api/v1/tasks/{id} shows it: the task and the provider item it was made from (null for most). */
export async function getTaskWithSource(em: EntityManager, workspaceId: string, id: string): Promise<TaskSnapshot & { source: TaskSource | null }> {
  const task = await getTask(em, workspaceId, id);
  const row = await em.findOne(Task, { id: task.id, workspace: workspaceId });
  return { ...task, source: row ? taskSourceOf(row) : null };
}
