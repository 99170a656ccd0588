/**
 * Push: local changes to the provider. The first push scans every local record once; after that
 * it follows the change log (change-log.ts). What a provider already has is in the link's
 * snapshot, so a change that came from this connection's own pull has nothing to push (no
 * echoes), while other connections' rules see it as a change. A create is recorded as an intent
 * before the provider call and linked after it; an intent found unfinished is reconciled with
 * the same idempotency key (or the adapter's marker lookup), never created twice.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { SyncRule, type PushCursor } from '../entities/sync-rule.ts';
import { AppError } from '../errors.ts';
import { changesHeldBack, currentXmin, readChanges } from './change-log.ts';
import { same } from './conflicts.ts';
import type { SyncJob } from './job-context.ts';
import { linksByLocal, markRemoteDeleted, pendingIntents, upsertLinks, writeIntent, type Link } from './links.ts';
import { fieldsOf, loadLocal, scanUnsynced, type LocalRecord } from './local-store.ts';
import { mapIn, mapOut } from './mapping.ts';
import { addCounts } from './pull.ts';
import type { RecordError } from '../entities/sync-run.ts';

const HOLD_BACK_RETRIES = 15;
const HOLD_BACK_WAIT_MS = 200;

/** A provider refusal of one record (bad value, gone): the record is skipped and reported, the run goes on. */
function recordLevel(err: unknown): boolean {
  if (!(err instanceof AppError) || err.code !== 'provider_error') return false;
  const status = (err.details as { status?: number } | undefined)?.status;
  return typeof status === 'number' && status >= 400 && status < 500 && status !== 408 && status !== 429;
}

/** Handles one batch; `done` once the change log is drained. */
export async function pushBatch(job: SyncJob): Promise<{ done: boolean }> {
  const limit = job.rt.config.SYNC_PUSH_BATCH;
  const { rule } = job;
  let cursor: PushCursor = rule.pushCursor ?? { kind: 'scan', bound: await currentXmin(job.em), after: null };
  let records: LocalRecord[];
  let next: PushCursor;
  let done: boolean;
  if (cursor.kind === 'scan') {
    records = await scanUnsynced(job.em, rule.localObject, rule.workspace, rule.id, cursor.after, limit);
    done = false;
    next = records.length < limit ? { kind: 'log', xid: cursor.bound, seq: '0' } : { ...cursor, after: records.at(-1)!.id };
  } else {
    let changes = await readChanges(job.em, rule.workspace, rule.localObject, cursor, limit);
    // Committed changes behind a short transaction still open elsewhere: wait a moment for it
    // rather than leave them to the next run (a long one is left to it: nothing is ever skipped).
    for (let i = 0; changes.length < limit && i < HOLD_BACK_RETRIES && (await changesHeldBack(job.em, rule.workspace, rule.localObject)); i++) {
      await sleep(HOLD_BACK_WAIT_MS);
      changes = await readChanges(job.em, rule.workspace, rule.localObject, cursor, limit);
    }
    const ids = [...new Set(changes.map((c) => c.recordId))];
    const byId = await loadLocal(job.em, rule.localObject, rule.workspace, ids);
    records = ids.map((id) => byId.get(id)).filter((r): r is LocalRecord => Boolean(r));
    const last = changes.at(-1);
    next = last ? { kind: 'log', xid: last.xid, seq: last.seq } : cursor;
    done = changes.length < limit;
  }
  const links = await linksByLocal(job.em, rule.id, records.map((r) => r.id));
  for (const record of records) await pushRecord(job, record, links.get(record.id));
  await job.em.nativeUpdate(SyncRule, { id: rule.id }, { pushCursor: next });
  rule.pushCursor = next;
  cursor = next;
  return { done };
}

async function pushRecord(job: SyncJob, record: LocalRecord, link: Link | undefined): Promise<void> {
  try {
    if (!link) {
      // Never synced and already deleted here, or removed remotely by another rule: nothing to create.
      if (record.deleted || record.view.removedRemotelyAt) return;
      const key = randomUUID();
      if (!(await writeIntent(job.em, job.rule.id, record.id, key, { v: {}, m: {} }))) return;
      await completeCreate(job, record, key);
    } else if (link.remoteId === null) {
      await completeCreate(job, record, link.intentKey ?? randomUUID());
    } else if (link.remoteDeletedAt) {
      return;
    } else if (record.deleted) {
      const remoteId = link.remoteId;
      await job.call((ctx) => job.adapter.delete(ctx, remoteId, job.rule.scope));
      await job.em.transactional(async (tx) => {
        await markRemoteDeleted(tx, job.rule.id, [record.id]);
        await addCounts(tx, job, { pushed: 1, deleted: 1 });
      });
    } else {
      await pushUpdate(job, record, { ...link, remoteId: link.remoteId });
    }
  } catch (err) {
    if (!recordLevel(err)) throw err;
    const error: RecordError = { side: 'remote', recordId: record.id, message: (err as Error).message };
    await job.em.transactional((tx) => addCounts(tx, job, { errors: [error] }));
  }
}

