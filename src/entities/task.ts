import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';
import { Connection } from './connection.ts';
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
  // Lists and sync feeds walk a workspace's rows by (updatedAt, id); the source lookup finds an item's tasks.
  indexes: [
    { properties: ['workspace', 'updatedAt', 'id'] },
    {
      name: 'tasks_source_index',
      expression: `create index "tasks_source_index" on "tasks" ("workspace_id", "source_connection_id", "source_remote_id") where "source_connection_id" is not null`,
    },
  ],
  // A source item is never linked to two open tasks (task relationships, src/work/task-sources.ts).
  uniques: [
    {
      name: 'tasks_source_open_unique',
      expression: `create unique index "tasks_source_open_unique" on "tasks" ("workspace_id", "source_connection_id", "source_remote_id") where "source_connection_id" is not null and "status" = 'open' and "deleted_at" is null`,
    },
  ],
  checks: [{ name: 'tasks_source_check', expression: `"source_connection_id" is null or "source_remote_id" is not null` }],
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
    /**
     * The provider item the task was made from (POST /api/v1/tasks/from-source, chat `schedule`):
     * its connection and its id there; null for every other task. The database keeps one live open
     * task per item (partial unique index `tasks_source_open_unique`, in the migration).
     */
    sourceConnection: () => p.manyToOne(Connection).mapToPk().nullable().deleteRule('set null'),
    sourceRemoteId: p.text().nullable(),
  },
});
export type ITask = InferEntity<typeof Task>;
