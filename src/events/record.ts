import type { EntityManager } from '@mikro-orm/postgresql';
import { currentContext, correlationId } from '../context.ts';
import { DomainEvent, type IDomainEvent } from '../entities/domain-event.ts';
import { enqueue } from '../jobs/enqueue.ts';

export type EventInput = {
  workspaceId: string;
  /** `entity_action`, e.g. `connection_paused`. */
  type: string;
  entityType: string;
  entityId: string;
  snapshot: Record<string, unknown>;
  data?: Record<string, unknown>;
};

/**
 * Writes a domain event in the caller's transaction and makes sure that transaction queues one
 * dispatcher job (keyed by txid, so a page of hundreds of changes still queues one job).
 * Must be called inside `em.transactional`: an event outside a transaction could be lost or
 * outlive a rolled-back change.
 */
export async function recordEvent(em: EntityManager, input: EventInput): Promise<IDomainEvent> {
  if (!em.isInTransaction()) throw new Error('recordEvent must run inside em.transactional');
  const [row] = await em.execute<Array<{ txid: string }>>('select txid_current()::text as txid');
  const txid = row!.txid;
  const actor = currentContext()?.actor;
  const event = em.create(DomainEvent, {
    workspace: input.workspaceId,
    type: input.type,
    entityType: input.entityType,
    entityId: input.entityId,
    snapshot: input.snapshot,
    data: input.data ?? null,
    traceId: correlationId(),
    actorMemberId: actor?.memberId ?? null,
    via: actor?.via ?? 'system',
    txid,
  });
  await em.flush();
  await enqueue(em, 'dispatch_events', { txid }, { jobKey: `dispatch_events:${txid}`, jobKeyMode: 'preserve_run_at' });
  return event;
}
