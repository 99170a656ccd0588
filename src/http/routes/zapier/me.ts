import { can } from '../../../access/permissions.ts';
import { ApiToken } from '../../../entities/api-token.ts';
import { Workspace } from '../../../entities/workspace.ts';
import { notFound } from '../../../errors.ts';
import { defineRoute } from '../../route.ts';
import { zapierMeSchema } from './schemas.ts';

export default defineRoute({
  method: 'get',
  path: '/zapier/me',
  operationId: 'zapierMe',
  summary: "The Zapier app's authentication test: the token's workspace and member",
  description:
    "Patchbay's Zapier app authenticates with a Patchbay API token (`Authorization: Bearer pb_…`) and calls this to check it and to label the Zapier connection. Turning Zaps on and off needs a token whose member is an Admin or Owner (`canSubscribe`).",
  tag: 'Zapier',
  permission: 'workspace.read',
  responses: { 200: { description: 'Who the token acts as', schema: zapierMeSchema } },
  async handler({ em, auth }) {
    const ws = await em.findOne(Workspace, { id: auth.workspaceId });
    if (!ws) throw notFound('Workspace');
    const token = await em.findOne(ApiToken, { id: auth.tokenId });
    return {
      status: 200,
      body: {
        workspace: { id: ws.id, name: ws.name, slug: ws.slug },
        member: { id: auth.member.id, displayName: auth.member.displayName, role: auth.member.role },
        token: { id: auth.tokenId, name: token?.name ?? '' },
        canSubscribe: can(auth.member.role, 'webhooks.manage'),
      },
    };
  },
});
