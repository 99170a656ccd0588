/**
 * Initial match: before a rule's first run, the records both sides already have are paired by a
 * key and linked, so the first pull does not import them again and the first push does not
 * create them again. Contacts match by email (case-insensitive); tasks by a stored source link,
 * else exact title + due date; calendar events by provider id (a local event another rule already
 * links to that remote id), else exact title + start time. A key with more than one candidate on
 * either side is ambiguous: listed, never guessed, never linked (its records then sync as new).
 *
 * Provider-agnostic and sized for big accounts: the remote side is read with the adapter's
 * `listChanged` from a null cursor (the full pull's pages) and staged page by page in
 * `sync_match_keys`; the local side stays in SQL; one set-based statement pairs the two; links
 * are written in batches. The same code answers the preview (a throwaway batch) and the first
 * run's `match` phase (the rule's own batch, resumable across the run's jobs).
 *
 * A matched pair's link carries a snapshot like the pull's: where both sides hold the same value
 * the snapshot holds it too, so the next pull and push see no change. Where they differ, the
 * snapshot holds the loser's value, so the winner's reads as the one change: an inbound-only field
 * takes the remote's, an outbound-only field the local's, and a two-way field the one side that
 * has a value (a blank is filled, never written over), else the later write's. The two sides were
 * never in step, so this is not reported as a conflict. The link has no remote modification
 * time, so the first pull reads every matched record rather than skipping it.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import type { IConnection } from '../entities/connection.ts';
import { SyncRule, type ISyncRule, type MatchCursor } from '../entities/sync-rule.ts';
import { AppError } from '../errors.ts';
import { pgArray } from '../db/pg-array.ts';
import { same } from './conflicts.ts';
import { splitMapping, type SyncJob } from './job-context.ts';
import { upsertLinks, type LinkWrite } from './links.ts';
import { fieldsOf, loadLocal, tableOf } from './local-store.ts';
import { mapIn } from './mapping.ts';
import { addCounts } from './pull.ts';
import type { LocalObject, ObjectAdapter, PullPage, RemoteRecord, SyncDirection } from './types.ts';

const SEP = '\x1f';
const LINK_BATCH = 500;
const AMBIGUOUS_LISTED = 20;

/** What each object matches by, as the preview says it. */
export const MATCH_BY: Record<LocalObject, string> = {
  contacts: 'email (case-insensitive)',
  tasks: 'a stored source link, else exact title + due date',
  calendar_events: 'provider id (an event another rule already links), else exact title + start time',
};

/** The local fields a key is made of: a mapping without them cannot match anything. */
export const KEY_FIELDS: Record<LocalObject, string[]> = { contacts: ['email'], tasks: ['title'], calendar_events: ['title', 'startAt'] };

/** A record's match key from its values in local terms (the API's representation); null: no key. */
export function matchKey(object: LocalObject, v: Record<string, unknown>): string | null {
  switch (object) {
    case 'contacts': {
      const email = typeof v.email === 'string' ? v.email.trim().toLowerCase() : '';
      return email || null;
    }
    case 'tasks':
      return typeof v.title === 'string' ? `${v.title}${SEP}${typeof v.dueDate === 'string' ? v.dueDate : ''}` : null;
    case 'calendar_events': {
      const at = typeof v.startAt === 'string' ? Date.parse(v.startAt) : NaN;
      return typeof v.title === 'string' && Number.isFinite(at) ? `${v.title}${SEP}${at}` : null;
    }
  }
}

/** The same key computed in SQL over the local table (alias `t`); must agree with `matchKey`. */
const LOCAL_KEY_SQL: Record<LocalObject, string> = {
  contacts: `nullif(lower(btrim(t."email")), '')`,
  tasks: `t."title" || chr(31) || coalesce(t."due_date"::text, '')`,
  calendar_events: `t."title" || chr(31) || floor(extract(epoch from t."start_at") * 1000)::bigint::text`,
};

