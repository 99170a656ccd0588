import { ROLES } from '../../../entities/member.ts';
import { changeRole } from '../../../workspaces/members.ts';
import { defineRoute } from '../../route.ts';
import { EX } from '../../examples.ts';
import { idParamsOf, z } from '../../schemas.ts';
import { memberSchema, toMember } from './schemas.ts';

export default defineRoute({
  method: 'patch',
  path: '/members/:id',
  operationId: 'updateMember',
  summary: "Change a member's role (Owner only; the last Owner cannot be demoted)",
  tag: 'Members',
  permission: 'members.manage',
  params: idParamsOf(EX.memberId),
  body: z.strictObject({ role: z.enum(ROLES) }),
  errors: ['invalid_transition'],
  responses: { 200: { description: 'The updated member', schema: memberSchema } },
  async handler({ rt, auth, params, body }) {
    const m = await changeRole(rt, { workspaceId: auth.workspaceId, member: auth.member }, params.id, body.role);
    return { status: 200, body: toMember(m) };
  },
});
