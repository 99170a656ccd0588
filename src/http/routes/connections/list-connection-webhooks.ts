import { listConnectionWebhooks } from '../../../inbound/admin-secrets.ts';
import { PROVIDER_WEBHOOK_STATUSES } from '../../../entities/provider-webhook.ts';
import { EX } from '../../examples.ts';
import { defineRoute } from '../../route.ts';
import { idParams, z } from '../../schemas.ts';

const webhookSchema = z
  .object({
    id: z.uuid().openapi({ example: 'e1c7a9f2-4b3d-4e6a-8c5f-0d2b7e9a1c34' }),
    resource: z.string().openapi({ example: 'acme/api', description: 'What it watches (a repository, team, board, project), or `admin` for a secret an Admin stored' }),
    origin: z.enum(['registered', 'admin']).openapi({ description: '`registered` by Patchbay for a realtime rule, or configured at the provider by an `admin`' }),
    status: z.enum(PROVIDER_WEBHOOK_STATUSES),
    expiresAt: z.iso.datetime().nullable().openapi({ example: EX.later }),
    lastReceivedAt: z.iso.datetime().nullable().openapi({ example: EX.updatedAt }),
    error: z.string().nullable().openapi({ example: 'GitHub answered HTTP 404 (the connected user is not an admin of acme/api).' }),
    createdAt: z.iso.datetime().openapi({ example: EX.createdAt }),
    updatedAt: z.iso.datetime().openapi({ example: EX.updatedAt }),
  })
  .openapi('ProviderWebhook');

export default defineRoute({
  method: 'get',
  path: '/connections/:id/webhooks',
  operationId: 'listConnectionWebhooks',
  summary: "The connection's provider webhooks and the URL the provider sends to (never a secret)",
  tag: 'Connections',
  permission: 'connections.read',
  params: idParams,
  responses: {
    200: {
      description: "The connection's provider webhooks",
      schema: z.object({
        provider: z.string().openapi({ example: 'jira' }),
        receivingUrl: z.url().nullable().openapi({ example: `https://patchbay.example.com/webhooks/jira/${EX.connectionId}`, description: 'Where the provider must send; null when Patchbay takes no webhooks from it' }),
        secretSource: z.enum(['registration', 'admin', 'app', 'credential']).nullable().openapi({ description: 'Where the verifying secret comes from; `admin`: store it with PUT /connections/{id}/webhook-secret' }),
        setup: z.string().nullable().openapi({ example: 'Jira signs only the webhooks a Jira admin creates, so this one is set up by hand: …' }),
        data: z.array(webhookSchema),
      }),
    },
  },
  async handler({ rt, auth, params }) {
    const { webhooks, ...rest } = await listConnectionWebhooks(rt, auth.workspaceId, params.id);
    return { status: 200, body: { ...rest, data: webhooks } };
  },
});
