/**
 * Tasks: validation, and create/update/delete each in one transaction with its event, so a task
 * never changes without its event and no event outlives a rolled-back change.
 */
import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { Task, TASK_STATUSES, type ITask } from '../entities/task.ts';
import { TASK_FIELDS, type TaskField, type TaskSnapshot } from '../events/catalog/task.ts';
import { AppError, uniqueViolationOf } from '../errors.ts';
import { recordEvent } from '../events/record.ts';
import { workRecords } from './records.ts';
import { dayOf, diff, emailSchema, isoDate, labelsSchema, LIST_ORDER, listWhere, minutesSchema, type WorkListOptions, type WorkWriter } from './common.ts';

export const taskFields = {
  title: z.string().trim().min(1, { error: 'must not be empty' }).max(500),
  description: z.string().max(20_000).nullable(),
  status: z.enum(TASK_STATUSES, { error: 'must be open or done' }),
  dueDate: isoDate.nullable(),
  assigneeEmail: emailSchema.nullable(),
  scheduledMinutes: minutesSchema.nullable(),
  labels: labelsSchema,
};

/** POST body: a title, the rest optional. Unknown fields are refused so typos are not dropped silently. */
export const createTaskInput = z.strictObject({
  title: taskFields.title,
  description: taskFields.description.optional(),
  status: taskFields.status.optional(),
  dueDate: taskFields.dueDate.optional(),
  assigneeEmail: taskFields.assigneeEmail.optional(),
  scheduledMinutes: taskFields.scheduledMinutes.optional(),
  labels: taskFields.labels.optional(),
});
/** PATCH body: only the given fields change; `null` clears an optional one. */
export const updateTaskInput = createTaskInput.partial();
export type CreateTaskInput = z.output<typeof createTaskInput>;
export type UpdateTaskInput = z.output<typeof updateTaskInput>;

export function taskView(t: ITask): TaskSnapshot {
  return {
    id: t.id,
    title: t.title,
    description: t.description ?? null,
    status: t.status,
    dueDate: dayOf(t.dueDate as string | Date | null | undefined),
    assigneeEmail: t.assigneeEmail ?? null,
    scheduledMinutes: t.scheduledMinutes ?? null,
    labels: t.labels,
    createdBy: t.createdBy ?? null,
    createdAt: t.createdAt.toISOString(),
    updatedAt: t.updatedAt.toISOString(),
    deletedAt: t.deletedAt?.toISOString() ?? null,
    removedRemotelyAt: t.removedRemotelyAt?.toISOString() ?? null,
  };
}

const records = workRecords(Task, 'Task', taskView, 'task_deleted');

/** The index that keeps one live open task per source item (see src/work/task-sources.ts). */
export const OPEN_SOURCE_INDEX = 'tasks_source_open_unique';

/** The refusal when a second live open task would be linked to one source item (the index said no); null for any other error. */
export function openSourceConflict(err: unknown): AppError | null {
  const unique = uniqueViolationOf(err);
  if (!unique || unique.constraint !== OPEN_SOURCE_INDEX) return null;
  return new AppError('conflict', 'Another open task is already linked to the same source item, and a source item is never linked to two open tasks. Mark that task done first.', {
    cause: err,
    details: { constraint: OPEN_SOURCE_INDEX },
  });
}

/** The provider item a task is made from (task relationships); set only by src/work/task-sources.ts. */
export type CreateTaskOptions = { source?: { connectionId: string; remoteId: string } };

export async function createTask(em: EntityManager, w: WorkWriter, input: CreateTaskInput, opts: CreateTaskOptions = {}): Promise<TaskSnapshot> {
  return await em.transactional(async (tx) => {
    const now = new Date();
    const task = tx.create(Task, {
      id: randomUUID(),
      workspace: w.workspaceId,
      title: input.title,
      description: input.description ?? null,
      status: input.status ?? 'open',
      dueDate: input.dueDate ?? null,
      assigneeEmail: input.assigneeEmail ?? null,
      scheduledMinutes: input.scheduledMinutes ?? null,
      labels: input.labels ?? [],
      createdBy: w.memberId,
      createdAt: now,
      updatedAt: now,
      deletedAt: null,
      removedRemotelyAt: null,
      sourceConnection: opts.source?.connectionId ?? null,
      sourceRemoteId: opts.source?.remoteId ?? null,
    });
    await tx.flush();
    const snapshot = taskView(task);
    await recordEvent(tx, { workspaceId: w.workspaceId, type: 'task_added', entityId: task.id, snapshot, data: { origin: w.origin ?? null } });
    return snapshot;
  });
}

/**
 * Applies the given fields. Emits `task_updated` for any change and, when the status changed,
 * `task_status_changed` as well; an update that changes nothing writes and emits nothing.
 */
export async function updateTask(em: EntityManager, w: WorkWriter, id: string, patch: UpdateTaskInput): Promise<TaskSnapshot> {
  // Reopening a done task made from a source item that has a newer open task is refused (409).
  return await updateTaskTx(em, w, id, patch).catch((err: unknown) => {
    throw openSourceConflict(err) ?? err;
  });
}

async function updateTaskTx(em: EntityManager, w: WorkWriter, id: string, patch: UpdateTaskInput): Promise<TaskSnapshot> {
  return await em.transactional(async (tx) => {
    const task = await records.lockLive(tx, w, id);
    const before = taskView(task);
    const { changed, previous } = diff<TaskSnapshot, TaskField>(before, patch, TASK_FIELDS);
    if (!changed.length) return before;
    tx.assign(task, { ...Object.fromEntries(changed.map((f) => [f, patch[f]])), updatedAt: new Date() });
    await tx.flush();
    const snapshot = taskView(task);
    const origin = w.origin ?? null;
    await recordEvent(tx, { workspaceId: w.workspaceId, type: 'task_updated', entityId: id, snapshot, data: { changedFields: changed, previous, origin } });
    if (changed.includes('status')) {
      await recordEvent(tx, { workspaceId: w.workspaceId, type: 'task_status_changed', entityId: id, snapshot, data: { previousStatus: before.status, status: snapshot.status, origin } });
    }
    return snapshot;
  });
}

export const deleteTask = (em: EntityManager, w: WorkWriter, id: string): Promise<void> => records.softDelete(em, w, id);

export const getTask = (em: EntityManager, workspaceId: string, id: string): Promise<TaskSnapshot> => records.get(em, workspaceId, id);

/** A page of tasks, oldest change first; one extra row tells the caller there is a next page. */
export async function listTasks(em: EntityManager, workspaceId: string, o: WorkListOptions): Promise<ITask[]> {
  return await em.find(Task, listWhere(workspaceId, o), { orderBy: LIST_ORDER, limit: o.limit + 1 });
}
