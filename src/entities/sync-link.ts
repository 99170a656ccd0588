import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';
import { SyncRule } from './sync-rule.ts';

/**
 * A local record paired with a remote one under a rule, with the field values both sides held at
 * the last sync (the base of three-way conflict detection, and how the engine knows what a
 * provider already has, so a pulled change is never pushed back). A link without a remote id is a
 * create intent: written before the provider call, completed after it.
 * Written with set-based SQL by the engine (src/sync/links.ts); the entity documents the table.
 */
export const SyncLink = defineEntity({
  name: 'SyncLink',
  tableName: 'sync_links',
  uniques: [{ properties: ['rule', 'remoteId'] }],
  properties: {
    rule: () => p.manyToOne(SyncRule).primary().mapToPk().deleteRule('cascade'),
    localId: p.uuid().primary(),
    remoteId: p.string().nullable(),
    /** The create intent's key, the same on every retry (idempotency key or marker). */
    intentKey: p.string().nullable(),
    /** The mapped field values at the last sync, in local terms (plus the remote title form). */
    snapshot: p.json<Record<string, unknown>>(),
    remoteUpdatedAt: p.datetime().nullable(),
    /** The last full pull that saw the remote record (mark-and-sweep). */
    seenRunId: p.uuid().nullable(),
    remoteDeletedAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p.datetime().onCreate(() => new Date()),
  },
});
export type ISyncLink = InferEntity<typeof SyncLink>;
