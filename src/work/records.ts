/**
 * What every work-data object does the same way: find a live record (locked, for a write), read
 * one as the API shows it, and soft-delete it with its `<object>_deleted` event in one
 * transaction. Each object module binds these to its entity, view and event type.
 */
import { LockMode, type EntityManager, type EntityName, type FilterQuery } from '@mikro-orm/postgresql';
import { notFound } from '../errors.ts';
import type { EventType } from '../events/catalog/index.ts';
import { recordEvent } from '../events/record.ts';
import type { WorkWriter } from './common.ts';

type WorkRow = { id: string; deletedAt?: Date | null; updatedAt: Date };

export function workRecords<E extends WorkRow, S>(entity: EntityName<E>, label: string, view: (row: E) => S, deletedEvent: EventType) {
  const live = (workspaceId: string, id: string) => ({ id, workspace: workspaceId, deletedAt: null }) as unknown as FilterQuery<E>;
  async function lockLive(tx: EntityManager, w: WorkWriter, id: string): Promise<E> {
    // Locked so two concurrent writes cannot both read the old values and both emit a change.
    const row = await tx.findOne(entity, live(w.workspaceId, id), { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!row) throw notFound(label, id);
    return row as E;
  }
  return {
    lockLive,
    async get(em: EntityManager, workspaceId: string, id: string): Promise<S> {
      const row = await em.findOne(entity, live(workspaceId, id));
      if (!row) throw notFound(label, id);
      return view(row as E);
    },
    /** Soft delete: the row stays with `deletedAt` (and a new `updatedAt`) so a sync sees the delete. */
    async softDelete(em: EntityManager, w: WorkWriter, id: string): Promise<void> {
      await em.transactional(async (tx) => {
        const row = await lockLive(tx, w, id);
        const now = new Date();
        row.deletedAt = now;
        row.updatedAt = now;
        await tx.flush();
        // The catalog types each family's snapshot; here the family is a parameter, so one cast at this edge.
        await recordEvent(tx, { workspaceId: w.workspaceId, type: deletedEvent, entityId: id, snapshot: view(row) as never, data: { origin: w.origin ?? null } as never });
      });
    },
  };
}
