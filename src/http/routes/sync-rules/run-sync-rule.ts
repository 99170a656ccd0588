import { syncRunDetail } from '../../../sync/runs.ts';
import { runRule } from '../../../sync/rules.ts';
import { defineRoute } from '../../route.ts';
import { ruleParams, runResult } from './schemas.ts';

export default defineRoute({
  method: 'post',
  path: '/connections/:id/rules/:ruleId/run',
  operationId: 'runSyncRule',
  summary: 'Run a sync rule now',
  description:
    'Queues a run in the connection\'s queue and answers at once with the queued run (follow it at `GET …/sync-runs/{runId}`). When the rule already has a run queued or in progress, that run is answered with `alreadyRunning: true` and no second run starts. A paused, errored or disconnected connection, or a disabled rule, answers 409 saying what to do first (resume, reconnect, enable).',
  tag: 'Sync rules',
  permission: 'connections.sync',
  params: ruleParams,
  errors: ['invalid_transition'],
  responses: { 202: { description: 'Queued (or already running)', schema: runResult } },
  async handler({ rt, auth, params }) {
    const { run, alreadyRunning } = await runRule(rt, { workspaceId: auth.workspaceId, member: auth.member }, params.id, params.ruleId);
    return { status: 202, body: { run: syncRunDetail(run), alreadyRunning } };
  },
});
