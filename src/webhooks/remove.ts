/**
 * Removing an endpoint that Patchbay does not own: a Zap's REST hook (`source = 'zapier'`). Zapier's
 * convention is that a hook belongs to the Zap — turning the Zap off unsubscribes it, and a 410 Gone
 * from its hook URL means the Zap (or its hook) no longer exists — so such an endpoint is deleted,
 * not disabled as an admin's endpoint is: nobody would ever enable it again. Its pending deliveries
 * (and delivery log) go with it; the `webhook_removed` event, an audit entry and a log line say so.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { writeAudit } from '../audit/audit.ts';
import { recordEvent } from '../events/record.ts';
import type { Logger } from '../logger.ts';
import { pendingCount, webhookSnapshot } from './drain.ts';

export type RemoveReason = {
  /** `zapier`: the Zap unsubscribed; `auto`: the hook URL answered 410 Gone. */
  by: 'zapier' | 'auto';
  reason: string;
  lastStatusCode: number | null;
};

/**
 * Deletes the endpoint in the caller's transaction (the row must be locked by it already, or be
 * locked here), after recording the event with its snapshot as it was. Null when it was already gone.
 */
export async function removeEndpoint(tx: EntityManager, endpointId: string, why: RemoveReason, logger: Logger): Promise<{ droppedDeliveries: number } | null> {
  const [ep] = await tx.execute<Array<{ workspace_id: string; name: string; source: string }>>(
    'select workspace_id, name, source from webhook_endpoints where id = ? for update',
    [endpointId],
  );
  if (!ep) return null;
  const snapshot = await webhookSnapshot(tx, endpointId);
  const droppedDeliveries = await pendingCount(tx, endpointId);
  // Deliveries and attempts cascade with the endpoint.
  await tx.execute('delete from webhook_endpoints where id = ?', [endpointId]);
  await recordEvent(tx, {
    workspaceId: ep.workspace_id,
    type: 'webhook_removed',
    entityId: endpointId,
    snapshot,
    data: { reason: why.reason, by: why.by, lastStatusCode: why.lastStatusCode, droppedDeliveries },
  });
  await writeAudit(tx, {
    workspaceId: ep.workspace_id,
    action: 'webhook.delete',
    targetType: 'webhook',
    targetId: endpointId,
    outcome: 'success',
    details: { name: ep.name, source: ep.source, by: why.by, reason: why.reason, droppedDeliveries },
  });
  logger.info({ endpointId, workspaceId: ep.workspace_id, source: ep.source, by: why.by, droppedDeliveries }, `webhook endpoint removed: ${why.reason}`);
  return { droppedDeliveries };
}

/** The reason a 410 gives a Zapier endpoint. */
export const GONE_REASON = "Removed: the Zap's hook URL answered 410 Gone (the Zap was turned off or deleted)";
