import { ConnectionService } from '../../../connections/service.ts';
import { defineRoute } from '../../route.ts';
import { idParams } from '../../schemas.ts';
import { connectionSchema } from './schemas.ts';

export default defineRoute({
  method: 'get',
  path: '/connections/:id',
  operationId: 'getConnection',
  summary: 'One connection',
  tag: 'Connections',
  permission: 'connections.read',
  params: idParams,
  responses: { 200: { description: 'The connection', schema: connectionSchema } },
  async handler({ rt, auth, params }) {
    return { status: 200, body: await new ConnectionService(rt).get({ workspaceId: auth.workspaceId, member: auth.member }, params.id) };
  },
});
