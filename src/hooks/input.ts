/** What the admin API and chat may send to create or change a custom inbound hook. */
import { z } from 'zod';
import { HOOK_STATUSES } from '../entities/inbound-hook.ts';

export const hookName = z.string().trim().min(1).max(100);

/**
 * A secret the caller brings (the sender generated it): Standard Webhooks' `whsec_` + base64 of
 * 24 to 64 bytes. `true` asks Patchbay to generate one (shown once in the answer).
 */
export const hookSecretInput = z.union([
  z.literal(true),
  z
    .string()
    .trim()
    .regex(/^whsec_[A-Za-z0-9+/]{32,88}={0,2}$/, { error: 'must be a Standard Webhooks secret: whsec_ followed by base64 of 24 to 64 bytes' }),
]);

export const createHookInput = z.strictObject({
  name: hookName.describe('Unique in the workspace'),
  secret: hookSecretInput
    .optional()
    .describe('`true`: generate a signing secret (shown once); a `whsec_…` string: use that one; absent: unsigned bodies are accepted'),
});
export type CreateHookInput = z.output<typeof createHookInput>;

export const updateHookInput = z.strictObject({
  name: hookName.optional(),
  status: z.enum(HOOK_STATUSES).optional().describe('`disabled`: the URL answers 404 until enabled again'),
  secret: hookSecretInput
    .nullable()
    .optional()
    .describe('`true`: a new generated secret (shown once); a `whsec_…` string: that one; `null`: no signature required any more'),
});
export type UpdateHookInput = z.output<typeof updateHookInput>;

export const messagesQueryInput = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
});
