import { updateHook } from '../../../hooks/hooks.ts';
import { defineRoute } from '../../route.ts';
import { hookParams, updateHookBody, updatedHookSchema } from './schemas.ts';

export default defineRoute({
  method: 'patch',
  path: '/hooks/:id',
  operationId: 'updateHook',
  summary: 'Rename, disable or enable a hook, or set or clear its secret',
  description:
    'Only the given fields change. `status: "disabled"` makes the URL answer 404 (as if unknown) until `"active"` again. `secret: true` generates a new one (in this answer only); a `whsec_…` string stores that one (never shown again); `null` stops requiring signatures. The URL token changes only through `rotate-token`.',
  tag: 'Hooks',
  permission: 'hooks.manage',
  params: hookParams,
  body: updateHookBody,
  errors: ['conflict'],
  responses: { 200: { description: 'The hook after the change', schema: updatedHookSchema } },
  async handler({ rt, auth, params, body }) {
    return { status: 200, body: await updateHook(rt, { workspaceId: auth.workspaceId, member: auth.member }, params.id, body) };
  },
});