/** A key as people read it: `ada@example.com`, `"Ship v2" due 2026-12-01`, `"Standup" at 2026-12-01T09:00:00.000Z`. */
export function keyLabel(object: LocalObject, key: string): string {
  const [a, b] = key.split(SEP);
  if (object === 'contacts') return key;
  if (object === 'tasks') return b ? `"${a}" due ${b}` : `"${a}" (no due date)`;
  return `"${a}" at ${new Date(Number(b)).toISOString()}`;
}

/**
 * Every mapping entry read inbound, whatever its direction: the key needs the remote's title or
 * email in local terms even on an outbound-only rule.
 */
export function readAll(rule: Pick<ISyncRule, 'mapping'>) {
  return rule.mapping.map((e) => ({ ...e, direction: 'both' as const }));
}

// ---------------------------------------------------------------------------------------------
// Pairs known before any key is compared
// ---------------------------------------------------------------------------------------------

type MatchRule = Pick<ISyncRule, 'id' | 'workspace' | 'localObject' | 'remoteObject' | 'mapping' | 'direction'>;

/**
 * Stored source links: a task made from this very provider item (`POST
 * /api/v1/tasks/from-source`, `schedule` in chat) is its match before any title + due date is
 * compared — the open task of an item, else its latest. Remote id → task id for the page's remote
 * ids, in one set-based query; these pairs are kept out of key matching.
 */
export async function sourceLinkedTasks(em: EntityManager, rule: MatchRule, connection: Pick<IConnection, 'id' | 'providerSlug'>, remoteIds: string[]): Promise<Map<string, string>> {
  if (!remoteIds.length) return new Map();
  const rows = await em.execute<Array<{ remote_id: string; local_id: string }>>(
    `select distinct on (t."source_remote_id") t."source_remote_id" as remote_id, t."id" as local_id
       from "tasks" t
      where t."workspace_id" = ? and t."source_connection_id" = ? and t."source_remote_id" = any(?::text[]) and t."deleted_at" is null
      order by t."source_remote_id", (t."status" = 'open') desc, t."created_at" desc, t."id" desc`,
    [rule.workspace, connection.id, pgArray(remoteIds)],
  );
  return new Map(rows.map((r) => [r.remote_id, r.local_id]));
}

/**
 * Calendar events by provider id: a local event another rule of the workspace already links to
 * the same remote event (same provider and object) is that event. Remote ids are the provider's.
 */
async function eventsLinkedElsewhere(em: EntityManager, rule: MatchRule, connection: Pick<IConnection, 'providerSlug'>, remoteIds: string[]): Promise<Map<string, string>> {
  if (!remoteIds.length) return new Map();
  const rows = await em.execute<Array<{ remote_id: string; local_id: string }>>(
    `select distinct on (l."remote_id") l."remote_id", l."local_id"
       from "sync_links" l
       join "sync_rules" r on r."id" = l."rule_id"
       join "connections" c on c."id" = r."connection_id"
       join "calendar_events" e on e."id" = l."local_id" and e."deleted_at" is null
      where r."workspace_id" = ? and r."id" <> ? and r."local_object" = 'calendar_events' and r."remote_object" = ?
        and c."provider_slug" = ? and l."remote_id" = any(?::text[]) and l."remote_deleted_at" is null
      order by l."remote_id", l."updated_at" desc`,
    [rule.workspace, rule.id, rule.remoteObject, connection.providerSlug, pgArray(remoteIds)],
  );
  return new Map(rows.map((r) => [r.remote_id, r.local_id]));
}

function knownPairs(em: EntityManager, rule: MatchRule, connection: Pick<IConnection, 'id' | 'providerSlug'>, remoteIds: string[]): Promise<Map<string, string>> {
  if (rule.localObject === 'tasks') return sourceLinkedTasks(em, rule, connection, remoteIds);
  if (rule.localObject === 'calendar_events') return eventsLinkedElsewhere(em, rule, connection, remoteIds);
  return Promise.resolve(new Map());
}

