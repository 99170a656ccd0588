/**
 * Repeated identical refusals are audited once per window with a count, so a flood cannot fill
 * the audit log. Two ways in:
 * - refusals already counted by a throttle (wrong link codes, requests past a rate limit): the
 *   first of the window writes the entry and remembers its id on the window's counter row
 *   (src/db/counters.ts); later ones only raise `details.count` on that entry;
 * - refusals nothing else counts (permission refusals): one upsert on the entry's `dedupe_key`,
 *   the refusal's identity plus its window, so the first inserts and repeats — concurrent ones
 *   too — raise the count of that one entry.
 */
import { createHash } from 'node:crypto';
import { correlationId, currentContext } from '../context.ts';
import type { Queryable } from '../db/counters.ts';
import type { Runtime } from '../runtime.ts';
import type { AuditEntry } from './audit.ts';

export type RepeatedRefusal = {
  /** The counter whose window groups the refusals (its row keeps the entry's id). */
  counterKey: string;
  /** Which refusal of the window this is: 1 writes the entry, more update its count. */
  occurrence: number;
  /** The entry (its details gain `count`); read only for the first occurrence. Null: nothing to audit. */
  entry: () => Promise<(Omit<AuditEntry, 'workspaceId'> & { workspaceId: string | null; actorMemberId?: string }) | null>;
  /** Extra details recomputed on every occurrence (e.g. how many were throttled). */
  extra?: Record<string, number>;
};

/** Never throws: an audit failure is logged, and the refusal still stands. */
export async function auditRepeatedRefusal(rt: Runtime, r: RepeatedRefusal): Promise<void> {
  try {
    if (r.occurrence <= 1) await writeFirst(rt.db.pool, r);
    else await raiseCount(rt.db.pool, r);
  } catch (err) {
    rt.logger.error({ err, counter: r.counterKey.split(':').slice(0, 2).join(':') }, 'could not write the audit entry of a repeated refusal');
  }
}

async function writeFirst(db: Queryable, r: RepeatedRefusal): Promise<void> {
  const entry = await r.entry();
  if (!entry) return;
  const actor = currentContext()?.actor;
  const details = { ...entry.details, ...r.extra, count: r.occurrence };
  // One statement: the entry, and its id on the counter row, so later refusals find it.
  await db.query(
    `with a as (
       insert into audit_logs (workspace_id, actor_member_id, actor_external_id, via, action, target_type, target_id, outcome, details, correlation_id, created_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, now()) returning id
     )
     update rate_limit_counters set ref = (select id from a) where key = $11`,
    [
      entry.workspaceId,
      entry.actorMemberId ?? actor?.memberId ?? null,
      actor?.externalId ?? null,
      actor?.via ?? 'system',
      entry.action,
      entry.targetType,
      entry.targetId ?? null,
      entry.outcome,
      JSON.stringify(details),
      correlationId(),
      r.counterKey,
    ],
  );
}

async function raiseCount(db: Queryable, r: RepeatedRefusal): Promise<void> {
  const patch = { ...r.extra, count: r.occurrence };
  // `greatest`: concurrent refusals may finish out of order; the count only grows.
  await db.query(
    `update audit_logs a
        set details = coalesce(a.details, '{}'::jsonb) || $2::jsonb
                      || jsonb_build_object('count', greatest(coalesce((a.details->>'count')::int, 0), $3::int), 'lastAt', now())
       from rate_limit_counters c
      where c.key = $1 and a.id = c.ref`,
    [r.counterKey, JSON.stringify(patch), r.occurrence],
  );
}

/**
 * Identical permission refusals share one entry per this many seconds. A minute: a script
 * hammering a forbidden route writes at most one entry a minute per route, and the log still
 * shows when the refusals went on (each entry's time, its `count` and `lastAt`).
 */
export const REFUSAL_WINDOW_SECONDS = 60;

export type CountedRefusal = Omit<AuditEntry, 'outcome' | 'details'> & {
  details: Record<string, unknown> & { reason: string };
};

/**
 * Audits a refusal once per window: repeats with the same workspace, actor (member or chat
 * identity), via, action, target, reason and other details within REFUSAL_WINDOW_SECONDS only
 * raise the first entry's `details.count` and set its `lastAt`; the first keeps its correlation
 * id. All the details count (the role refused, the provider asked for): what the entry says
 * stays true of every refusal it counts.
 * One statement either way. Never throws: an audit failure is logged, and the refusal still stands.
 */
export async function auditRefusalPerWindow(rt: Runtime, r: CountedRefusal, windowSeconds = REFUSAL_WINDOW_SECONDS): Promise<void> {
  const actor = currentContext()?.actor;
  const row = [
    r.workspaceId,
    actor?.memberId ?? null,
    actor?.externalId ?? null,
    actor?.via ?? 'system',
    r.action,
    r.targetType,
    r.targetId ?? null,
  ] as const;
  // A hash: the identity may hold chat ids and free text, and the column is a short key.
  const identity = createHash('sha256').update(JSON.stringify([...row, r.details])).digest('hex');
  try {
    await rt.db.pool.query(
      `insert into audit_logs as a (workspace_id, actor_member_id, actor_external_id, via, action, target_type, target_id, outcome, details, correlation_id, created_at, dedupe_key)
       values ($1, $2, $3, $4, $5, $6, $7, 'refused', $8::jsonb, $9, now(),
               'refusal:' || $10::text || ':' || floor(extract(epoch from now()) / $11::int)::bigint::text)
       on conflict (dedupe_key) do update
         set details = coalesce(a.details, '{}'::jsonb)
                       || jsonb_build_object('count', coalesce((a.details->>'count')::int, 1) + 1, 'lastAt', now())`,
      [...row, JSON.stringify({ ...r.details, count: 1 }), correlationId(), identity, windowSeconds],
    );
  } catch (err) {
    rt.logger.error({ err, action: r.action }, 'could not write the audit entry of a refusal');
  }
}
