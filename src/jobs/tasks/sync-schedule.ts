import { z } from 'zod';
import { scheduleRule, settleAbandonedRuns } from '../../sync/schedule.ts';
import { defineTask } from '../define-task.ts';

/**
 * Every minute: queues enabled rules of connected connections whose chain of runs is broken —
 * never scheduled, or overdue with nothing queued or running (the connection was paused or
 * errored and has recovered, or a worker died between a run and its successor).
 */
export default defineTask({
  identifier: 'sync_schedule',
  payload: z.object({}).loose(),
  async run(_payload, { em, logger }) {
    // Runs whose job chain is gone would otherwise block their rule for good.
    const stuck = await em.execute<Array<{ rule_id: string }>>(`select distinct "rule_id" from "sync_runs" where "status" in ('queued', 'running') and "rule_id" is not null and "created_at" < now() - interval '1 minute'`);
    for (const r of stuck) {
      const settled = await settleAbandonedRuns(em, r.rule_id);
      if (settled) logger.warn({ ruleId: r.rule_id, runs: settled }, 'marked sync runs failed whose job chain was gone');
    }
    const due = await em.execute<Array<{ id: string; connection_id: string }>>(
      `select r."id", r."connection_id" from "sync_rules" r join "connections" c on c."id" = r."connection_id"
        where r."enabled" and c."status" = 'connected'
          and (r."next_run_at" is null or r."next_run_at" < now() - interval '2 minutes')
          and not exists (select 1 from "sync_runs" x where x."rule_id" = r."id" and x."status" in ('queued', 'running'))
          and not exists (select 1 from graphile_worker._private_jobs j where j."key" = 'sync_run:' || r."id"::text and j."attempts" < j."max_attempts")
        limit 500`,
    );
    for (const r of due) await scheduleRule(em, { id: r.id, connection: r.connection_id }, new Date());
    if (due.length) logger.info({ rules: due.length }, 'queued sync rules whose schedule had lapsed');
  },
});
