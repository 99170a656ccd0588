/**
 * Outbound webhook endpoint events: an endpoint stopped receiving (auto-paused after failing too
 * often, paused by an admin, or disabled by a 410 Gone), was enabled again, or — a Zap's REST hook
 * — was removed (the Zap was turned off, or its hook URL answered 410 Gone). Delivered like any
 * other event to the workspace's other endpoints, and alerted in chat (`alerts here webhooks`).
 */
import { z } from 'zod';
import { WEBHOOK_SOURCES, WEBHOOK_STATUSES } from '../../entities/webhook-endpoint.ts';
import { byType, eventFamily } from './define.ts';

const isoTime = () => z.iso.datetime().describe('ISO 8601 timestamp, UTC');

/** An endpoint as the API shows it (never its secrets or authorization value). */
export const webhookSnapshot = z
  .object({
    id: z.uuid(),
    name: z.string(),
    url: z.string().describe("The endpoint's origin (scheme, host and port): its path and query can carry a token, so they are never published"),
    eventTypes: z.union([z.literal('all'), z.array(z.string())]),
    source: z.enum(WEBHOOK_SOURCES).default('api').describe('`api`: created by an admin; `zapier`: a Zap\'s REST hook'),
    status: z.enum(WEBHOOK_STATUSES),
    statusReason: z.string().nullable(),
    consecutiveFailures: z.number().int().describe('Failed attempts in a row since the last success'),
    createdAt: isoTime(),
    updatedAt: isoTime(),
  })
  .describe('WebhookEndpoint');
export type WebhookSnapshot = z.output<typeof webhookSnapshot>;

const exampleWebhook = {
  id: '5d2c9e7a-3b4f-4c1d-8e6f-0a9b8c7d6e5f',
  name: 'Billing sync',
  url: 'https://hooks.example.com',
  eventTypes: ['task_added', 'task_updated'],
  source: 'api',
  status: 'paused',
  statusReason: 'Paused after 11 failed attempts in a row (last: HTTP 503)',
  consecutiveFailures: 11,
  createdAt: '2026-11-20T14:03:11.000Z',
  updatedAt: '2026-11-29T09:12:04.511Z',
} satisfies z.input<typeof webhookSnapshot>;

const stopData = z.object({
  reason: z.string().describe('Why, in words'),
  by: z.enum(['auto', 'member']).describe('auto: Patchbay stopped it after failures or a 410; member: an admin did'),
  lastStatusCode: z.number().int().nullable().describe('The HTTP status of the last failed attempt; null for no answer (timeout, refused)'),
  lastError: z.string().nullable(),
  pendingDeliveries: z.number().int().describe('Events kept for this endpoint, delivered once it is enabled'),
});

const webhookEvent = eventFamily('webhook', webhookSnapshot);

export const webhookEvents = byType([
  webhookEvent('webhook_paused', {
    version: 1,
    description:
      'An endpoint was paused: it failed more than 10 times in a row, or an admin paused it. No attempts are made; its events are kept and delivered, oldest first, once it is enabled.',
    data: stopData,
    example: {
      entityId: exampleWebhook.id,
      snapshot: exampleWebhook,
      data: { reason: exampleWebhook.statusReason, by: 'auto', lastStatusCode: 503, lastError: null, pendingDeliveries: 37 },
    },
  }),
  webhookEvent('webhook_disabled', {
    version: 1,
    description: 'An endpoint was disabled: it answered 410 Gone (the receiver says it is gone for good). Only an explicit enable revives it; its pending events are dropped.',
    data: stopData,
    example: {
      entityId: exampleWebhook.id,
      snapshot: { ...exampleWebhook, status: 'disabled', statusReason: 'Disabled: the endpoint answered 410 Gone' },
      data: { reason: 'Disabled: the endpoint answered 410 Gone', by: 'auto', lastStatusCode: 410, lastError: null, pendingDeliveries: 0 },
    },
  }),
  webhookEvent('webhook_removed', {
    version: 1,
    description:
      "A Zap's REST hook endpoint was removed: the Zap was turned off (Zapier unsubscribed), or Zapier's hook URL answered 410 Gone. Its pending deliveries were dropped with it; the snapshot is the endpoint as it was.",
    data: z.object({
      reason: z.string().describe('Why, in words'),
      by: z.enum(['zapier', 'auto']).describe('zapier: the Zap unsubscribed; auto: the hook URL answered 410 Gone'),
      lastStatusCode: z.number().int().nullable().describe('410 when the hook URL said it is gone; null on unsubscribe'),
      droppedDeliveries: z.number().int().describe('Pending deliveries dropped with the endpoint'),
    }),
    example: {
      entityId: exampleWebhook.id,
      snapshot: { ...exampleWebhook, name: 'Zapier: task_added (8e1f0c2a)', url: 'https://hooks.zapier.com', eventTypes: ['task_added'], source: 'zapier', status: 'active', statusReason: null, consecutiveFailures: 1 },
      data: { reason: 'Removed: the Zap\'s hook URL answered 410 Gone', by: 'auto', lastStatusCode: 410, droppedDeliveries: 0 },
    },
  }),
  webhookEvent('webhook_enabled', {
    version: 1,
    description: 'A paused or disabled endpoint was enabled again; kept events are delivered, oldest first.',
    data: z.object({
      previousStatus: z.enum(WEBHOOK_STATUSES),
      pendingDeliveries: z.number().int().describe('Kept events now being delivered'),
    }),
    example: {
      entityId: exampleWebhook.id,
      snapshot: { ...exampleWebhook, status: 'active', statusReason: null, consecutiveFailures: 0 },
      data: { previousStatus: 'paused', pendingDeliveries: 37 },
    },
  }),
]);
