/**
 * Time entries: time tracked on a task by a member, or by someone known only by email. Each
 * change is one transaction with its `timetracking_*` event.
 */
import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { Member } from '../entities/member.ts';
import { Task } from '../entities/task.ts';
import { TimeEntry, type ITimeEntry } from '../entities/time-entry.ts';
import { AppError, notFound } from '../errors.ts';
import { TIME_ENTRY_FIELDS, type TimeEntryField, type TimeEntrySnapshot } from '../events/catalog/time-entry.ts';
import { recordEvent } from '../events/record.ts';
import { workRecords } from './records.ts';
import { diff, emailSchema, isoDateTime, LIST_ORDER, listWhere, minutesSchema, type WorkListOptions, type WorkWriter } from './common.ts';

export const createTimeEntryInput = z.strictObject({
  taskId: z.uuid({ error: 'must be a UUID' }),
  memberId: z.uuid({ error: 'must be a UUID' }).nullable().optional(),
  assigneeEmail: emailSchema.nullable().optional(),
  startAt: isoDateTime,
  minutes: minutesSchema,
  note: z.string().max(5000).nullable().optional(),
});
/** PATCH body: only the given fields change; `null` clears an optional one. */
export const updateTimeEntryInput = createTimeEntryInput.partial();
export type CreateTimeEntryInput = z.output<typeof createTimeEntryInput>;
export type UpdateTimeEntryInput = z.output<typeof updateTimeEntryInput>;

export function timeEntryView(e: ITimeEntry): TimeEntrySnapshot {
  return {
    id: e.id,
    taskId: e.task,
    memberId: e.member ?? null,
    assigneeEmail: e.assigneeEmail ?? null,
    startAt: e.startAt.toISOString(),
    minutes: e.minutes,
    note: e.note ?? null,
    createdBy: e.createdBy ?? null,
    createdAt: e.createdAt.toISOString(),
    updatedAt: e.updatedAt.toISOString(),
    deletedAt: e.deletedAt?.toISOString() ?? null,
  };
}

const records = workRecords(TimeEntry, 'Time entry', timeEntryView, 'timetracking_deleted');

const invalid = (path: string, message: string) =>
  new AppError('validation_failed', `Invalid request: body.${path} ${message}.`, { details: [{ location: 'body', path, message }] });

/** The entry's task and member must be live rows of the same workspace; whose time it is must be one of member or email. */
async function checkRefs(tx: EntityManager, workspaceId: string, v: { taskId: string; memberId: string | null; assigneeEmail: string | null }) {
  if (v.memberId && v.assigneeEmail) throw invalid('assigneeEmail', 'must be null when memberId is set (the time is one person’s)');
  if (!(await tx.count(Task, { id: v.taskId, workspace: workspaceId, deletedAt: null }))) throw notFound('Task', v.taskId);
  if (v.memberId && !(await tx.count(Member, { id: v.memberId, workspace: workspaceId }))) throw invalid('memberId', 'is not a member of this workspace');
}

/** Creates an entry; with neither `memberId` nor `assigneeEmail`, the time is the writing member's own. */
export async function createTimeEntry(em: EntityManager, w: WorkWriter, input: CreateTimeEntryInput): Promise<TimeEntrySnapshot> {
  return await em.transactional(async (tx) => {
    const assigneeEmail = input.assigneeEmail ?? null;
    const memberId = input.memberId !== undefined ? input.memberId : assigneeEmail ? null : w.memberId;
    await checkRefs(tx, w.workspaceId, { taskId: input.taskId, memberId, assigneeEmail });
    const now = new Date();
    const entry = tx.create(TimeEntry, {
      id: randomUUID(),
      workspace: w.workspaceId,
      task: input.taskId,
      member: memberId,
      assigneeEmail,
      startAt: new Date(input.startAt),
      minutes: input.minutes,
      note: input.note ?? null,
      createdBy: w.memberId,
      createdAt: now,
      updatedAt: now,
      deletedAt: null,
      removedRemotelyAt: null,
    });
    await tx.flush();
    const snapshot = timeEntryView(entry);
    await recordEvent(tx, { workspaceId: w.workspaceId, type: 'timetracking_added', entityId: entry.id, snapshot, data: { origin: w.origin ?? null } });
    return snapshot;
  });
}

/** Applies the given fields and emits `timetracking_updated`; an update that changes nothing emits nothing. */
export async function updateTimeEntry(em: EntityManager, w: WorkWriter, id: string, input: UpdateTimeEntryInput): Promise<TimeEntrySnapshot> {
  return await em.transactional(async (tx) => {
    const entry = await records.lockLive(tx, w, id);
    const before = timeEntryView(entry);
    const patch = { ...input, startAt: input.startAt === undefined ? undefined : new Date(input.startAt).toISOString() };
    const { changed, previous } = diff<TimeEntrySnapshot, TimeEntryField>(before, patch, TIME_ENTRY_FIELDS);
    if (!changed.length) return before;
    const after = { ...before, ...Object.fromEntries(changed.map((f) => [f, patch[f]])) } as TimeEntrySnapshot;
    await checkRefs(tx, w.workspaceId, after);
    tx.assign(entry, {
      task: after.taskId,
      member: after.memberId,
      assigneeEmail: after.assigneeEmail,
      startAt: new Date(after.startAt),
      minutes: after.minutes,
      note: after.note,
      updatedAt: new Date(),
    });
    await tx.flush();
    const snapshot = timeEntryView(entry);
    await recordEvent(tx, { workspaceId: w.workspaceId, type: 'timetracking_updated', entityId: id, snapshot, data: { changedFields: changed, previous, origin: w.origin ?? null } });
    return snapshot;
  });
}

export const deleteTimeEntry = (em: EntityManager, w: WorkWriter, id: string): Promise<void> => records.softDelete(em, w, id);

export const getTimeEntry = (em: EntityManager, workspaceId: string, id: string): Promise<TimeEntrySnapshot> => records.get(em, workspaceId, id);

export async function listTimeEntries(em: EntityManager, workspaceId: string, o: WorkListOptions & { taskId?: string }): Promise<ITimeEntry[]> {
  const where = listWhere(workspaceId, o);
  if (o.taskId) where.task = o.taskId;
  return await em.find(TimeEntry, where, { orderBy: LIST_ORDER, limit: o.limit + 1 });
}
