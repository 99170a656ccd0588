import { redeliver } from '../../../webhooks/deliveries.ts';
import { defineRoute } from '../../route.ts';
import { deliveryParams, manualAttemptSchema } from './schemas.ts';

export default defineRoute({
  method: 'post',
  path: '/webhooks/:id/deliveries/:deliveryId/redeliver',
  operationId: 'redeliverWebhookDelivery',
  summary: 'Send one delivery again now, with the same `webhook-id` and body',
  description:
    'One attempt, made while you wait; receivers that de-duplicate on `webhook-id` see the same message. A pending delivery that succeeds this way is marked delivered; a failed manual attempt leaves its retries as they were and does not count toward auto-pause.',
  tag: 'Webhooks',
  permission: 'webhooks.manage',
  params: deliveryParams,
  responses: { 200: { description: 'The outcome of the attempt', schema: manualAttemptSchema } },
  async handler({ rt, auth, params }) {
    return { status: 200, body: await redeliver(rt, { workspaceId: auth.workspaceId, member: auth.member }, params.id, params.deliveryId) };
  },
});
