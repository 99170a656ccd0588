/**
 * What every work-data record (task, contact, calendar event, time entry) has: an id, its
 * workspace, who created it, and the timestamps of a change feed with soft deletes.
 */
import { randomUUID } from 'node:crypto';
import { p } from '@mikro-orm/postgresql';
import { Member } from './member.ts';
import { Workspace } from './workspace.ts';

export const workRecordProperties = () => ({
  id: p.uuid().primary().onCreate(() => randomUUID()),
  workspace: () => p.manyToOne(Workspace).mapToPk().deleteRule('cascade'),
  createdBy: () => p.manyToOne(Member).mapToPk().nullable().deleteRule('set null'),
  createdAt: p.datetime().onCreate(() => new Date()),
  updatedAt: p.datetime().onCreate(() => new Date()),
  /** Deleting sets this instead of removing the row, so a sync can still see and propagate it. */
  deletedAt: p.datetime().nullable(),
  /** Set when a sync rule with the `mark` delete policy saw the linked remote record deleted. */
  removedRemotelyAt: p.datetime().nullable(),
});

