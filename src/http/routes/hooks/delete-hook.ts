import { deleteHook } from '../../../hooks/hooks.ts';
import { defineRoute } from '../../route.ts';
import { hookParams } from './schemas.ts';

export default defineRoute({
  method: 'delete',
  path: '/hooks/:id',
  operationId: 'deleteHook',
  summary: 'Delete a hook and the messages it received; its URL answers 404 from now on',
  tag: 'Hooks',
  permission: 'hooks.manage',
  params: hookParams,
  responses: { 204: { description: 'Deleted' } },
  async handler({ rt, auth, params }) {
    await deleteHook(rt, { workspaceId: auth.workspaceId, member: auth.member }, params.id);
    return { status: 204 };
  },
});
