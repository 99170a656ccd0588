import type { EntityManager } from '@mikro-orm/postgresql';
import type { z } from 'zod';
import { currentContext, correlationId } from '../context.ts';
import { DomainEvent } from '../entities/domain-event.ts';
import { AppError } from '../errors.ts';
import { enqueue } from '../jobs/enqueue.ts';
import { eventCatalog, type EventDataInput, type EventSnapshotInput, type EventType, type RecordedEvent } from './catalog/index.ts';
import type { EventTypeDefinition } from './catalog/define.ts';
import { toRecordedEvent } from './stored.ts';

export type EventInput<T extends EventType> = {
  workspaceId: string;
  type: T;
  entityId: string;
  snapshot: EventSnapshotInput<T>;
  data: EventDataInput<T>;
};

/** Zod issues as the error's details: where and why, never the values (snapshots may be large). */
function issuesOf(part: 'snapshot' | 'data', error: z.ZodError) {
  return error.issues.map((i) => ({ path: [part, ...i.path.map(String)].join('.'), message: i.message }));
}

/**
 * Writes a domain event in the caller's transaction and makes sure that transaction queues one
 * dispatcher job (keyed by txid, so a page of hundreds of changes still queues one job).
 * The snapshot and data are parsed by the catalog first: an event that does not match its
 * schema throws `event_invalid` and writes nothing. What is stored is the parsed value
 * (unknown keys stripped, defaults filled), so subscribers and customers see the declared shape.
 * Must be called inside `em.transactional`: an event outside a transaction could be lost or
 * outlive a rolled-back change.
 */
export async function recordEvent<T extends EventType>(em: EntityManager, input: EventInput<T>): Promise<RecordedEvent<T>> {
  const [event] = await recordEvents(em, [input]);
  return event as RecordedEvent<T>;
}

/** Parses one input by its catalog entry; `event_invalid` (nothing written) when it does not match. */
function parseInput(input: EventInput<EventType>) {
  const def: EventTypeDefinition | undefined = Object.hasOwn(eventCatalog, input.type) ? eventCatalog[input.type] : undefined;
  if (!def) throw new AppError('event_invalid', `Unknown event type '${String(input.type)}': declare it in src/events/catalog/.`, { details: { type: input.type } });
  const snapshot = def.snapshot.safeParse(input.snapshot);
  const data = def.data.safeParse(input.data);
  if (!snapshot.success || !data.success) {
    const details = [...(snapshot.success ? [] : issuesOf('snapshot', snapshot.error)), ...(data.success ? [] : issuesOf('data', data.error))];
    throw new AppError('event_invalid', `Event '${def.type}' does not match its schema: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}.`, {
      details: { type: def.type, issues: details },
    });
  }
  return { def, snapshot: snapshot.data as Record<string, unknown>, data: data.data as Record<string, unknown> };
}

/**
 * Several events of one transaction at once (a sync page's per-record events): every input is
 * parsed before anything is written, then all rows go in one flush and one dispatcher job is
 * queued — the same outcome as recording them one by one, at a fraction of the round trips.
 */
export async function recordEvents(em: EntityManager, inputs: ReadonlyArray<EventInput<EventType>>): Promise<RecordedEvent[]> {
  if (!em.isInTransaction()) throw new AppError('internal_error', 'recordEvent must run inside em.transactional');
  if (!inputs.length) return [];
  const parsed = inputs.map(parseInput);
  const [row] = await em.execute<Array<{ txid: string }>>('select txid_current()::text as txid');
  const txid = row!.txid;
  const actor = currentContext()?.actor;
  const events = parsed.map(({ def, snapshot, data }, i) =>
    em.create(DomainEvent, {
      workspace: inputs[i]!.workspaceId,
      type: def.type,
      version: def.version,
      entityType: def.entityType,
      entityId: inputs[i]!.entityId,
      snapshot,
      data,
      traceId: correlationId(),
      actorMemberId: actor?.memberId ?? null,
      via: actor?.via ?? 'system',
      txid,
    }),
  );
  await em.flush();
  await enqueue(em, 'dispatch_events', { txid }, { jobKey: `dispatch_events:${txid}`, jobKeyMode: 'preserve_run_at' });
  // Parsed above: each is the declared shape of its type.
  return events.map((e) => toRecordedEvent(e));
}
