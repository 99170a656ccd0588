import { updateRule } from '../../../sync/rules.ts';
import { defineRoute } from '../../route.ts';
import { ruleParams, ruleResult, updateRuleBody } from './schemas.ts';

export default defineRoute({
  method: 'patch',
  path: '/connections/:id/rules/:ruleId',
  operationId: 'updateSyncRule',
  summary: 'Change some fields of a sync rule',
  description:
    'Only the given fields change; the objects a rule pairs cannot (create another rule). **Changing `mapping` or `scope` resets the pull cursor: the next run is a full pull** (records already linked are updated, not duplicated). Enabling queues a run now; disabling drops the queued one (a run in progress finishes its current step).',
  tag: 'Sync rules',
  permission: 'sync_rules.manage',
  params: ruleParams,
  body: updateRuleBody,
  errors: ['invalid_transition'],
  responses: { 200: { description: 'The rule after the change', schema: ruleResult } },
  async handler({ rt, auth, params, body }) {
    return { status: 200, body: { rule: await updateRule(rt, { workspaceId: auth.workspaceId, member: auth.member }, params.id, params.ruleId, body) } };
  },
});
