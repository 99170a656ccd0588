import { getWebhook } from '../../../webhooks/endpoints.ts';
import { defineRoute } from '../../route.ts';
import { webhookParams, webhookSchema } from './schemas.ts';

export default defineRoute({
  method: 'get',
  path: '/webhooks/:id',
  operationId: 'getWebhook',
  summary: 'One webhook endpoint (never its secret)',
  tag: 'Webhooks',
  permission: 'webhooks.manage',
  params: webhookParams,
  responses: { 200: { description: 'The endpoint', schema: webhookSchema } },
  async handler({ rt, auth, params }) {
    return { status: 200, body: await getWebhook(rt, { workspaceId: auth.workspaceId, member: auth.member }, params.id) };
  },
});
