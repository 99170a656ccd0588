/** What a sync rule is made and changed with (validated at the API; checked against the adapter in rules.ts). */
import { z } from 'zod';
import { DELETE_POLICIES, SYNC_FREQUENCIES } from '../entities/sync-rule.ts';
import { LOCAL_OBJECTS, mappingEntrySchema, SYNC_DIRECTIONS } from './types.ts';

/** Polling faster than every 30 s buys little and spends the provider's rate limit. */
export const MIN_INTERVAL_SECONDS = 30;
export const MAX_INTERVAL_SECONDS = 86_400;

const fields = {
  direction: z.enum(SYNC_DIRECTIONS).describe('Which way records flow: `in` (provider → Patchbay), `out`, or `both`'),
  scope: z
    .record(z.string().min(1).max(100), z.string().min(1).max(500))
    .refine((s) => Object.keys(s).length <= 5, { error: 'at most 5 scope keys' })
    .describe("The provider's scope filter, e.g. `{ \"project\": \"1207\" }`, as the object declares it"),
  frequency: z.enum(SYNC_FREQUENCIES).describe('`interval`: poll every `intervalSeconds`; `realtime`: provider webhooks (until they are wired, polls every 5 minutes)'),
  intervalSeconds: z
    .number()
    .int()
    .min(MIN_INTERVAL_SECONDS, { error: `must be at least ${MIN_INTERVAL_SECONDS} seconds (from ${MIN_INTERVAL_SECONDS} to ${MAX_INTERVAL_SECONDS}): polling faster only spends the provider's rate limit` })
    .max(MAX_INTERVAL_SECONDS, { error: `must be at most ${MAX_INTERVAL_SECONDS} seconds (one day)` })
    .describe('Seconds between polls for `interval` rules (30–86400)'),
  deletePolicy: z.enum(DELETE_POLICIES).describe('What a delete at the provider does here: `mark` the record removed remotely, `propagate` the delete, or `ignore` it'),
  mapping: z.array(mappingEntrySchema).min(1, { error: 'needs at least one field' }).max(50, { error: 'at most 50 fields' }).describe('Field mapping, one entry per local field'),
  enabled: z.boolean().describe('Disabled rules are not scheduled and cannot be run'),
};

export const createRuleInput = z.strictObject({
  remoteObject: z.string().min(1).max(100).describe('The provider object, as the catalog lists it (one with `sync: true`)'),
  localObject: z.enum(LOCAL_OBJECTS).optional().describe("Patchbay's object; defaults to the one the provider object pairs with"),
  direction: fields.direction.default('both'),
  scope: fields.scope.default({}),
  frequency: fields.frequency.default('interval'),
  intervalSeconds: fields.intervalSeconds.default(300),
  deletePolicy: fields.deletePolicy.default('mark'),
  mapping: fields.mapping.optional().describe('Field mapping; defaults to the suggested pairs with confidence ≥ 0.6'),
  enabled: fields.enabled.default(true),
});
export type CreateRuleInput = z.output<typeof createRuleInput>;

export const updateRuleInput = z.strictObject({
  direction: fields.direction.optional(),
  scope: fields.scope.optional(),
  frequency: fields.frequency.optional(),
  intervalSeconds: fields.intervalSeconds.optional(),
  deletePolicy: fields.deletePolicy.optional(),
  mapping: fields.mapping.optional(),
  enabled: fields.enabled.optional(),
});
export type UpdateRuleInput = z.output<typeof updateRuleInput>;
