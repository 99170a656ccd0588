import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';

/**
 * One remote record staged for a rule's initial match (src/sync/initial-match.ts): its match key
 * and mapped values, and the local record it pairs with once resolved. A batch is a rule (the
 * match of its first run) or a preview; rows are deleted when the batch is done.
 * Written with set-based SQL; the entity documents the table.
 */
export const SyncMatchKey = defineEntity({
  name: 'SyncMatchKey',
  tableName: 'sync_match_keys',
  indexes: [{ properties: ['batchId', 'key'] }],
  properties: {
    batchId: p.uuid().primary(),
    remoteId: p.string().primary(),
    /** Email, title + due date, title + start: null when the record has none. */
    key: p.text().nullable(),
    /** The paired local record (a stored link found first, or a unique key match). */
    localId: p.uuid().nullable(),
    /** The remote's values in local terms, every mapped field. */
    values: p.json<Record<string, unknown>>(),
    meta: p.json<Record<string, unknown>>(),
    /** The remote's modification time: the later write wins where a matched pair differs. */
    remoteUpdatedAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type ISyncMatchKey = InferEntity<typeof SyncMatchKey>;
