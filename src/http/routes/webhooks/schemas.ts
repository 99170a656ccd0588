/** Schemas of the webhook endpoints, with examples of an endpoint that receives task events. */
import { WEBHOOK_SOURCES, WEBHOOK_STATUSES } from '../../../entities/webhook-endpoint.ts';
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
  source: 'api',
  status: 'active',
  statusReason: null,
  consecutiveFailures: 0,
  lastAttemptAt: '2026-11-29T10:00:00.412Z',
  lastStatusCode: 200,
  lastSuccessAt: '2026-11-29T10:00:00.412Z',
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
  source: z.enum(WEBHOOK_SOURCES).openapi({
    description: '`api`: created by an admin; `zapier`: a Zap\'s REST hook (POST /api/v1/zapier/hooks), removed when the Zap is turned off or its URL answers 410 Gone',
  }),
  status: z.enum(WEBHOOK_STATUSES).openapi({ description: '`active` receives deliveries; `paused` keeps them for later; `disabled` (410 Gone from the receiver) until enabled' }),
  statusReason: z.string().nullable(),
  consecutiveFailures: z.number().int().openapi({ description: 'Failed delivery attempts in a row since the last success' }),
  lastAttemptAt: z.iso.datetime().nullable().openapi({ description: 'The last delivery attempt (automatic, redelivery or test)' }),
  lastStatusCode: z.number().int().nullable().openapi({ description: "The receiver's HTTP status at the last attempt; null when it did not answer" }),
  lastSuccessAt: z.iso.datetime().nullable(),
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

export const DELIVERY_ID = '48213';
export const deliveryParams = webhookParams.extend({
  deliveryId: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).openapi({ description: 'A delivery id from the delivery log', example: Number(DELIVERY_ID) }),
});

const attemptExample = {
  id: '90211',
  trigger: 'retry',
  attemptedAt: '2026-11-29T10:00:00.412Z',
  statusCode: 200,
  durationMs: 87,
  response: '{"received":true}',
  error: null,
};

export const webhookAttemptSchema = z
  .object({
    id: z.string(),
    trigger: z.enum(['retry', 'manual', 'test']).openapi({ description: '`retry`: sent by Patchbay (first attempt and retries); `manual`: a redelivery; `test`: a test message' }),
    attemptedAt: z.iso.datetime(),
    statusCode: z.number().int().nullable().openapi({ description: "The receiver's HTTP status; null when there was no answer" }),
    durationMs: z.number().int(),
    response: z.string().nullable().openapi({ description: 'The first 1 KB of the response body' }),
    error: z.string().nullable().openapi({ description: 'Why the attempt failed without an answer (timeout, connection refused, refused by the egress guard), or that a redirect was not followed' }),
  })
  .openapi('WebhookAttempt', { example: attemptExample });

const deliveryExample = {
  id: DELIVERY_ID,
  messageId: 'msg_7f3a9c21d4e84b0f9a6e2c5d1b8f3e70',
  endpointId: WEBHOOK_ID,
  eventId: '913',
  eventType: 'task_added',
  status: 'delivered',
  attempts: 1,
  nextAttemptAt: null,
  lastStatusCode: 200,
  lastError: null,
  deliveredAt: '2026-11-29T10:00:00.499Z',
  createdAt: '2026-11-29T10:00:00.401Z',
  attemptLog: [attemptExample],
};

export const webhookDeliverySchema = z
  .object({
    id: z.string(),
    messageId: z.string().openapi({ description: 'The `webhook-id` header: the same on every attempt and redelivery, so receivers can de-duplicate' }),
    endpointId: z.uuid(),
    eventId: z.string().nullable().openapi({ description: 'The event (GET /api/v1/events); null for test messages' }),
    eventType: z.string(),
    status: z.enum(['pending', 'delivered', 'failed', 'refused']).openapi({
      description: '`pending`: waiting for an attempt or a retry (kept while the endpoint is paused); `delivered`; `failed`: given up (endpoint disabled) or a failed test; `refused`: never sent (payload over 256 KB)',
    }),
    attempts: z.number().int().openapi({ description: 'Automatic attempts so far (at most 11: the first and 10 retries)' }),
    nextAttemptAt: z.iso.datetime().nullable().openapi({ description: 'When a pending delivery is retried; null when it waits behind another or for the endpoint to be enabled' }),
    lastStatusCode: z.number().int().nullable(),
    lastError: z.string().nullable(),
    deliveredAt: z.iso.datetime().nullable(),
    createdAt: z.iso.datetime(),
    attemptLog: z.array(webhookAttemptSchema).openapi({ description: 'The attempts, oldest first (the last 20)' }),
  })
  .openapi('WebhookDelivery', { example: deliveryExample });

export const deliveryPageSchema = z
  .object({ data: z.array(webhookDeliverySchema), nextCursor: z.string().nullable().openapi({ description: 'Pass as `cursor` for the next page; null on the last page' }) })
  .openapi('WebhookDeliveryPage', { example: { data: [deliveryExample], nextCursor: null } });

export const manualAttemptSchema = z
  .object({
    ok: z.boolean().openapi({ description: 'The endpoint answered 2xx' }),
    outcome: z.string().openapi({ description: '`HTTP 200`, `HTTP 503`, or why there was no answer', example: 'HTTP 200' }),
    attempt: webhookAttemptSchema,
    delivery: webhookDeliverySchema,
  })
  .openapi('WebhookAttemptOutcome', { example: { ok: true, outcome: 'HTTP 200', attempt: { ...attemptExample, trigger: 'manual' }, delivery: deliveryExample } });
