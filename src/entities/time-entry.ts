import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';
import { Member } from './member.ts';
import { workRecordProperties } from './work-record.ts';
import { Task } from './task.ts';

/**
 * Time tracked on a task, by a member or by someone known only by email (an assignee synced
 * from a provider who has no Patchbay account). Soft-deleted, like every work-data row.
 */
export const TimeEntry = defineEntity({
  name: 'TimeEntry',
  tableName: 'time_entries',
  // Lists and sync feeds walk a workspace's rows by (updatedAt, id).
  indexes: [{ properties: ['workspace', 'updatedAt', 'id'] }, { properties: ['task'] }],
  properties: {
    ...workRecordProperties(),
    task: () => p.manyToOne(Task).mapToPk().deleteRule('cascade'),
    member: () => p.manyToOne(Member).mapToPk().nullable().deleteRule('set null'),
    assigneeEmail: p.string().nullable(),
    startAt: p.datetime(),
    minutes: p.integer(),
    note: p.text().nullable(),
  },
});
export type ITimeEntry = InferEntity<typeof TimeEntry>;