// ---------------------------------------------------------------------------------------------
// Staging and resolving (set-based)
// ---------------------------------------------------------------------------------------------

/** Stages one page of the provider's full feed: keys and mapped values, tombstones removed. */
export async function stagePage(em: EntityManager, batchId: string, rule: MatchRule, adapter: ObjectAdapter, connection: Pick<IConnection, 'id' | 'providerSlug'>, records: RemoteRecord[]): Promise<void> {
  const latest = new Map<string, RemoteRecord>();
  for (const r of records) latest.set(r.id, r);
  const gone = [...latest.values()].filter((r) => r.deleted).map((r) => r.id);
  const live = [...latest.values()].filter((r) => !r.deleted);
  if (gone.length) await em.execute(`delete from "sync_match_keys" where "batch_id" = ? and "remote_id" = any(?::text[])`, [batchId, pgArray(gone)]);
  if (!live.length) return;
  const known = await knownPairs(em, rule, connection, live.map((r) => r.id));
  const mapping = readAll(rule);
  const rows = live.map((rec) => {
    const { values, meta } = mapIn(rule.localObject, adapter, mapping, rec.fields, null);
    return { remote_id: rec.id, key: matchKey(rule.localObject, values), local_id: known.get(rec.id) ?? null, values, meta, remote_updated_at: rec.updatedAt };
  });
  await em.execute(
    `insert into "sync_match_keys" ("batch_id", "remote_id", "key", "local_id", "values", "meta", "remote_updated_at", "created_at")
     select ?, r."remote_id", r."key", r."local_id", r."values", r."meta", r."remote_updated_at", now()
       from jsonb_to_recordset(?::jsonb) as r("remote_id" text, "key" text, "local_id" uuid, "values" jsonb, "meta" jsonb, "remote_updated_at" timestamptz)
     on conflict ("batch_id", "remote_id") do update set "key" = excluded."key", "local_id" = excluded."local_id", "values" = excluded."values", "meta" = excluded."meta", "remote_updated_at" = excluded."remote_updated_at"`,
    [batchId, JSON.stringify(rows)],
  );
}

/** The rule's local records a match may pair (not deleted, not removed remotely, not linked, not already paired). */
function candidatesSql(object: LocalObject): string {
  return `select t."id", ${LOCAL_KEY_SQL[object]} as "key" from "${tableOf(object)}" t
           where t."workspace_id" = ? and t."deleted_at" is null and t."removed_remotely_at" is null
             and not exists (select 1 from "sync_links" l where l."rule_id" = ? and l."local_id" = t."id")
             and not exists (select 1 from "sync_match_keys" k where k."batch_id" = ? and k."local_id" = t."id")`;
}

/** Staged remote records still open to key matching (not paired, not linked by the rule). */
const OPEN_REMOTE = `k."batch_id" = ? and k."local_id" is null and k."key" is not null
  and not exists (select 1 from "sync_links" l where l."rule_id" = ? and l."remote_id" = k."remote_id")`;

/** Pairs every key with exactly one candidate on each side (one statement); known pairs first. */
export async function resolveBatch(em: EntityManager, batchId: string, rule: MatchRule): Promise<void> {
  // A known pair is only trusted when it is one-to-one and its local record is still a candidate.
  await em.execute(
    `update "sync_match_keys" k set "local_id" = null
      where k."batch_id" = ? and k."local_id" is not null
        and (exists (select 1 from "sync_match_keys" o where o."batch_id" = k."batch_id" and o."local_id" = k."local_id" and o."remote_id" <> k."remote_id")
             or exists (select 1 from "sync_links" l where l."rule_id" = ? and (l."local_id" = k."local_id" or l."remote_id" = k."remote_id")))`,
    [batchId, rule.id],
  );
  const obj = rule.localObject;
  await em.execute(
    `with cand as (${candidatesSql(obj)}),
          lk as (select "key", (array_agg("id"))[1] as "id", count(*) as n from cand where "key" is not null group by "key"),
          rk as (select k."key", count(*) as n from "sync_match_keys" k where ${OPEN_REMOTE} group by k."key")
     update "sync_match_keys" k set "local_id" = lk."id"
       from lk join rk on rk."key" = lk."key"
      where lk.n = 1 and rk.n = 1 and k."key" = lk."key" and ${OPEN_REMOTE}`,
    [rule.workspace, rule.id, batchId, batchId, rule.id, batchId, rule.id],
  );
}

