import { listHooks } from '../../../hooks/hooks.ts';
import { defineRoute } from '../../route.ts';
import { hookListSchema } from './schemas.ts';

export default defineRoute({
  method: 'get',
  path: '/hooks',
  operationId: 'listHooks',
  summary: "The workspace's custom inbound hooks (never their tokens or secrets)",
  tag: 'Hooks',
  permission: 'hooks.read',
  responses: { 200: { description: 'Every hook, oldest first', schema: hookListSchema } },
  async handler({ rt, auth }) {
    return { status: 200, body: { data: await listHooks(rt, { workspaceId: auth.workspaceId, member: auth.member }) } };
  },
});
