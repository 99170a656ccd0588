import { findConnection } from '../../../connections/lifecycle.ts';
import { SyncRun } from '../../../entities/sync-run.ts';
import { notFound } from '../../../errors.ts';
import { syncRunDetail } from '../../../sync/runs.ts';
import { defineRoute } from '../../route.ts';
import { runParams, syncRunSchema } from './schemas.ts';

export default defineRoute({
  method: 'get',
  path: '/connections/:id/sync-runs/:runId',
  operationId: 'getSyncRun',
  summary: 'One sync run, with its counts, record errors, conflicts and warnings',
  tag: 'Sync rules',
  permission: 'connections.logs.read',
  params: runParams,
  responses: { 200: { description: 'The run', schema: syncRunSchema } },
  async handler({ em, auth, params }) {
    await findConnection(em, auth.workspaceId, params.id);
    const run = await em.findOne(SyncRun, { id: params.runId, workspace: auth.workspaceId, connection: params.id });
    if (!run) throw notFound('Sync run', params.runId);
    return { status: 200, body: syncRunDetail(run) };
  },
});
