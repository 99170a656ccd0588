import { listWebhooks } from '../../../webhooks/endpoints.ts';
import { defineRoute } from '../../route.ts';
import { webhookListSchema } from './schemas.ts';

export default defineRoute({
  method: 'get',
  path: '/webhooks',
  operationId: 'listWebhooks',
  summary: "The workspace's webhook endpoints, oldest first (never their secrets)",
  tag: 'Webhooks',
  permission: 'webhooks.manage',
  responses: { 200: { description: 'The endpoints', schema: webhookListSchema } },
  async handler({ rt, auth }) {
    return { status: 200, body: { data: await listWebhooks(rt, { workspaceId: auth.workspaceId, member: auth.member }) } };
  },
});
