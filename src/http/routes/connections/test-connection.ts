import { ConnectionService } from '../../../connections/service.ts';
import { defineRoute } from '../../route.ts';
import { idParams, z } from '../../schemas.ts';
import { accountSchema, connectionResult } from './schemas.ts';

export default defineRoute({
  method: 'post',
  path: '/connections/:id/test',
  operationId: 'testConnection',
  summary: "Test a connection with the provider's cheapest who-am-I call",
  description: 'Always 200 when the test ran: `ok` says whether it passed. The result and latency are written to the connection log; an authentication failure moves the connection to `errored`.',
  tag: 'Connections',
  permission: 'connections.test',
  params: idParams,
  errors: ['invalid_transition'],
  responses: {
    200: {
      description: 'The test ran',
      schema: connectionResult({
        ok: z.boolean(),
        latencyMs: z.number().int().openapi({ example: 184 }),
        account: accountSchema.optional(),
        error: z
          .object({
            code: z.string().openapi({ example: 'provider_auth_failed' }),
            message: z.string().openapi({ example: 'Linear refused the API key. Reconnect with a new key.' }),
          })
          .optional()
          .openapi({ description: 'Why the test failed (only when `ok` is false)' }),
      }),
    },
  },
  async handler({ rt, auth, params }) {
    const { connection, ...outcome } = await new ConnectionService(rt).test({ workspaceId: auth.workspaceId, member: auth.member }, params.id);
    return { status: 200, body: { connection, ...outcome } };
  },
});
