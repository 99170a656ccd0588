import { ConnectionService } from '../../../connections/service.ts';
import { defineRoute } from '../../route.ts';
import { idParams, z } from '../../schemas.ts';
import { connectionResult } from './schemas.ts';

export default defineRoute({
  method: 'post',
  path: '/connections/:id/pause',
  operationId: 'pauseConnection',
  summary: 'Pause a connection (syncs and deliveries stop until resumed)',
  tag: 'Connections',
  permission: 'connections.pause',
  params: idParams,
  body: z.strictObject({ reason: z.string().max(500).optional().openapi({ example: 'Quarterly maintenance window' }) }).optional(),
  errors: ['invalid_transition'],
  responses: { 200: { description: 'Paused', schema: connectionResult({}) } },
  async handler({ rt, auth, params, body }) {
    const connection = await new ConnectionService(rt).pause({ workspaceId: auth.workspaceId, member: auth.member }, params.id, body?.reason);
    return { status: 200, body: { connection } };
  },
});
