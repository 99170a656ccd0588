import { updateWebhook } from '../../../webhooks/endpoints.ts';
import { defineRoute } from '../../route.ts';
import { updateWebhookBody, webhookParams, webhookSchema } from './schemas.ts';

export default defineRoute({
  method: 'patch',
  path: '/webhooks/:id',
  operationId: 'updateWebhook',
  summary: 'Change some fields of a webhook endpoint',
  description:
    'Only the given fields change. A new `url` passes the same checks as at creation. `authorization: null` removes the header. `status: "paused"` holds deliveries; `status: "active"` enables the endpoint again (also after it was paused or disabled by failures) and resets its failure count. The signing secret changes only through `rotate-secret`.',
  tag: 'Webhooks',
  permission: 'webhooks.manage',
  params: webhookParams,
  body: updateWebhookBody,
  errors: ['conflict'],
  responses: { 200: { description: 'The endpoint after the change', schema: webhookSchema } },
  async handler({ rt, auth, params, body }) {
    return { status: 200, body: await updateWebhook(rt, { workspaceId: auth.workspaceId, member: auth.member }, params.id, body) };
  },
});
