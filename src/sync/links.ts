/**
 * Record links: local id ↔ remote id per rule, with the last synced values (`snapshot.v`, local
 * terms) and what the mapping needs to write the remote's own form back (`snapshot.m`). Set-based
 * reads and writes; a link without a remote id is a create intent (see push.ts).
 */
import { pgArray } from '../db/pg-array.ts';
import type { EntityManager } from '@mikro-orm/postgresql';

export type LinkSnapshot = { v: Record<string, unknown>; m: Record<string, unknown> };
export type Link = {
  localId: string;
  remoteId: string | null;
  intentKey: string | null;
  snapshot: LinkSnapshot;
  remoteUpdatedAt: Date | null;
  remoteDeletedAt: Date | null;
};

type Row = { local_id: string; remote_id: string | null; intent_key: string | null; snapshot: Partial<LinkSnapshot> | null; remote_updated_at: Date | null; remote_deleted_at: Date | null };

const toLink = (r: Row): Link => ({
  localId: r.local_id,
  remoteId: r.remote_id,
  intentKey: r.intent_key,
  snapshot: { v: r.snapshot?.v ?? {}, m: r.snapshot?.m ?? {} },
  remoteUpdatedAt: r.remote_updated_at ? new Date(r.remote_updated_at) : null,
  remoteDeletedAt: r.remote_deleted_at ? new Date(r.remote_deleted_at) : null,
});

const COLS = '"local_id", "remote_id", "intent_key", "snapshot", "remote_updated_at", "remote_deleted_at"';

/**
 * The links of these remote ids: one probe of the (rule_id, remote_id) index per id, whatever the
 * table's statistics say. A plain `remote_id = any(…)` is planned from them, and while a first pull
 * fills the table they are stale (a rule "has 36 links" at 20,000): the planner then read every
 * link of the rule through the primary key for every page — a full pull grew quadratic. (`limit 1`
 * — there is at most one — keeps the lateral subquery from being flattened into a hash join.)
 */
export async function linksByRemote(tx: EntityManager, ruleId: string, remoteIds: string[]): Promise<Map<string, Link>> {
  if (!remoteIds.length) return new Map();
  const rows = await tx.execute<Row[]>(
    `select l.* from unnest(?::text[]) as r("rid") cross join lateral (select ${COLS} from "sync_links" where "rule_id" = ? and "remote_id" = r."rid" limit 1) l`,
    [pgArray(remoteIds), ruleId],
  );
  return new Map(rows.map((r) => [r.remote_id!, toLink(r)]));
}

export async function linksByLocal(tx: EntityManager, ruleId: string, localIds: string[]): Promise<Map<string, Link>> {
  if (!localIds.length) return new Map();
  const rows = await tx.execute<Row[]>(`select ${COLS} from "sync_links" where "rule_id" = ? and "local_id" = any(?::uuid[])`, [ruleId, pgArray(localIds)]);
  return new Map(rows.map((r) => [r.local_id, toLink(r)]));
}

export type LinkWrite = {
  localId: string;
  remoteId: string;
  snapshot: LinkSnapshot;
  remoteUpdatedAt: string | null;
  /**
   * The local record has changes the provider does not have yet: the link keeps its old
   * `updated_at`, so the push's first scan (which skips records not written since their link)
   * still finds it.
   */
  localAhead?: boolean;
};

/** Creates or completes links (one statement); `seenRunId` marks them seen by a full pull. */
export async function upsertLinks(tx: EntityManager, ruleId: string, rows: LinkWrite[], seenRunId: string | null): Promise<void> {
  if (!rows.length) return;
  await tx.execute(
    `insert into "sync_links" ("rule_id", "local_id", "remote_id", "intent_key", "snapshot", "remote_updated_at", "seen_run_id", "created_at", "updated_at")
     select ?, r."local_id", r."remote_id", null, r."snapshot", r."remote_updated_at", ?::uuid, now(),
            case when r."local_ahead" then '-infinity'::timestamptz else now() end
       from jsonb_to_recordset(?::jsonb) as r("local_id" uuid, "remote_id" text, "snapshot" jsonb, "remote_updated_at" timestamptz, "local_ahead" boolean)
     on conflict ("rule_id", "local_id") do update set
       "remote_id" = excluded."remote_id", "intent_key" = null, "snapshot" = excluded."snapshot",
       "remote_updated_at" = excluded."remote_updated_at", "seen_run_id" = coalesce(excluded."seen_run_id", "sync_links"."seen_run_id"),
       "remote_deleted_at" = null,
       -- -infinity marks a row whose local record is ahead: keep the link's old time (see LinkWrite).
       "updated_at" = case when excluded."updated_at" = '-infinity' then "sync_links"."updated_at" else now() end`,
    [ruleId, seenRunId, JSON.stringify(rows.map((r) => ({ local_id: r.localId, remote_id: r.remoteId, snapshot: r.snapshot, remote_updated_at: r.remoteUpdatedAt, local_ahead: r.localAhead ?? false })))],
  );
}

