import { listRules } from '../../../sync/rules.ts';
import { defineRoute } from '../../route.ts';
import { idParams } from '../../schemas.ts';
import { ruleList } from './schemas.ts';

export default defineRoute({
  method: 'get',
  path: '/connections/:id/rules',
  operationId: 'listSyncRules',
  summary: "A connection's sync rules, oldest first",
  tag: 'Sync rules',
  permission: 'sync_rules.manage',
  params: idParams,
  responses: { 200: { description: 'The rules', schema: ruleList } },
  async handler({ rt, auth, params }) {
    return { status: 200, body: { data: await listRules(rt, { workspaceId: auth.workspaceId, member: auth.member }, params.id) } };
  },
});
