import type { IDomainEvent } from '../entities/domain-event.ts';
import { AppError } from '../errors.ts';
import { eventCatalog, isEventType, type RecordedEvent } from './catalog/index.ts';
import type { EventTypeDefinition } from './catalog/define.ts';

/**
 * Reads a stored event through the catalog, so whoever consumes it (subscribers, alert posts)
 * gets the declared types without casts. Rows were checked when recorded; one that no longer
 * parses means a schema changed without a migration of old rows: `event_invalid`, not retried.
 */
export function toRecordedEvent(row: IDomainEvent): RecordedEvent {
  if (!isEventType(row.type)) {
    throw new AppError('event_invalid', `Stored event ${row.id} has unknown type '${row.type}'.`, { details: { eventId: row.id, type: row.type } });
  }
  const def: EventTypeDefinition = eventCatalog[row.type];
  const snapshot = def.snapshot.safeParse(row.snapshot);
  const data = def.data.safeParse(row.data ?? {});
  if (!snapshot.success || !data.success) {
    const issues = [...(snapshot.success ? [] : snapshot.error.issues), ...(data.success ? [] : data.error.issues)].map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new AppError('event_invalid', `Stored event ${row.id} (${row.type}) does not match its schema: ${issues.join('; ')}.`, {
      details: { eventId: row.id, type: row.type, issues },
    });
  }
  // The cast is what the parse above proves: this type's snapshot and data.
  return {
    id: row.id,
    workspaceId: row.workspace,
    type: row.type,
    version: row.version,
    entityType: def.entityType,
    entityId: row.entityId,
    snapshot: snapshot.data,
    data: data.data,
    traceId: row.traceId,
    actorMemberId: row.actorMemberId ?? null,
    via: row.via,
    txid: row.txid,
    createdAt: row.createdAt,
  } as RecordedEvent;
}
