import { ConnectionService } from '../../../connections/service.ts';
import { defineRoute } from '../../route.ts';
import { idParams, z } from '../../schemas.ts';
import { accountSchema, connectionSchema, credentialFieldsSchema } from './schemas.ts';

export default defineRoute({
  method: 'post',
  path: '/connections/:id/reconnect',
  operationId: 'reconnectConnection',
  summary: 'Re-authorize a typed-credentials connection in place (same id, history kept)',
  tag: 'Connections',
  permission: 'connections.reconnect',
  params: idParams,
  body: z.strictObject({ credentials: credentialFieldsSchema }),
  responses: { 200: { description: 'Reconnected', schema: z.object({ connection: connectionSchema, account: accountSchema }) } },
  async handler({ rt, auth, params, body }) {
    const { connection, account } = await new ConnectionService(rt).reconnectWithCredentials(
      { workspaceId: auth.workspaceId, member: auth.member },
      params.id,
      body.credentials,
    );
    return { status: 200, body: { connection, account: { id: account.accountId, name: account.accountName } } };
  },
});
