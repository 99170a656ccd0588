import { ConnectionService } from '../../../connections/service.ts';
import { defineRoute } from '../../route.ts';
import { idParams, z } from '../../schemas.ts';
import { accountSchema, connectionSchema } from './schemas.ts';

export default defineRoute({
  method: 'post',
  path: '/connections/:id/test',
  operationId: 'testConnection',
  summary: "Test a connection with the provider's cheapest who-am-I call",
  description: 'Always 200 when the test ran: `ok` says whether it passed. The result and latency are written to the connection log; an authentication failure moves the connection to `errored`.',
  tag: 'Connections',
  permission: 'connections.test',
  params: idParams,
  responses: {
    200: {
      description: 'The test ran',
      schema: z.object({
        ok: z.boolean(),
        latencyMs: z.number().int(),
        account: accountSchema.optional(),
        error: z.object({ code: z.string(), message: z.string() }).optional(),
        connection: connectionSchema,
      }),
    },
  },
  async handler({ rt, auth, params }) {
    const result = await new ConnectionService(rt).test({ workspaceId: auth.workspaceId, member: auth.member }, params.id);
    return { status: 200, body: result };
  },
});
