import { ConnectionService } from '../../../connections/service.ts';
import { defineRoute } from '../../route.ts';
import { idParams, z } from '../../schemas.ts';
import { accountSchema, connectionResult, credentialFieldsSchema } from './schemas.ts';

export default defineRoute({
  method: 'post',
  path: '/connections/:id/reconnect',
  operationId: 'reconnectConnection',
  summary: 'Re-authorize a typed-credentials connection in place (same id, history kept)',
  tag: 'Connections',
  permission: 'connections.reconnect',
  params: idParams,
  body: z.strictObject({ credentials: credentialFieldsSchema }),
  errors: ['invalid_transition', 'provider_not_configured', 'provider_auth_failed', 'rate_limited', 'provider_error'],
  responses: { 200: { description: 'Reconnected', schema: connectionResult({ account: accountSchema }) } },
  async handler({ rt, auth, params, body }) {
    const { connection, account } = await new ConnectionService(rt).reconnectWithCredentials(
      { workspaceId: auth.workspaceId, member: auth.member },
      params.id,
      body.credentials,
    );
    return { status: 200, body: { connection, account: { id: account.accountId, name: account.accountName } } };
  },
});
