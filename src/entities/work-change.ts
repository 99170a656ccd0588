import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';

/**
 * The change log the push reads: one row per write to a synced work-data table, appended by a
 * trigger (so no write path can forget it) with the writing transaction's id. Read in (xid, seq)
 * order only below the oldest transaction still running, so a long transaction's changes are
 * never skipped (src/sync/change-log.ts).
 */
export const WorkChange = defineEntity({
  name: 'WorkChange',
  tableName: 'work_changes',
  indexes: [{ properties: ['workspaceId', 'object', 'xid', 'seq'] }, { properties: ['changedAt'] }],
  properties: {
    seq: p.bigint('string').primary().autoincrement(),
    workspaceId: p.uuid(),
    object: p.string(),
    recordId: p.uuid(),
    xid: p.string().columnType('xid8').defaultRaw('pg_current_xact_id()'),
    /** The connection whose pull wrote the change (none for members' and pushes' writes). */
    originConnectionId: p.uuid().nullable(),
    changedAt: p.datetime().defaultRaw('now()'),
  },
});
export type IWorkChange = InferEntity<typeof WorkChange>;
