import { ConnectionService } from '../../../connections/service.ts';
import { defineRoute } from '../../route.ts';
import { idParams, z } from '../../schemas.ts';
import { connectionResult, displayNameSchema } from './schemas.ts';

export default defineRoute({
  method: 'patch',
  path: '/connections/:id',
  operationId: 'renameConnection',
  summary: 'Rename a connection',
  tag: 'Connections',
  permission: 'connections.rename',
  params: idParams,
  body: z.strictObject({ displayName: displayNameSchema }),
  errors: ['conflict', 'invalid_transition'],
  responses: { 200: { description: 'Renamed', schema: connectionResult({}) } },
  async handler({ rt, auth, params, body }) {
    const connection = await new ConnectionService(rt).rename({ workspaceId: auth.workspaceId, member: auth.member }, params.id, body.displayName);
    return { status: 200, body: { connection } };
  },
});
