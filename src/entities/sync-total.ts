import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';

/**
 * Monotonic sync counters by provider (runs by outcome, records, conflicts), kept in Postgres so
 * `/metrics` on the server shows what the workers did, whatever process ran the sync.
 */
export const SyncTotal = defineEntity({
  name: 'SyncTotal',
  tableName: 'sync_totals',
  properties: {
    providerSlug: p.string().primary(),
    metric: p.string().primary(),
    value: p.bigint('number').default(0),
  },
});
export type ISyncTotal = InferEntity<typeof SyncTotal>;
