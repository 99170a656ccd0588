import { ConnectionService } from '../../../connections/service.ts';
import { defineRoute } from '../../route.ts';
import { idParams, z } from '../../schemas.ts';
import { connectionResult } from './schemas.ts';

export default defineRoute({
  method: 'post',
  path: '/connections/:id/disconnect',
  operationId: 'disconnectConnection',
  summary: 'Disconnect: revoke at the provider where possible, delete the credentials, keep the history',
  tag: 'Connections',
  permission: 'connections.disconnect',
  params: idParams,
  errors: ['invalid_transition'],
  responses: {
    200: {
      description: 'Disconnected',
      schema: connectionResult({
        revoke: z.enum(['revoked', 'not_supported', 'failed']),
        note: z.string().openapi({ example: 'Linear personal API keys cannot be revoked through the API; the key was deleted from Patchbay. Delete it in Linear too.' }),
      }),
    },
  },
  async handler({ rt, auth, params }) {
    const result = await new ConnectionService(rt).disconnect({ workspaceId: auth.workspaceId, member: auth.member }, params.id);
    return { status: 200, body: result };
  },
});
