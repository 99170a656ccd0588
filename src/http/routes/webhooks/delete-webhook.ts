import { deleteWebhook } from '../../../webhooks/endpoints.ts';
import { defineRoute } from '../../route.ts';
import { webhookParams } from './schemas.ts';

export default defineRoute({
  method: 'delete',
  path: '/webhooks/:id',
  operationId: 'deleteWebhook',
  summary: 'Delete a webhook endpoint',
  tag: 'Webhooks',
  permission: 'webhooks.manage',
  params: webhookParams,
  responses: { 204: { description: 'Deleted' } },
  async handler({ rt, auth, params }) {
    await deleteWebhook(rt, { workspaceId: auth.workspaceId, member: auth.member }, params.id);
    return { status: 204 };
  },
});
