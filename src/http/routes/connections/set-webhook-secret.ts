import { adminSecretInput, setAdminSecret } from '../../../inbound/admin-secrets.ts';
import { defineRoute } from '../../route.ts';
import { idParams, z } from '../../schemas.ts';

export default defineRoute({
  method: 'put',
  path: '/connections/:id/webhook-secret',
  operationId: 'setConnectionWebhookSecret',
  summary: "Store the webhook secret the provider made (Jira admin webhooks): deliveries signed with it are accepted",
  description:
    'Only for providers whose webhook secret is made at the provider (see `secretSource` in `GET /connections/{id}/webhooks`); others answer 409 saying where their secret comes from. Replaces a stored secret; the secret is encrypted at rest and never returned.',
  tag: 'Connections',
  permission: 'connections.webhook_secret',
  params: idParams,
  body: z.strictObject({
    secret: adminSecretInput.openapi({ example: 'Jq7vT2xKp9RmW4sLc8Nd', description: 'The secret shown in (or typed into) the provider’s webhook settings' }),
  }),
  errors: ['invalid_transition'],
  responses: { 204: { description: 'Stored' } },
  async handler({ rt, auth, params, body }) {
    await setAdminSecret(rt, auth.workspaceId, params.id, body.secret);
    return { status: 204 };
  },
});
