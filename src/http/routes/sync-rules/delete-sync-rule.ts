import { deleteRule } from '../../../sync/rules.ts';
import { defineRoute } from '../../route.ts';
import { ruleParams } from './schemas.ts';

export default defineRoute({
  method: 'delete',
  path: '/connections/:id/rules/:ruleId',
  operationId: 'deleteSyncRule',
  summary: 'Delete a sync rule and its queued run (its past runs stay in the sync log)',
  tag: 'Sync rules',
  permission: 'sync_rules.manage',
  params: ruleParams,
  responses: { 204: { description: 'Deleted' } },
  async handler({ rt, auth, params }) {
    await deleteRule(rt, { workspaceId: auth.workspaceId, member: auth.member }, params.id, params.ruleId);
    return { status: 204 };
  },
});