/**
 * A full pull saw these links' remote records (mark-and-sweep). By local id, the primary key, like
 * every other write here: a lookup by remote id is planned from statistics a first pull outruns.
 */
export async function markSeen(tx: EntityManager, ruleId: string, localIds: string[], runId: string): Promise<void> {
  if (!localIds.length) return;
  await tx.execute(`update "sync_links" set "seen_run_id" = ? where "rule_id" = ? and "local_id" = any(?::uuid[])`, [runId, ruleId, pgArray(localIds)]);
}

/** The remote side of these links is gone: they stay (so the record is not pushed again) but are marked. */
export async function markRemoteDeleted(tx: EntityManager, ruleId: string, localIds: string[]): Promise<void> {
  if (!localIds.length) return;
  await tx.execute(`update "sync_links" set "remote_deleted_at" = now(), "updated_at" = now() where "rule_id" = ? and "local_id" = any(?::uuid[])`, [ruleId, pgArray(localIds)]);
}

/** Linked records a complete full pull did not see: deleted at the provider (sweep). */
export async function unseenLinks(tx: EntityManager, ruleId: string, runId: string, limit: number): Promise<Link[]> {
  const rows = await tx.execute<Row[]>(
    `select ${COLS} from "sync_links" where "rule_id" = ? and "remote_id" is not null and "remote_deleted_at" is null
        and "seen_run_id" is distinct from ?::uuid and "created_at" < (select coalesce("started_at", now()) from "sync_runs" where "id" = ?)
      order by "local_id" limit ?`,
    [ruleId, runId, runId, limit],
  );
  return rows.map(toLink);
}

/** Writes a create intent before the provider call; false when the record already has a link or intent. */
export async function writeIntent(em: EntityManager, ruleId: string, localId: string, key: string, snapshot: LinkSnapshot): Promise<boolean> {
  const rows = await em.execute<Array<{ local_id: string }>>(
    `insert into "sync_links" ("rule_id", "local_id", "remote_id", "intent_key", "snapshot", "created_at", "updated_at")
     values (?, ?, null, ?, ?::jsonb, now(), now()) on conflict ("rule_id", "local_id") do nothing returning "local_id"`,
    [ruleId, localId, key, JSON.stringify(snapshot)],
  );
  return rows.length > 0;
}

/** Create intents whose outcome is unknown (the process stopped between the provider call and the link). */
export async function pendingIntents(em: EntityManager, ruleId: string, limit: number): Promise<Link[]> {
  const rows = await em.execute<Row[]>(`select ${COLS} from "sync_links" where "rule_id" = ? and "remote_id" is null order by "created_at" limit ?`, [ruleId, limit]);
  return rows.map(toLink);
}

export async function dropLink(em: EntityManager, ruleId: string, localId: string): Promise<void> {
  await em.execute(`delete from "sync_links" where "rule_id" = ? and "local_id" = ?`, [ruleId, localId]);
}

/** How many records a connection has linked (its record count). */
export async function linkedCount(em: EntityManager, connectionId: string): Promise<number> {
  const [row] = await em.execute<Array<{ n: string }>>(
    `select count(*)::text as n from "sync_links" l join "sync_rules" r on r."id" = l."rule_id" where r."connection_id" = ? and l."remote_id" is not null and l."remote_deleted_at" is null`,
    [connectionId],
  );
  return Number(row?.n ?? 0);
}
