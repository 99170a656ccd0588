/** Schemas of the custom inbound hook endpoints, with examples of a monitoring service's hook. */
import { HOOK_STATUSES } from '../../../entities/inbound-hook.ts';
import { createHookInput, messagesQueryInput, updateHookInput } from '../../../hooks/input.ts';
import { EX } from '../../examples.ts';
import { idParamsOf, z } from '../../schemas.ts';

export const HOOK_ID = '8b1f2c3d-4e5f-4a6b-9c7d-0e1f2a3b4c5d';
export const hookParams = idParamsOf(HOOK_ID);

const exampleHook = {
  id: HOOK_ID,
  name: 'Uptime monitor',
  status: 'active',
  urlPreview: 'https://patchbay.acme.example/hooks/hk_Q3vX…',
  tokenPrefix: 'hk_Q3vX',
  hasSecret: true,
  receivedCount: 42,
  lastReceivedAt: '2026-11-29T10:00:00.412Z',
  createdBy: EX.memberId,
  createdAt: EX.createdAt,
  updatedAt: EX.updatedAt,
};

const hookShape = {
  id: z.uuid(),
  name: z.string(),
  status: z.enum(HOOK_STATUSES).openapi({ description: '`active` accepts bodies; `disabled` answers 404 like an unknown URL' }),
  urlPreview: z.string().openapi({ description: 'The URL with its token cut to the prefix: the full URL is shown once, at creation or rotation' }),
  tokenPrefix: z.string(),
  hasSecret: z.boolean().openapi({ description: 'Whether bodies must be signed (Standard Webhooks headers)' }),
  receivedCount: z.number().int(),
  lastReceivedAt: z.iso.datetime().nullable(),
  createdBy: z.uuid().nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
};

export const hookSchema = z.object(hookShape).openapi('Hook', { example: exampleHook });
export const hookListSchema = z.object({ data: z.array(hookSchema) }).openapi('HookList', { example: { data: [exampleHook] } });

const exampleUrl = 'https://patchbay.acme.example/hooks/hk_Q3vXb8Yw2kPq7RtLm0NcVd4ZsGh9JeUa1FoIyTx6Bn5';
const exampleSecret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw3Jv1pYQ7u0E=';

export const hookWithUrlSchema = z
  .object({
    ...hookShape,
    url: z.string().openapi({ description: 'The hook URL, token included: shown this once. Anyone holding it can post (and, without a secret, be believed).' }),
    secret: z.string().nullable().openapi({ description: 'A generated signing secret (`whsec_…`), shown this once; null when none was generated' }),
  })
  .openapi('HookWithUrl', { example: { ...exampleHook, url: exampleUrl, secret: exampleSecret } });

export const updatedHookSchema = z
  .object({ ...hookShape, secret: z.string().optional().openapi({ description: 'Only when `secret: true` generated one: shown this once' }) })
  .openapi('UpdatedHook', { example: exampleHook });

export const createHookBody = createHookInput.extend({}).openapi('CreateHook', { example: { name: 'Uptime monitor', secret: true } });
export const updateHookBody = updateHookInput.extend({}).openapi('UpdateHook', { example: { status: 'disabled' } });
export const messagesQuery = messagesQueryInput.extend({
  cursor: messagesQueryInput.shape.cursor.openapi({ description: 'The `nextCursor` of the previous page', example: 1042 }),
});

const exampleMessage = {
  id: '1207',
  receivedAt: '2026-11-29T10:00:00.412Z',
  contentType: 'application/json',
  size: 86,
  signatureVerified: true,
  webhookId: 'msg_2Kp9sQ1xZ',
  correlationId: 'c0ffee00-1234-4abc-9def-0123456789ab',
  payload: { monitor: 'api.acme.example', status: 'down', since: '2026-11-29T09:59:31Z' },
};

export const hookMessageSchema = z
  .object({
    id: z.string(),
    receivedAt: z.iso.datetime(),
    contentType: z.string().nullable(),
    size: z.number().int().openapi({ description: 'Bytes of the body as received' }),
    signatureVerified: z.boolean(),
    webhookId: z.string().nullable().openapi({ description: "The sender's `webhook-id`: a retry with the same one was not stored again" }),
    correlationId: z.string(),
    payload: z.unknown().openapi({ description: 'The JSON body as received' }),
  })
  .openapi('HookMessage', { example: exampleMessage });

export const hookMessagePageSchema = z
  .object({ data: z.array(hookMessageSchema), nextCursor: z.string().nullable().openapi({ description: 'Pass as `cursor` for the next page; null on the last page' }) })
  .openapi('HookMessagePage', { example: { data: [exampleMessage], nextCursor: null } });
