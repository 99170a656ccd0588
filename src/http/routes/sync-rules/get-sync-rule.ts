import { getRule } from '../../../sync/rules.ts';
import { defineRoute } from '../../route.ts';
import { ruleParams, ruleResult } from './schemas.ts';

export default defineRoute({
  method: 'get',
  path: '/connections/:id/rules/:ruleId',
  operationId: 'getSyncRule',
  summary: 'One sync rule',
  tag: 'Sync rules',
  permission: 'sync_rules.manage',
  params: ruleParams,
  responses: { 200: { description: 'The rule', schema: ruleResult } },
  async handler({ rt, auth, params }) {
    return { status: 200, body: { rule: await getRule(rt, { workspaceId: auth.workspaceId, member: auth.member }, params.id, params.ruleId) } };
  },
});
