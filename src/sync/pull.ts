/**
 * Pull: one page of the provider's change feed, applied in one transaction together with the
 * links, their snapshots, the rule's cursor and the run's counts — so a crash resumes at the last
 * committed page, with nothing applied twice and nothing skipped.
 */
import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { SyncRule } from '../entities/sync-rule.ts';
import { SyncRun, type ConflictDetail, type RecordError } from '../entities/sync-run.ts';
import { AppError } from '../errors.ts';
import { decideFields } from './conflicts.ts';
import type { SyncJob } from './job-context.ts';
import { linksByRemote, markRemoteDeleted, markSeen, upsertLinks, type LinkWrite } from './links.ts';
import { applyRemoteDeletes, fieldsOf, insertLocal, loadLocal, updateLocal, validateValues, withDefaults, type LocalRecord } from './local-store.ts';
import { mapIn } from './mapping.ts';
import { recordSyncEvents, type RecordChange } from './record-events.ts';
import type { PullPage, RemoteRecord } from './types.ts';

export type PageCounts = { pulled: number; merged: number; linked: number; deleted: number; conflicts: ConflictDetail[]; errors: RecordError[]; warnings: string[] };

/** Marks the pull as a full resync after the provider refused the cursor. */
export async function restartFullPull(job: SyncJob, reason: string): Promise<void> {
  job.rule.pullCursor = null;
  job.run.mode = 'full';
  await job.em.nativeUpdate(SyncRule, { id: job.rule.id }, { pullCursor: null });
  await job.em.nativeUpdate(SyncRun, { id: job.run.id }, { mode: 'full' });
  job.run.warnings = [...job.run.warnings, `${reason} — starting a full resync`];
  job.logger.warn({ reason }, 'sync cursor expired; full resync');
}

/** A page fetched ahead, or why it could not be. Never rejects (so an unused prefetch cannot go unhandled). */
export type Fetched = { ok: true; page: PullPage; from: unknown } | { ok: false; err: unknown; from: unknown };

export function fetchPage(job: SyncJob, cursor: unknown): Promise<Fetched> {
  const pageSize = job.rt.config.SYNC_PAGE_SIZE;
  return job
    .call((ctx) => job.adapter.listChanged(ctx, { cursor: cursor ?? null, scope: job.rule.scope, pageSize }))
    .then((page): Fetched => ({ ok: true, page, from: cursor }), (err: unknown): Fetched => ({ ok: false, err, from: cursor }));
}

/**
 * Pulls and applies one page; `done` when the feed is drained. While this page's transaction
 * runs, the next page is already being fetched (`next`, from this page's cursor): the network
 * wait overlaps the database work. Nothing about the next page is stored until its own commit,
 * so a crash still resumes at the last committed cursor.
 */
export async function pullPage(job: SyncJob, prefetched?: Promise<Fetched>, fetchAhead = true): Promise<{ done: boolean; next?: Promise<Fetched> }> {
  const f = await (prefetched ?? fetchPage(job, job.rule.pullCursor));
  if (!f.ok) {
    const err = f.err;
    if (err instanceof AppError && err.code === 'sync_cursor_expired' && job.rule.pullCursor != null) {
      await restartFullPull(job, err.message);
      return { done: false };
    }
    throw err;
  }
  const page = f.page;
  const next = page.hasMore && fetchAhead ? fetchPage(job, page.cursor) : undefined;
  await job.em.transactional(async (tx) => {
    // The change log records that these writes came from this connection's pull.
    await tx.execute(`select set_config('patchbay.sync_connection', ?, true)`, [job.connection.id]);
    const counts = await applyPage(tx, job, page.records);
    await tx.nativeUpdate(SyncRule, { id: job.rule.id }, { pullCursor: page.cursor as never });
    job.rule.pullCursor = page.cursor;
    await addCounts(tx, job, counts, 1);
  });
  return { done: !page.hasMore, ...(next ? { next } : {}) };
}

/** Adds a step's counts to the run (in the step's transaction) and to the in-memory copy. */
export async function addCounts(tx: EntityManager, job: SyncJob, c: Partial<PageCounts> & { pushed?: number }, pages = 0): Promise<void> {
  const r = job.run;
  r.pulled += c.pulled ?? 0;
  r.pushed += c.pushed ?? 0;
  r.merged += c.merged ?? 0;
  r.linked += c.linked ?? 0;
  r.deleted += c.deleted ?? 0;
  r.pages += pages;
  // Details are capped so a run with thousands of bad records stays a readable row.
  r.conflictDetails = [...r.conflictDetails, ...(c.conflicts ?? [])].slice(0, 200);
  r.conflicts += c.conflicts?.length ?? 0;
  r.recordErrors = [...r.recordErrors, ...(c.errors ?? [])].slice(0, 200);
  r.errors += c.errors?.length ?? 0;
  r.warnings = [...new Set([...r.warnings, ...(c.warnings ?? [])])].slice(0, 50);
  await tx.nativeUpdate(SyncRun, { id: r.id }, {
    pulled: r.pulled, pushed: r.pushed, merged: r.merged, linked: r.linked, deleted: r.deleted, pages: r.pages,
    conflicts: r.conflicts, conflictDetails: r.conflictDetails, errors: r.errors, recordErrors: r.recordErrors, warnings: r.warnings, phase: r.phase,
  });
}