export type AmbiguousMatch = {
  /** The key as people read it (`ada@example.com`, `"Ship v2" due 2026-12-01`). */
  key: string;
  /** How many local records have this key, and the first 10 of them (ids). */
  localCount: number;
  localIds: string[];
  /** How many provider records have this key, and the first 10 of them (ids). */
  remoteCount: number;
  remoteIds: string[];
};

export type MatchCounts = {
  /** Pairs to link (or linked). */
  link: number;
  /** Unlinked local records (candidates) and staged remote records before linking. */
  localTotal: number;
  remoteTotal: number;
  /** Keys with more than one candidate on a side (and at least one on each): listed, not linked. */
  ambiguous: AmbiguousMatch[];
  ambiguousCount: number;
};

/** What a resolved batch amounts to: pairs, totals on both sides, the ambiguous keys (the first 20). */
export async function batchCounts(em: EntityManager, batchId: string, rule: MatchRule): Promise<MatchCounts> {
  const obj = rule.localObject;
  const [remote] = await em.execute<Array<{ total: string; paired: string }>>(
    `select count(*)::text as total, count(*) filter (where k."local_id" is not null)::text as paired from "sync_match_keys" k
      where k."batch_id" = ? and not exists (select 1 from "sync_links" l where l."rule_id" = ? and l."remote_id" = k."remote_id")`,
    [batchId, rule.id],
  );
  // Paired locals are excluded from the candidates, so they are added back for the local total.
  const [local] = await em.execute<Array<{ n: string }>>(`select count(*)::text as n from (${candidatesSql(obj)}) c`, [rule.workspace, rule.id, batchId]);
  const ambiguous = await em.execute<Array<{ key: string; local_ids: string[]; remote_ids: string[]; local_n: string; remote_n: string; total: string }>>(
    `with cand as (${candidatesSql(obj)}),
          lk as (select "key", array_agg("id"::text order by "id") as ids, count(*) as n from cand where "key" is not null group by "key"),
          rk as (select k."key", array_agg(k."remote_id" order by k."remote_id") as ids, count(*) as n from "sync_match_keys" k where ${OPEN_REMOTE} group by k."key")
     select lk."key", lk.ids[1:10] as local_ids, rk.ids[1:10] as remote_ids, lk.n::text as local_n, rk.n::text as remote_n, (count(*) over ())::text as total
       from lk join rk on rk."key" = lk."key" where lk.n > 1 or rk.n > 1 order by lk."key" limit ?`,
    [rule.workspace, rule.id, batchId, batchId, rule.id, AMBIGUOUS_LISTED],
  );
  const paired = Number(remote?.paired ?? 0);
  return {
    link: paired,
    localTotal: Number(local?.n ?? 0) + paired,
    remoteTotal: Number(remote?.total ?? 0),
    ambiguous: ambiguous.map((a) => ({ key: keyLabel(obj, a.key), localCount: Number(a.local_n), localIds: a.local_ids, remoteCount: Number(a.remote_n), remoteIds: a.remote_ids })),
    ambiguousCount: Number(ambiguous[0]?.total ?? 0),
  };
}

export async function clearBatch(em: EntityManager, batchId: string): Promise<void> {
  await em.execute(`delete from "sync_match_keys" where "batch_id" = ?`, [batchId]);
}

const blank = (x: unknown) => x === null || x === undefined || x === '' || (Array.isArray(x) && x.length === 0);

