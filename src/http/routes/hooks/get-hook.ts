import { getHook } from '../../../hooks/hooks.ts';
import { defineRoute } from '../../route.ts';
import { hookParams, hookSchema } from './schemas.ts';

export default defineRoute({
  method: 'get',
  path: '/hooks/:id',
  operationId: 'getHook',
  summary: 'One custom inbound hook (its URL only as a prefix, never its secret)',
  tag: 'Hooks',
  permission: 'hooks.read',
  params: hookParams,
  responses: { 200: { description: 'The hook', schema: hookSchema } },
  async handler({ rt, auth, params }) {
    return { status: 200, body: await getHook(rt, { workspaceId: auth.workspaceId, member: auth.member }, params.id) };
  },
});
