/**
 * The commit-safe read of local changes. Rows of `work_changes` are read in (transaction id,
 * sequence) order and only below the oldest transaction still running
 * (`pg_snapshot_xmin(pg_current_snapshot())`): every transaction below it has finished, and every
 * transaction that could still commit gets an id at or above it, so once a position is passed no
 * change can appear behind it — even from a transaction that started before the read and
 * commits after it.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import type { LocalObject } from './types.ts';

export type ChangeRow = { seq: string; xid: string; recordId: string; originConnectionId: string | null };

/** The lowest transaction id that may still commit: the start bound of a first full scan. */
export async function currentXmin(em: EntityManager): Promise<string> {
  const [row] = await em.execute<Array<{ x: string }>>('select pg_snapshot_xmin(pg_current_snapshot())::text as x');
  return row!.x;
}

export async function readChanges(em: EntityManager, workspaceId: string, object: LocalObject, after: { xid: string; seq: string }, limit: number): Promise<ChangeRow[]> {
  const rows = await em.execute<Array<{ seq: string; xid: string; record_id: string; origin_connection_id: string | null }>>(
    `select "seq"::text as "seq", "xid"::text as "xid", "record_id", "origin_connection_id" from "work_changes"
      where "workspace_id" = ? and "object" = ?
        -- The plain range on xid lets the index seek to the position; the row comparison alone scanned it all.
        and "xid" >= ?::xid8 and ("xid" > ?::xid8 or "seq" > ?::bigint)
        and "xid" < pg_snapshot_xmin(pg_current_snapshot())
      order by "xid", "seq" limit ?`,
    [workspaceId, object, after.xid, after.xid, after.seq, limit],
  );
  return rows.map((r) => ({ seq: r.seq, xid: r.xid, recordId: r.record_id, originConnectionId: r.origin_connection_id }));
}

/**
 * Whether committed changes wait above the read bound: some older transaction (in any database of
 * the cluster: transaction ids are shared) is still open. They are never skipped, only held back.
 */
export async function changesHeldBack(em: EntityManager, workspaceId: string, object: LocalObject): Promise<boolean> {
  const [row] = await em.execute<Array<{ held: boolean }>>(
    `select exists (select 1 from "work_changes" where "workspace_id" = ? and "object" = ? and "xid" >= pg_snapshot_xmin(pg_current_snapshot())) as "held"`,
    [workspaceId, object],
  );
  return Boolean(row?.held);
}
