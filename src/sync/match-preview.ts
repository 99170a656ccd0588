/**
 * The preview of a rule's first run: what its initial match (src/sync/initial-match.ts) would link
 * and what the run would create on each side, computed the same way in a throwaway batch.
 */
import { randomUUID } from 'node:crypto';
import { authorizeOrAudit } from '../access/authorize.ts';
import type { Caller } from '../connections/actor.ts';
import { findConnection } from '../connections/lifecycle.ts';
import { openSession } from '../connections/provider-session.ts';
import { SyncRule } from '../entities/sync-rule.ts';
import { AppError, notFound } from '../errors.ts';
import { getProvider } from '../providers/registry.ts';
import type { ConnectorContext } from '../providers/types.ts';
import type { Runtime } from '../runtime.ts';
import { batchCounts, clearBatch, KEY_FIELDS, MATCH_BY, needsMatch, readAll, resolveBatch, stagePage, type AmbiguousMatch } from './initial-match.ts';
import type { LocalObject, SyncDirection } from './types.ts';


export type MatchPreview = {
  ruleId: string;
  connectionId: string;
  localObject: LocalObject;
  remoteObject: string;
  direction: SyncDirection;
  /** False once the rule has run: its records are linked and nothing is matched again (all counts 0). */
  firstRun: boolean;
  /** What records are matched by. */
  matchBy: string;
  /** Pairs the first run links instead of duplicating. */
  link: number;
  /** Local records the first run creates at the provider (0 for an `in` rule). */
  createRemote: number;
  /** Provider records the first run creates here (0 for an `out` rule). */
  createLocal: number;
  /** Local records without a match (ambiguous ones included); created remotely unless the rule is `in`. */
  unmatchedLocal: number;
  /** Provider records without a match (ambiguous ones included); created here unless the rule is `out`. */
  unmatchedRemote: number;
  /** Keys with several candidates on a side (the first 20): listed, not linked. */
  ambiguous: AmbiguousMatch[];
  ambiguousCount: number;
  /** E.g. a mapping that does not map the key field, so nothing can match. */
  warnings: string[];
  /** "Will link 412, create 30 in HubSpot, create 12 here." */
  summary: string;
};

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export function previewSummary(p: Omit<MatchPreview, 'summary'>, providerName: string): string {
  if (!p.firstRun) return 'This rule has already run: its records are linked, and each run syncs what changed. The preview applies before a first run.';
  const parts = [`link ${p.link}`];
  if (p.direction !== 'in') parts.push(`create ${p.createRemote} in ${providerName}`);
  if (p.direction !== 'out') parts.push(`create ${p.createLocal} here`);
  let s = `Will ${parts.join(', ')}.`;
  if (p.direction === 'in' && p.unmatchedLocal) s += ` ${plural(p.unmatchedLocal, 'local record')} without a match stay${p.unmatchedLocal === 1 ? 's' : ''} here only (the rule only syncs in).`;
  if (p.direction === 'out' && p.unmatchedRemote) s += ` ${plural(p.unmatchedRemote, `${providerName} record`)} without a match stay${p.unmatchedRemote === 1 ? 's' : ''} there only (the rule only syncs out).`;
  if (p.ambiguousCount) s += ` ${plural(p.ambiguousCount, 'ambiguous match', 'ambiguous matches')} left unlinked (their records sync as new).`;
  return s;
}

/**
 * What the rule's first run would do with the records both sides already have: pairs it links,
 * records it creates on each side (by the rule's direction), ambiguous keys it leaves alone. Reads
 * the provider's whole feed (pages of `listChanged` from the start) into a throwaway batch, so it
 * takes as long as a full pull's reads; a rate limit answers 429 and pauses nothing.
 * `sync_rules.manage`, like the rule it previews (see the route).
 */
export async function previewRule(rt: Runtime, caller: Caller, connectionId: string, ruleId: string): Promise<MatchPreview> {
  await authorizeOrAudit(rt, { workspaceId: caller.workspaceId, role: caller.member.role, action: 'sync_rules.manage', targetType: 'sync_rule', targetId: ruleId, details: { connectionId, operation: 'preview' } });
  const em = rt.em();
  const conn = await findConnection(em, caller.workspaceId, connectionId);
  const rule = await em.findOne(SyncRule, { id: ruleId, workspace: caller.workspaceId, connection: connectionId });
  if (!rule) throw notFound('Sync rule', ruleId);
  const provider = getProvider(conn.providerSlug);
  const adapter = provider.adapters.find((a) => a.remoteObject === rule.remoteObject && a.localObject === rule.localObject);
  if (!adapter) throw new AppError('sync_mapping_mismatch', `${provider.definition.displayName} no longer syncs ${rule.remoteObject}; delete this rule.`);
  const base = { ruleId: rule.id, connectionId, localObject: rule.localObject, remoteObject: rule.remoteObject, direction: rule.direction, matchBy: MATCH_BY[rule.localObject] };
  const name = provider.definition.displayName;
  if (!needsMatch(rule)) {
    const p = { ...base, firstRun: false, link: 0, createRemote: 0, createLocal: 0, unmatchedLocal: 0, unmatchedRemote: 0, ambiguous: [], ambiguousCount: 0, warnings: [] };
    return { ...p, summary: previewSummary(p, name) };
  }
  if (conn.status !== 'connected') {
    throw new AppError('invalid_transition', `${conn.displayName} is ${conn.status}${conn.statusReason ? ` (${conn.statusReason})` : ''}: the preview reads ${name}, so resume or reconnect it first.`, {
      details: { connectionId, status: conn.status, operation: 'preview' },
    });
  }
  const inbound = new Set(readAll(rule).map((e) => e.local));
  const missing = KEY_FIELDS[rule.localObject].filter((f) => !inbound.has(f));
  const warnings = missing.length ? [`The mapping does not map ${missing.join(' and ')}: no ${rule.localObject.replace('_', ' ')} can be matched, so every record is created on the other side.`] : [];

  const session = await openSession(rt, caller.workspaceId, conn);
  const batchId = randomUUID();
  // Previews a crashed process left behind (its rows are useless after a day).
  await em.execute(`delete from "sync_match_keys" where "created_at" < now() - interval '1 day' and "batch_id" not in (select "id" from "sync_rules")`);
  try {
    let cursor: unknown = null;
    for (;;) {
      const from = cursor;
      const page = await session.call((ctx: ConnectorContext) => adapter.listChanged(ctx, { cursor: from, scope: rule.scope, pageSize: rt.config.SYNC_PAGE_SIZE }), { pauseOnRateLimit: false });
      await stagePage(em, batchId, rule, adapter, conn, page.records);
      cursor = page.cursor ?? null;
      if (!page.hasMore) break;
    }
    await resolveBatch(em, batchId, rule);
    const c = await batchCounts(em, batchId, rule);
    const unmatchedLocal = c.localTotal - c.link;
    const unmatchedRemote = c.remoteTotal - c.link;
    const p = {
      ...base,
      firstRun: true,
      link: c.link,
      createRemote: rule.direction === 'in' ? 0 : unmatchedLocal,
      createLocal: rule.direction === 'out' ? 0 : unmatchedRemote,
      unmatchedLocal,
      unmatchedRemote,
      ambiguous: c.ambiguous,
      ambiguousCount: c.ambiguousCount,
      warnings,
    };
    return { ...p, summary: previewSummary(p, name) };
  } finally {
    await clearBatch(em, batchId);
  }
}