async function pushUpdate(job: SyncJob, record: LocalRecord, link: Link & { remoteId: string }): Promise<void> {
  const { rule, adapter } = job;
  const local = fieldsOf(rule.localObject, record.view);
  const base = link.snapshot.v;
  const outFields = outboundFields(job);
  if (outFields.every((f) => same(local[f], base[f]))) return; // the provider has it already (no echo)
  const wanted = mapOut(rule.localObject, adapter, job.outbound, local, link.snapshot.m, base);
  const had = mapOut(rule.localObject, adapter, job.outbound, { ...local, ...base }, link.snapshot.m, base);
  const patch = Object.fromEntries(Object.entries(wanted).filter(([k, v]) => !same(v, had[k])));
  const v = { ...base, ...Object.fromEntries(outFields.map((f) => [f, local[f]])) };
  if (!Object.keys(patch).length) {
    await job.em.transactional((tx) => upsertLinks(tx, rule.id, [{ localId: record.id, remoteId: link.remoteId, snapshot: { v, m: link.snapshot.m }, remoteUpdatedAt: link.remoteUpdatedAt?.toISOString() ?? null }], null));
    return;
  }
  const remoteId = link.remoteId;
  const result = await job.call((ctx) => adapter.update(ctx, remoteId, patch, rule.scope));
  const meta = mapIn(rule.localObject, adapter, rule.mapping, result.fields, link.snapshot.m).meta;
  await job.em.transactional(async (tx) => {
    await upsertLinks(tx, rule.id, [{ localId: record.id, remoteId, snapshot: { v, m: meta }, remoteUpdatedAt: result.updatedAt }], null);
    await addCounts(tx, job, { pushed: 1 });
  });
}

/** The local fields this rule writes to the provider. */
function outboundFields(job: SyncJob): string[] {
  const fields = job.outbound.map((e) => e.local);
  if (job.outbound.some((e) => e.transform === 'title_minutes')) fields.push('scheduledMinutes');
  return [...new Set(fields)];
}

/**
 * Finishes a create intent: the record the key already made (marker lookup, or the provider's
 * idempotency replay), else a new one; then the link, in one transaction with the counts.
 */
async function completeCreate(job: SyncJob, record: LocalRecord, key: string): Promise<void> {
  const { rule, adapter } = job;
  const local = fieldsOf(rule.localObject, record.view);
  const found = adapter.findByMarker ? await job.call((ctx) => adapter.findByMarker!(ctx, key, rule.scope)) : null;
  const remote = found ?? (await job.call((ctx) => adapter.create(ctx, mapOut(rule.localObject, adapter, job.outbound, local, null, null), { idempotencyKey: key, scope: rule.scope })));
  const meta = mapIn(rule.localObject, adapter, rule.mapping, remote.fields, null).meta;
  const v = Object.fromEntries(outboundFields(job).map((f) => [f, local[f]]));
  await job.em.transactional(async (tx) => {
    await upsertLinks(tx, rule.id, [{ localId: record.id, remoteId: remote.id, snapshot: { v, m: meta }, remoteUpdatedAt: remote.updatedAt }], null);
    await addCounts(tx, job, { pushed: 1, linked: 1 });
  });
}

/** Create intents left unfinished by a stopped process, reconciled before the pull could see their records. */
export async function reconcileIntents(job: SyncJob): Promise<void> {
  for (;;) {
    const pending = await pendingIntents(job.em, job.rule.id, 50);
    if (!pending.length) return;
    const locals = await loadLocal(job.em, job.rule.localObject, job.rule.workspace, pending.map((p) => p.localId));
    for (const p of pending) {
      const record = locals.get(p.localId);
      if (!record) {
        await job.em.execute(`delete from "sync_links" where "rule_id" = ? and "local_id" = ?`, [job.rule.id, p.localId]);
        continue;
      }
      await pushRecord(job, record, p);
    }
    if (pending.length < 50) return;
  }
}
