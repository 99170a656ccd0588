/** Sync runs as the API, events and chat show them. */
import type { EntityManager } from '@mikro-orm/postgresql';
import { SyncRun, type ISyncRun } from '../entities/sync-run.ts';
import type { SyncRunSnapshot } from '../events/catalog/sync.ts';
import { getProvider, hasProvider } from '../providers/registry.ts';
import type { LocalObject, SyncDirection } from './types.ts';

export function syncRunView(r: ISyncRun): SyncRunSnapshot {
  return {
    id: r.id,
    connectionId: r.connection,
    ruleId: r.rule ?? null,
    provider: r.providerSlug,
    object: r.localObject as LocalObject,
    direction: r.direction as SyncDirection,
    trigger: r.trigger,
    mode: r.mode === 'full' ? 'full' : 'incremental',
    status: r.status,
    counts: { pulled: r.pulled, pushed: r.pushed, merged: r.merged, linked: r.linked, deleted: r.deleted, conflicts: r.conflicts, errors: r.errors },
    error: r.errorCode ? { code: r.errorCode, message: r.errorMessage ?? '' } : null,
    correlationId: r.correlationId,
    startedAt: r.startedAt?.toISOString() ?? null,
    finishedAt: r.finishedAt?.toISOString() ?? null,
  };
}

/** The API's run: the public snapshot plus what a troubleshooter needs (record errors, conflicts, warnings). */
export function syncRunDetail(r: ISyncRun) {
  return { ...syncRunView(r), recordErrors: r.recordErrors, conflicts: r.conflictDetails, warnings: r.warnings };
}

/** A connection's runs, newest first, keyset-paged by (createdAt, id). */
export async function listSyncRuns(em: EntityManager, workspaceId: string, connectionId: string, o: { limit: number; ruleId?: string; before?: { createdAt: Date; id: string } }): Promise<ISyncRun[]> {
  const where: Record<string, unknown> = { workspace: workspaceId, connection: connectionId };
  if (o.ruleId) where.rule = o.ruleId;
  if (o.before) where.$or = [{ createdAt: { $lt: o.before.createdAt } }, { createdAt: o.before.createdAt, id: { $lt: o.before.id } }];
  return await em.find(SyncRun, where, { orderBy: { createdAt: 'desc', id: 'desc' }, limit: o.limit + 1 });
}

const OBJECT_LABEL = { tasks: 'tasks', contacts: 'contacts', calendar_events: 'calendar events' } as const;

/** "Patchbay Sandbox tasks", for messages about a run. */
export function runSubject(r: Pick<ISyncRun, 'localObject' | 'providerSlug'>): string {
  const name = hasProvider(r.providerSlug) ? getProvider(r.providerSlug).definition.displayName : r.providerSlug;
  return `${name} ${OBJECT_LABEL[r.localObject as keyof typeof OBJECT_LABEL] ?? r.localObject}`;
}

/** "Patchbay Sandbox tasks: 12 pulled, 3 pushed, 1 merged, 0 conflicts, 0 errors". */
export function summaryText(r: ISyncRun): string {
  const parts = [`${r.pulled} pulled`, `${r.pushed} pushed`];
  if (r.merged) parts.push(`${r.merged} merged`);
  if (r.linked) parts.push(`${r.linked} linked`);
  if (r.deleted) parts.push(`${r.deleted} deleted`);
  parts.push(`${r.conflicts} conflict${r.conflicts === 1 ? '' : 's'}`, `${r.errors} error${r.errors === 1 ? '' : 's'}`);
  return `${runSubject(r)}: ${parts.join(', ')}`;
}
