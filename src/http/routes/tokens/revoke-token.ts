import { writeAudit } from '../../../audit/audit.ts';
import { ApiToken } from '../../../entities/api-token.ts';
import { notFound } from '../../../errors.ts';
import { defineRoute } from '../../route.ts';
import { EX } from '../../examples.ts';
import { idParamsOf } from '../../schemas.ts';
import { tokenSchema, toToken } from './schemas.ts';

export default defineRoute({
  method: 'delete',
  path: '/tokens/:id',
  operationId: 'revokeToken',
  summary: 'Revoke an API token (it stops working at once)',
  tag: 'Tokens',
  permission: 'tokens.manage',
  params: idParamsOf(EX.tokenId),
  responses: { 200: { description: 'Revoked', schema: tokenSchema } },
  async handler({ rt, auth, params }) {
    return await rt.em().transactional(async (tx) => {
      const t = await tx.findOne(ApiToken, { id: params.id, workspace: auth.workspaceId });
      if (!t) throw notFound('API token', params.id);
      if (!t.revokedAt) {
        t.revokedAt = new Date();
        await tx.flush();
        await writeAudit(tx, { workspaceId: auth.workspaceId, action: 'token.revoke', targetType: 'api_token', targetId: t.id, outcome: 'success', details: { name: t.name } });
      }
      return { status: 200, body: toToken(t) };
    });
  },
});
