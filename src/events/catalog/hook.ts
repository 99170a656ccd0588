/**
 * Custom inbound hook events: a hook accepted a body. The event carries what arrived (size,
 * content type, whether it was signed) but never the body itself: events are published to the
 * workspace's outbound webhooks and the events API, and a sender's body can hold anything
 * (customer data, its own tokens). The body is read from `GET /api/v1/hooks/{id}/messages`,
 * which the hook's permissions guard, and posted in chat only to channels that asked for it.
 */
import { z } from 'zod';
import { HOOK_STATUSES } from '../../entities/inbound-hook.ts';
import { byType, eventFamily } from './define.ts';

const isoTime = () => z.iso.datetime().describe('ISO 8601 timestamp, UTC');

/** A hook as the API shows it (never its token, only the prefix; never its secret). */
export const hookSnapshot = z
  .object({
    id: z.uuid(),
    name: z.string(),
    status: z.enum(HOOK_STATUSES),
    tokenPrefix: z.string().describe("The URL token's first characters, to tell hooks apart; the token itself is never published"),
    hasSecret: z.boolean().describe('Whether bodies must be signed (Standard Webhooks)'),
    receivedCount: z.number().int(),
    lastReceivedAt: isoTime().nullable(),
    createdAt: isoTime(),
  })
  .describe('InboundHook');
export type HookSnapshot = z.output<typeof hookSnapshot>;

const hookEvent = eventFamily('hook', hookSnapshot);

export const hookEvents = byType([
  hookEvent('hook_received', {
    version: 1,
    description:
      'A custom inbound hook accepted a JSON body (signed, when the hook has a secret). The body is not in the event: read it with GET /api/v1/hooks/{id}/messages.',
    data: z.object({
      messageId: z.string().describe('The stored message (GET /api/v1/hooks/{id}/messages)'),
      size: z.number().int().describe('Bytes of the body as received'),
      contentType: z.string().nullable(),
      signatureVerified: z.boolean(),
      webhookId: z.string().nullable().describe("The sender's `webhook-id`, when it sent one"),
    }),
    example: {
      entityId: '8b1f2c3d-4e5f-4a6b-9c7d-0e1f2a3b4c5d',
      snapshot: {
        id: '8b1f2c3d-4e5f-4a6b-9c7d-0e1f2a3b4c5d',
        name: 'Uptime monitor',
        status: 'active',
        tokenPrefix: 'hk_Q3vX',
        hasSecret: true,
        receivedCount: 42,
        lastReceivedAt: '2026-11-29T10:00:00.412Z',
        createdAt: '2026-11-20T14:03:11.000Z',
      },
      data: { messageId: '1207', size: 318, contentType: 'application/json', signatureVerified: true, webhookId: 'msg_2Kp9sQ1xZ' },
    },
  }),
]);
