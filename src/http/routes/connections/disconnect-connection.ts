import { ConnectionService } from '../../../connections/service.ts';
import { defineRoute } from '../../route.ts';
import { idParams, z } from '../../schemas.ts';
import { connectionSchema } from './schemas.ts';

export default defineRoute({
  method: 'post',
  path: '/connections/:id/disconnect',
  operationId: 'disconnectConnection',
  summary: 'Disconnect: revoke at the provider where possible, delete the credentials, keep the history',
  tag: 'Connections',
  permission: 'connections.disconnect',
  params: idParams,
  responses: {
    200: {
      description: 'Disconnected',
      schema: z.object({ connection: connectionSchema, revoke: z.enum(['revoked', 'not_supported', 'failed']), note: z.string() }),
    },
  },
  async handler({ rt, auth, params }) {
    const result = await new ConnectionService(rt).disconnect({ workspaceId: auth.workspaceId, member: auth.member }, params.id);
    return { status: 200, body: result };
  },
});
