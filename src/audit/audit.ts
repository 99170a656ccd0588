/** The audit log: who did what, through what, with what outcome — refusals included. */
import type { EntityManager } from '@mikro-orm/postgresql';
import { currentContext, correlationId } from '../context.ts';
import { AuditLog, type Outcome } from '../entities/audit-log.ts';
import type { Runtime } from '../runtime.ts';

export type AuditEntry = {
  workspaceId: string;
  action: string;
  targetType: string;
  targetId?: string | null;
  outcome: Outcome;
  /** Never credentials: only ids, names and reasons. */
  details?: Record<string, unknown>;
};

/** Writes an entry on the given entity manager (inside the change's transaction when there is one). */
export async function writeAudit(em: EntityManager, entry: AuditEntry, opts: { flush?: boolean } = {}): Promise<void> {
  const actor = currentContext()?.actor;
  em.create(AuditLog, {
    workspace: entry.workspaceId,
    actorMemberId: actor?.memberId ?? null,
    actorExternalId: actor?.externalId ?? null,
    via: actor?.via ?? 'system',
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId ?? null,
    outcome: entry.outcome,
    details: entry.details ?? null,
    correlationId: correlationId(),
  });
  if (opts.flush !== false) await em.flush();
}

/** Records a refused or failed action in its own transaction (the action's own was rolled back). */
export async function auditOutsideTransaction(rt: Runtime, entry: AuditEntry): Promise<void> {
  try {
    await writeAudit(rt.em(), entry);
  } catch (err) {
    rt.logger.error({ err, action: entry.action }, 'could not write audit entry');
  }
}
