import { createWebhook } from '../../../webhooks/endpoints.ts';
import { defineRoute } from '../../route.ts';
import { createWebhookBody, webhookWithSecretSchema } from './schemas.ts';

export default defineRoute({
  method: 'post',
  path: '/webhooks',
  operationId: 'createWebhook',
  summary: 'Create a webhook endpoint (the answer shows its signing secret, this once)',
  description:
    'The URL must be `https` in production and reach a public address (internal addresses such as 127.0.0.1, 10.0.0.0/8 or 169.254.169.254 are refused unless the operator admitted them). `eventTypes` are names from `GET /api/v1/webhooks/event-types`, or `"all"`. The optional `authorization` header is sent with every delivery; its value is stored encrypted and never shown again. Deliveries are signed per Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`) with the `secret` in the answer.',
  tag: 'Webhooks',
  permission: 'webhooks.manage',
  body: createWebhookBody,
  errors: ['conflict'],
  responses: { 201: { description: 'Created; `secret` is shown only here', schema: webhookWithSecretSchema } },
  async handler({ rt, auth, body }) {
    return { status: 201, body: await createWebhook(rt, { workspaceId: auth.workspaceId, member: auth.member }, body) };
  },
});
