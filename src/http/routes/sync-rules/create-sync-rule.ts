import { createRule } from '../../../sync/rules.ts';
import { defineRoute } from '../../route.ts';
import { idParams } from '../../schemas.ts';
import { createRuleBody, ruleResult } from './schemas.ts';

export default defineRoute({
  method: 'post',
  path: '/connections/:id/rules',
  operationId: 'createSyncRule',
  summary: 'Create a sync rule (scheduled at once when enabled)',
  description:
    'Only provider objects with `sync: true` in the provider catalog can be synced. Without `mapping`, the rule takes the suggested pairs with confidence ≥ 0.6 (see `GET …/rules/suggest-mapping`); every entry is checked against the provider object\'s fields, and the required local fields must be mapped inbound for `in` and `both` rules. `intervalSeconds` is 30–86400. A connection has one rule per provider object and scope: a second one is a 409 `conflict` naming the rule to change instead. An enabled rule on a connected connection gets its first run (a full pull) queued at once.',
  tag: 'Sync rules',
  permission: 'sync_rules.manage',
  params: idParams,
  body: createRuleBody,
  errors: ['conflict', 'invalid_transition'],
  responses: { 201: { description: 'Created', schema: ruleResult } },
  async handler({ rt, auth, params, body }) {
    return { status: 201, body: { rule: await createRule(rt, { workspaceId: auth.workspaceId, member: auth.member }, params.id, body) } };
  },
});
