import { ConnectionService } from '../../../connections/service.ts';
import { defineRoute } from '../../route.ts';
import { idParams, z } from '../../schemas.ts';
import { connectionResult } from './schemas.ts';

export default defineRoute({
  method: 'post',
  path: '/connections/:id/resume',
  operationId: 'resumeConnection',
  summary: 'Resume a paused connection',
  description: "Resuming a connection paused by a provider's rate limit before its window ends is allowed; the response carries a warning.",
  tag: 'Connections',
  permission: 'connections.resume',
  params: idParams,
  errors: ['invalid_transition'],
  responses: {
    200: {
      description: 'Resumed',
      schema: connectionResult({
        warning: z.string().optional().openapi({ example: 'Linear asked to wait until 16:14 UTC; requests may be refused again until then.' }),
      }),
    },
  },
  async handler({ rt, auth, params }) {
    const result = await new ConnectionService(rt).resume({ workspaceId: auth.workspaceId, member: auth.member }, params.id);
    return { status: 200, body: result };
  },
});
