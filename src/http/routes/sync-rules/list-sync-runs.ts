import { findConnection } from '../../../connections/lifecycle.ts';
import { listSyncRuns, syncRunDetail } from '../../../sync/runs.ts';
import { defineRoute } from '../../route.ts';
import { decodeCursor, idParams, page, pageQuery, pageOf, uuidParam } from '../../schemas.ts';
import { RULE_ID, syncRunSchema } from './schemas.ts';

export default defineRoute({
  method: 'get',
  path: '/connections/:id/sync-runs',
  operationId: 'listSyncRuns',
  summary: "A connection's sync runs, newest first",
  description: 'Every run of every rule (or of one, with `rule_id`): counts, record-level errors, conflicts and mapping warnings. Members may read it, like the connection log.',
  tag: 'Sync rules',
  permission: 'connections.logs.read',
  params: idParams,
  query: pageQuery.extend({ rule_id: uuidParam.optional().openapi({ description: 'Only the runs of this rule', example: RULE_ID }) }),
  responses: { 200: { description: 'A page of runs', schema: page(syncRunSchema) } },
  async handler({ em, auth, params, query }) {
    await findConnection(em, auth.workspaceId, params.id);
    const rows = await listSyncRuns(em, auth.workspaceId, params.id, { limit: query.limit, ruleId: query.rule_id, before: decodeCursor(query.cursor) });
    return { status: 200, body: pageOf(rows, query.limit, syncRunDetail) };
  },
});
