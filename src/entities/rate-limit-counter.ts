import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';

/**
 * A fixed-window counter shared by every process (src/http/rate-limit.ts, src/audit/refusals.ts):
 * one row per key, reset in place when a new window starts, so a key costs one row however long
 * it is used. Rows of keys idle for a day are pruned by the retention job.
 */
export const RateLimitCounter = defineEntity({
  name: 'RateLimitCounter',
  tableName: 'rate_limit_counters',
  properties: {
    /** `api:token:<hash prefix>`, `api:ip:<address>`, `link:user:<platform>:<team>:<user>`, `audit:<hash>`, … */
    key: p.string().primary(),
    windowStart: p.datetime(),
    count: p.integer(),
    /** What the window's first hit created (the audit entry a repeated refusal updates). */
    ref: p.bigint('number').nullable(),
  },
});
export type IRateLimitCounter = InferEntity<typeof RateLimitCounter>;
