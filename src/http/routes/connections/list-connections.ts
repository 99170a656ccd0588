import { ConnectionService } from '../../../connections/service.ts';
import { CONNECTION_STATUSES } from '../../../entities/connection.ts';
import { defineRoute } from '../../route.ts';
import { z } from '../../schemas.ts';
import { connectionSchema } from './schemas.ts';

export default defineRoute({
  method: 'get',
  path: '/connections',
  operationId: 'listConnections',
  summary: "The workspace's connections (disconnected ones only when asked)",
  tag: 'Connections',
  permission: 'connections.read',
  query: z.object({
    status: z.enum(CONNECTION_STATUSES).optional(),
    provider: z.string().max(64).optional().openapi({ example: 'linear', description: 'Only connections to this provider (slug)' }),
    includeDisconnected: z.enum(['true', 'false']).optional(),
  }),
  responses: { 200: { description: 'Connections, by display name', schema: z.object({ data: z.array(connectionSchema) }) } },
  async handler({ rt, auth, query }) {
    const data = await new ConnectionService(rt).list(
      { workspaceId: auth.workspaceId, member: auth.member },
      { status: query.status, provider: query.provider, includeDisconnected: query.includeDisconnected === 'true' },
    );
    return { status: 200, body: { data } };
  },
});
