import { suggestRuleMapping } from '../../../sync/rules.ts';
import { defineRoute } from '../../route.ts';
import { idParams } from '../../schemas.ts';
import { suggestionSchema, suggestQuery } from './schemas.ts';

export default defineRoute({
  method: 'get',
  path: '/connections/:id/rules/suggest-mapping',
  operationId: 'suggestSyncMapping',
  summary: 'Suggest a field mapping for a provider object',
  description:
    'Pairs the provider object\'s fields with the local object\'s by the adapter\'s aliases, normalized names, known aliases (`firstname` + `lastname` → name, `phone_number` → phone, `due_on` → dueDate) and types, each with a confidence (0–1) and the reason, and reports unmapped fields and required fields without a pair. Admins and Owners only, like the rules it prepares.',
  tag: 'Sync rules',
  permission: 'sync_rules.manage',
  params: idParams,
  query: suggestQuery,
  responses: { 200: { description: 'The suggestion', schema: suggestionSchema } },
  async handler({ rt, auth, params, query }) {
    return { status: 200, body: await suggestRuleMapping(rt, { workspaceId: auth.workspaceId, member: auth.member }, params.id, query.object) };
  },
});
