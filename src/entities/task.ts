import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';
import { workRecordProperties } from './work-record.ts';

export const TASK_STATUSES = ['open', 'done'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/**
 * A task of the workspace's own work data (what the sync engine mirrors to and from providers).
 * Deleting sets `deletedAt` instead of removing the row, so a sync can still see and propagate it.
 */
export const Task = defineEntity({
  name: 'Task',
  tableName: 'tasks',
  // Lists and sync feeds walk a workspace's rows by (updatedAt, id).
  indexes: [{ properties: ['workspace', 'updatedAt', 'id'] }],
  properties: {
    ...workRecordProperties(),
    title: p.text(),
    description: p.text().nullable(),
    status: p.enum(TASK_STATUSES).default('open'),
    /** A calendar day (`YYYY-MM-DD`), not an instant: due dates do not move with time zones. */
    dueDate: p.date().nullable(),
    assigneeEmail: p.string().nullable(),
    scheduledMinutes: p.integer().nullable(),
    labels: p.json<string[]>().onCreate(() => []),
  },
});
export type ITask = InferEntity<typeof Task>;
