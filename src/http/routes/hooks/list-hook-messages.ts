import { listHookMessages } from '../../../hooks/hooks.ts';
import { defineRoute } from '../../route.ts';
import { hookMessagePageSchema, hookParams, messagesQuery } from './schemas.ts';

export default defineRoute({
  method: 'get',
  path: '/hooks/:id/messages',
  operationId: 'listHookMessages',
  summary: 'The bodies a hook received, newest first (kept 30 days)',
  description: 'Every accepted body, also those a chat alert only counted (alerts post at most one per hook and channel per interval).',
  tag: 'Hooks',
  permission: 'hooks.read',
  params: hookParams,
  query: messagesQuery,
  responses: { 200: { description: 'A page of messages', schema: hookMessagePageSchema } },
  async handler({ rt, auth, params, query }) {
    return { status: 200, body: await listHookMessages(rt, { workspaceId: auth.workspaceId, member: auth.member }, params.id, query) };
  },
});