async function applyPage(tx: EntityManager, job: SyncJob, records: RemoteRecord[]): Promise<PageCounts> {
  const { rule, run } = job;
  const object = rule.localObject;
  const ws = rule.workspace;
  const counts: PageCounts = { pulled: 0, merged: 0, linked: 0, deleted: 0, conflicts: [], errors: [], warnings: [] };
  // The last version of each record in the page (a feed may repeat a record it changed twice).
  const latest = new Map<string, RemoteRecord>();
  for (const r of records) latest.set(r.id, r);
  const links = await linksByRemote(tx, rule.id, [...latest.keys()]);
  const locals = await loadLocal(tx, object, ws, [...links.values()].map((l) => l.localId));
  // The links of the page's records are exactly those of its remote ids.
  if (run.mode === 'full') await markSeen(tx, rule.id, [...links.values()].map((l) => l.localId), run.id);

  const inserts: Array<{ id: string; values: Record<string, unknown> }> = [];
  const updates: Array<{ id: string; values: Record<string, unknown> }> = [];
  const linkWrites: LinkWrite[] = [];
  const deletes: string[] = [];
  const before = new Map<string, LocalRecord>();

  for (const rec of latest.values()) {
    const link = links.get(rec.id);
    const local = link ? locals.get(link.localId) : undefined;
    if (rec.deleted) {
      if (link && local && !link.remoteDeletedAt) deletes.push(link.localId);
      continue;
    }
    // Timestamp cursors overlap: a record already applied at this modification time is skipped.
    if (link && !link.remoteDeletedAt && link.remoteUpdatedAt && link.remoteUpdatedAt.getTime() === new Date(rec.updatedAt).getTime()) continue;
    const mapped = mapIn(object, job.adapter, rule.mapping, rec.fields, link?.snapshot.m ?? null);
    counts.warnings.push(...mapped.mismatches);
    const checked = validateValues(object, pick(mapped.values, job.inbound));
    if (checked.problems.length) {
      const message = `${job.provider.definition.displayName} ${rule.remoteObject} ${rec.id}: ${checked.problems.join('; ')}`;
      if (checked.fatal) {
        counts.errors.push({ side: 'local', recordId: rec.id, message });
        continue;
      }
      counts.warnings.push(message);
    }
    const remoteNow = checked.values;
    counts.pulled++;
    if (!link || !local) {
      const id = randomUUID();
      inserts.push({ id, values: withDefaults(object, remoteNow) });
      linkWrites.push({ localId: id, remoteId: rec.id, snapshot: { v: remoteNow, m: mapped.meta }, remoteUpdatedAt: rec.updatedAt });
      counts.linked++;
      continue;
    }
    const snapshot = { v: remoteNow, m: mapped.meta };
    if (local.deleted) {
      // Deleted here: the push deletes it at the provider; only the link moves on.
      linkWrites.push({ localId: local.id, remoteId: rec.id, snapshot: { v: link.snapshot.v, m: mapped.meta }, remoteUpdatedAt: rec.updatedAt, localAhead: true });
      continue;
    }
    const localNow = fieldsOf(object, local.view);
    const d = decideFields({
      inbound: job.inbound,
      twoWay: job.twoWay,
      base: link.snapshot.v,
      local: localNow,
      remote: remoteNow,
      localAt: local.updatedAt,
      remoteAt: new Date(rec.updatedAt),
      graceMs: job.graceMs,
    });
    if (d.merged) counts.merged++;
    const after = { ...localNow, ...d.applyRemote };
    const name = typeof after.title === 'string' ? after.title : typeof after.name === 'string' ? after.name : null;
    for (const c of d.conflicts) {
      counts.conflicts.push({ localId: local.id, remoteId: rec.id, name, ...c, localAt: local.updatedAt.toISOString(), remoteAt: new Date(rec.updatedAt).toISOString() });
    }
    if (Object.keys(d.applyRemote).length) {
      before.set(local.id, local);
      updates.push({ id: local.id, values: { ...localNow, ...d.applyRemote } });
    }
    linkWrites.push({ localId: local.id, remoteId: rec.id, snapshot, remoteUpdatedAt: rec.updatedAt, localAhead: d.keptLocal.length > 0 });
  }

  const changes: RecordChange[] = [];
  // A quiet first import emits no per-record events: nothing needs the inserted rows back.
  for (const after of await insertLocal(tx, object, ws, inserts, !job.quiet)) changes.push({ kind: 'added', after });
  for (const after of await updateLocal(tx, object, ws, updates)) changes.push({ kind: 'updated', before: before.get(after.id)!, after });
  await upsertLinks(tx, rule.id, linkWrites, run.mode === 'full' ? run.id : null);
  const removed = await applyRemoteDeletionPolicy(tx, job, deletes);
  counts.deleted += removed.count;
  changes.push(...removed.changes);
  if (!job.quiet) await recordSyncEvents(tx, object, ws, { connectionId: job.connection.id, syncRuleId: rule.id }, changes);
  return counts;
}

/** A remote delete under the rule's policy: mark (default), propagate or ignore. The link remembers it either way. */
export async function applyRemoteDeletionPolicy(tx: EntityManager, job: SyncJob, localIds: string[]): Promise<{ count: number; changes: RecordChange[] }> {
  if (!localIds.length) return { count: 0, changes: [] };
  await markRemoteDeleted(tx, job.rule.id, localIds);
  if (job.rule.deletePolicy === 'ignore') return { count: localIds.length, changes: [] };
  const rows = await applyRemoteDeletes(tx, job.rule.localObject, job.rule.workspace, localIds, job.rule.deletePolicy);
  // A mark changes no synced field: it shows on the record (removedRemotelyAt), not as an event.
  return { count: rows.length, changes: job.rule.deletePolicy === 'propagate' ? rows.map((after) => ({ kind: 'deleted' as const, after })) : [] };
}

function pick(values: Record<string, unknown>, fields: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(fields.filter((f) => f in values).map((f) => [f, values[f]]));
}
