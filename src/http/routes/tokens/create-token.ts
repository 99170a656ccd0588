import { mintToken } from '../../../access/api-tokens.ts';
import { writeAudit } from '../../../audit/audit.ts';
import { Member } from '../../../entities/member.ts';
import { notFound } from '../../../errors.ts';
import { defineRoute } from '../../route.ts';
import { EX } from '../../examples.ts';
import { z } from '../../schemas.ts';
import { tokenSchema, toToken } from './schemas.ts';

export default defineRoute({
  method: 'post',
  path: '/tokens',
  operationId: 'createToken',
  summary: 'Mint an API token for a member (the secret is in this response only)',
  tag: 'Tokens',
  permission: 'tokens.manage',
  body: z.strictObject({
    name: z.string().trim().min(1).max(80).openapi({ example: 'CI deploys' }),
    memberId: z.uuid().optional().openapi({ description: 'Defaults to the caller', example: EX.memberId }),
  }),
  errors: ['not_found'],
  responses: {
    201: {
      description: 'Minted',
      schema: z.object({
        token: z.string().openapi({ description: 'The secret: shown in this response only', example: 'pb_j9QBe9SVJvBpTR88Sek17PtlDVsFpCuobN-m0gt6TBo' }),
        apiToken: tokenSchema,
      }),
    },
  },
  async handler({ rt, auth, body }) {
    return await rt.em().transactional(async (tx) => {
      const memberId = body.memberId ?? auth.member.id;
      const member = await tx.findOne(Member, { id: memberId, workspace: auth.workspaceId });
      if (!member) throw notFound('Member', memberId);
      const { token, record } = await mintToken(tx, { workspaceId: auth.workspaceId, memberId, name: body.name });
      await writeAudit(tx, { workspaceId: auth.workspaceId, action: 'token.create', targetType: 'api_token', targetId: record.id, outcome: 'success', details: { name: body.name, memberId } });
      return { status: 201, body: { token, apiToken: toToken(record) } };
    });
  },
});
