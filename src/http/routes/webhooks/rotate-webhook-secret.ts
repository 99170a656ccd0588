import { rotateWebhookSecret } from '../../../webhooks/endpoints.ts';
import { defineRoute } from '../../route.ts';
import { rotateSecretBody, webhookParams, webhookWithSecretSchema } from './schemas.ts';

export default defineRoute({
  method: 'post',
  path: '/webhooks/:id/rotate-secret',
  operationId: 'rotateWebhookSecret',
  summary: 'Replace the signing secret, keeping the previous one signing for an overlap window',
  description:
    'The answer shows the new secret, this once. For `overlapHours` (default 24, at most 168 = 7 days; 0 replaces at once) every delivery carries two signatures, one per secret, space-separated in `webhook-signature`, so receivers verify with either while they switch. Rotating again during an overlap drops the oldest secret.',
  tag: 'Webhooks',
  permission: 'webhooks.manage',
  params: webhookParams,
  body: rotateSecretBody,
  responses: { 200: { description: 'The endpoint with its new secret (shown only here)', schema: webhookWithSecretSchema } },
  async handler({ rt, auth, params, body }) {
    return { status: 200, body: await rotateWebhookSecret(rt, { workspaceId: auth.workspaceId, member: auth.member }, params.id, body) };
  },
});
