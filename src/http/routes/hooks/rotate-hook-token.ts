import { rotateHookToken } from '../../../hooks/hooks.ts';
import { defineRoute } from '../../route.ts';
import { hookParams, hookWithUrlSchema } from './schemas.ts';

export default defineRoute({
  method: 'post',
  path: '/hooks/:id/rotate-token',
  operationId: 'rotateHookToken',
  summary: 'Replace the URL token: the old URL answers 404 at once; the new URL is in this answer only',
  tag: 'Hooks',
  permission: 'hooks.manage',
  params: hookParams,
  responses: { 200: { description: 'The hook with its new URL (shown only here; `secret` is null: it is unchanged)', schema: hookWithUrlSchema } },
  async handler({ rt, auth, params }) {
    return { status: 200, body: await rotateHookToken(rt, { workspaceId: auth.workspaceId, member: auth.member }, params.id) };
  },
});
