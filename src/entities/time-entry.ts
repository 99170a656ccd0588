import { randomUUID } from 'node:crypto';
import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';
import { Member } from './member.ts';
import { Task } from './task.ts';
import { Workspace } from './workspace.ts';

/**
 * Time tracked on a task, by a member or by someone known only by email (an assignee synced
 * from a provider who has no Patchbay account). Soft-deleted, like every work-data row.
 */
export const TimeEntry = defineEntity({
  name: 'TimeEntry',
  tableName: 'time_entries',
  indexes: [{ properties: ['workspace', 'updatedAt', 'id'] }, { properties: ['task'] }],
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    workspace: () => p.manyToOne(Workspace).mapToPk().deleteRule('cascade'),
    task: () => p.manyToOne(Task).mapToPk().deleteRule('cascade'),
    member: () => p.manyToOne(Member).mapToPk().nullable().deleteRule('set null'),
    assigneeEmail: p.string().nullable(),
    startAt: p.datetime(),
    minutes: p.integer(),
    note: p.text().nullable(),
    createdBy: () => p.manyToOne(Member).mapToPk().nullable().deleteRule('set null'),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p.datetime().onCreate(() => new Date()),
    deletedAt: p.datetime().nullable(),
  },
});
export type ITimeEntry = InferEntity<typeof TimeEntry>;
