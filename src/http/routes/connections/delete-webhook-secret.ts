import { removeAdminSecret } from '../../../inbound/admin-secrets.ts';
import { notFound } from '../../../errors.ts';
import { defineRoute } from '../../route.ts';
import { idParams } from '../../schemas.ts';

export default defineRoute({
  method: 'delete',
  path: '/connections/:id/webhook-secret',
  operationId: 'deleteConnectionWebhookSecret',
  summary: "Remove the connection's stored webhook secret: its deliveries are refused from then on",
  tag: 'Connections',
  permission: 'connections.webhook_secret',
  params: idParams,
  responses: { 204: { description: 'Removed' } },
  async handler({ rt, auth, params }) {
    if (!(await removeAdminSecret(rt, auth.workspaceId, params.id))) throw notFound('Webhook secret of connection', params.id);
    return { status: 204 };
  },
});
