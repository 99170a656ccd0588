import { z } from 'zod';
import { runSyncJob } from '../../sync/engine.ts';
import { defineTask } from '../define-task.ts';

/**
 * One step of a sync run: a bounded number of pull pages or push batches, committed, then the
 * next step queued in the connection's queue. Without `runId` it starts a scheduled run.
 */
export default defineTask({
  identifier: 'sync_run',
  payload: z.object({ ruleId: z.uuid(), runId: z.uuid().optional() }),
  async run(payload, ctx) {
    await runSyncJob(ctx.rt, payload, ctx);
  },
});