/**
 * The link snapshot of a matched pair (see the file comment): equal values become the base; where
 * they differ the base is the loser's value, so the winner's is the one change the pull or push
 * sees. `localAhead` when a local value is to be pushed (the push's first scan must look at the
 * record). `localAt` / `remoteAt`: each side's last write, for a two-way field both sides fill.
 */
export function matchedSnapshot(
  rule: Pick<ISyncRule, 'direction' | 'mapping'>,
  local: Record<string, unknown>,
  remote: Record<string, unknown>,
  localAt: Date,
  remoteAt: Date | null,
): { v: Record<string, unknown>; localAhead: boolean } {
  const { inbound, twoWay, outbound } = splitMapping(rule);
  const out = outbound.map((e) => e.local);
  if (outbound.some((e) => e.transform === 'title_minutes')) out.push('scheduledMinutes');
  const v: Record<string, unknown> = {};
  let localAhead = false;
  const localWins = () => {
    localAhead = true;
    return true;
  };
  for (const f of new Set([...inbound, ...out])) {
    const l = local[f] ?? null;
    const r = remote[f] ?? null;
    if (!Object.hasOwn(remote, f) || same(l, r)) v[f] = l;
    else if (twoWay.has(f)) {
      const pushLocal = blank(r) ? true : blank(l) ? false : remoteAt === null || localAt.getTime() > remoteAt.getTime();
      v[f] = pushLocal && localWins() ? r : l;
    } else if (inbound.includes(f)) v[f] = l; // the remote's value is pulled
    else v[f] = localWins() ? r : l; // the local value is pushed
  }
  return { v, localAhead };
}

/** Links up to `limit` resolved pairs of the batch (one transaction); returns how many. */
async function linkBatch(em: EntityManager, batchId: string, rule: MatchRule, limit: number, onLinked?: (tx: EntityManager, n: number) => Promise<void>): Promise<number> {
  return await em.transactional(async (tx) => {
    const rows = await tx.execute<Array<{ remote_id: string; local_id: string; values: Record<string, unknown>; meta: Record<string, unknown>; remote_updated_at: Date | string | null }>>(
      `select k."remote_id", k."local_id", k."values", k."meta", k."remote_updated_at" from "sync_match_keys" k
        where k."batch_id" = ? and k."local_id" is not null
          and not exists (select 1 from "sync_links" l where l."rule_id" = ? and (l."local_id" = k."local_id" or l."remote_id" = k."remote_id"))
        order by k."remote_id" limit ?`,
      [batchId, rule.id, limit],
    );
    const locals = await loadLocal(tx, rule.localObject, rule.workspace, rows.map((r) => r.local_id));
    const writes: LinkWrite[] = [];
    for (const r of rows) {
      const local = locals.get(r.local_id);
      if (!local || local.deleted) continue;
      const remoteAt = r.remote_updated_at ? new Date(r.remote_updated_at) : null;
      const { v, localAhead } = matchedSnapshot(rule, fieldsOf(rule.localObject, local.view), r.values, local.updatedAt, remoteAt);
      writes.push({ localId: r.local_id, remoteId: r.remote_id, snapshot: { v, m: r.meta }, remoteUpdatedAt: null, localAhead });
    }
    await upsertLinks(tx, rule.id, writes, null);
    // Rows whose local record vanished are dropped so the next batch does not read them again.
    const skipped = rows.filter((r) => !writes.some((w) => w.remoteId === r.remote_id)).map((r) => r.remote_id);
    if (skipped.length) await tx.execute(`update "sync_match_keys" set "local_id" = null where "batch_id" = ? and "remote_id" = any(?::text[])`, [batchId, pgArray(skipped)]);
    if (onLinked) await onLinked(tx, writes.length);
    return rows.length;
  });
}

// ---------------------------------------------------------------------------------------------
// The first run's match phase
// ---------------------------------------------------------------------------------------------

/** Whether a rule's next run matches first: it has never matched (a new rule, or one whose first run stopped before). */
export const needsMatch = (rule: Pick<ISyncRule, 'matchedAt'>): boolean => rule.matchedAt == null;

