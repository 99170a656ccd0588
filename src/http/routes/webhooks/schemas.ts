/** Schemas of the webhook endpoints, with examples of an endpoint that receives task events. */
import { WEBHOOK_STATUSES } from '../../../entities/webhook-endpoint.ts';
import { EVENT_TYPES, type EventType } from '../../../events/catalog/index.ts';
import { createWebhookInput, rotateSecretInput, updateWebhookInput } from '../../../webhooks/input.ts';
import { EX } from '../../examples.ts';
import { idParamsOf, z } from '../../schemas.ts';

export const WEBHOOK_ID = '2c9e7a41-5b3d-4f86-a0e2-7d1c9b4f6a38';
export const webhookParams = idParamsOf(WEBHOOK_ID);

const exampleSecret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw3Jv1pYQ7u0E=';

export const exampleWebhook = {
  id: WEBHOOK_ID,
  name: 'Billing sync',
  url: 'https://hooks.acme.example/patchbay',
  eventTypes: ['task_added', 'task_updated', 'timetracking_added'],
  authorizationHeader: 'Authorization',
  hasAuthorization: true,
  status: 'active',
  statusReason: null,
  consecutiveFailures: 0,
  previousSecretExpiresAt: null,
  createdBy: EX.memberId,
  createdAt: EX.createdAt,
  updatedAt: EX.updatedAt,
};

const webhookShape = {
  id: z.uuid(),
  name: z.string(),
  url: z.string().openapi({ format: 'uri' }),
  eventTypes: z
    .union([z.literal('all'), z.array(z.enum(EVENT_TYPES as [EventType, ...EventType[]]))])
    .openapi({ description: 'The catalog event types this endpoint receives, or "all"' }),
  authorizationHeader: z.string().nullable().openapi({ description: 'Name of the header sent with every delivery; its value is never shown' }),
  hasAuthorization: z.boolean().openapi({ description: 'Whether an authorization header value is stored' }),
  status: z.enum(WEBHOOK_STATUSES).openapi({ description: '`active` receives deliveries; `paused` keeps them for later; `disabled` (410 Gone from the receiver) until enabled' }),
  statusReason: z.string().nullable(),
  consecutiveFailures: z.number().int().openapi({ description: 'Failed delivery attempts in a row since the last success' }),
  previousSecretExpiresAt: z.iso.datetime().nullable().openapi({ description: 'During a secret rotation: when the previous secret stops signing (until then deliveries carry two signatures)' }),
  createdBy: z.uuid().nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
};

export const webhookSchema = z.object(webhookShape).openapi('Webhook', { example: exampleWebhook });
export const webhookListSchema = z.object({ data: z.array(webhookSchema) }).openapi('WebhookList', { example: { data: [exampleWebhook] } });
export const webhookWithSecretSchema = z
  .object({
    ...webhookShape,
    secret: z.string().openapi({ description: 'The signing secret (`whsec_…`): shown this once. Verify deliveries with any Standard Webhooks library.' }),
  })
  .openapi('WebhookWithSecret', { example: { ...exampleWebhook, secret: exampleSecret } });

export const createWebhookBody = createWebhookInput.extend({}).openapi('CreateWebhook', {
  example: {
    name: 'Billing sync',
    url: 'https://hooks.acme.example/patchbay',
    eventTypes: ['task_added', 'task_updated', 'timetracking_added'],
    authorization: { header: 'Authorization', value: 'Bearer 3q2+7w==acme-hook-token' },
  },
});
export const updateWebhookBody = updateWebhookInput.extend({}).openapi('UpdateWebhook', { example: { eventTypes: 'all', status: 'active' } });
export const rotateSecretBody = rotateSecretInput.extend({}).openapi('RotateWebhookSecret', { example: { overlapHours: 24 } });

export const eventTypeSchema = z
  .object({
    type: z.string(),
    version: z.number().int(),
    entityType: z.string(),
    description: z.string(),
    schema: z.record(z.string(), z.unknown()).openapi({ description: 'JSON Schema (draft 2020-12) of the payload; receivers must accept fields added later' }),
    example: z.record(z.string(), z.unknown()),
  })
  .openapi('WebhookEventType');