async function saveMatchCursor(em: EntityManager, job: SyncJob, mc: MatchCursor | null, matchedAt?: Date): Promise<void> {
  job.rule.matchCursor = mc;
  if (matchedAt) job.rule.matchedAt = matchedAt;
  await em.nativeUpdate(SyncRule, { id: job.rule.id }, { matchCursor: mc, ...(matchedAt ? { matchedAt } : {}) });
}

/**
 * One step of a run's `match` phase; true when the match is done (the rule is then matched and
 * the run goes on to pull or push). Steps: stage a page of the provider's full feed; resolve the
 * pairs (one statement, ambiguous keys noted on the run); link a batch of pairs. The batch is the
 * rule's id, its position the rule's `match_cursor` (a new run starts over: the staging of a
 * failed run may be stale).
 */
export async function matchStep(job: SyncJob): Promise<boolean> {
  const { rule, run, em, adapter, connection } = job;
  let mc = rule.matchCursor;
  if (!mc || mc.runId !== run.id) {
    await clearBatch(em, rule.id);
    // Nothing here to match (a new workspace, a first import): the provider is not read twice.
    const [any] = await em.execute<Array<{ one: number }>>(`select 1 as one from (${candidatesSql(rule.localObject)}) c where c."key" is not null limit 1`, [rule.workspace, rule.id, rule.id]);
    if (!any) {
      await saveMatchCursor(em, job, null, new Date());
      return true;
    }
    mc = { runId: run.id, cursor: null, staged: false, resolved: false };
    await saveMatchCursor(em, job, mc);
  }
  if (!mc.staged) {
    let page: PullPage;
    try {
      const from = mc.cursor;
      page = await job.call((ctx) => adapter.listChanged(ctx, { cursor: from, scope: rule.scope, pageSize: job.rt.config.SYNC_PAGE_SIZE }));
    } catch (err) {
      if (err instanceof AppError && err.code === 'sync_cursor_expired' && mc.cursor != null) {
        await clearBatch(em, rule.id);
        await saveMatchCursor(em, job, { ...mc, cursor: null });
        return false;
      }
      throw err;
    }
    const next: MatchCursor = { ...mc, cursor: page.cursor ?? null, staged: !page.hasMore };
    await em.transactional(async (tx) => {
      await stagePage(tx, rule.id, rule, adapter, connection, page.records);
      await saveMatchCursor(tx, job, next);
    });
    return false;
  }
  if (!mc.resolved) {
    await resolveBatch(em, rule.id, rule);
    const counts = await batchCounts(em, rule.id, rule);
    const warnings = counts.ambiguousCount ? [ambiguousWarning(rule.localObject, job.provider.definition.displayName, counts)] : [];
    await em.transactional(async (tx) => {
      await addCounts(tx, job, { warnings });
      await saveMatchCursor(tx, job, { ...mc, resolved: true });
    });
    job.logger.info({ link: counts.link, ambiguous: counts.ambiguousCount }, 'initial match resolved');
    return false;
  }
  const n = await linkBatch(em, rule.id, rule, LINK_BATCH, (tx, linked) => addCounts(tx, job, { linked }));
  if (n >= LINK_BATCH) return false;
  await clearBatch(em, rule.id);
  await saveMatchCursor(em, job, null, new Date());
  return true;
}

function ambiguousWarning(object: LocalObject, providerName: string, c: MatchCounts): string {
  const shown = c.ambiguous.slice(0, 5).map((a) => `${a.key} (${a.localCount} here, ${a.remoteCount} in ${providerName})`);
  const more = c.ambiguousCount > shown.length ? `, and ${c.ambiguousCount - shown.length} more` : '';
  return `initial match: ${c.ambiguousCount} ambiguous ${object === 'contacts' ? 'email' : 'key'}${c.ambiguousCount === 1 ? '' : 's'} left unlinked (their records sync as new): ${shown.join('; ')}${more}`;
}
