import { z } from 'zod';
import { defineTask } from '../define-task.ts';
import { retentionRules } from '../retention.ts';

const BATCH = 5_000;

/** Prunes what each retention rule says is old enough, in batches so no lock is held for long. */
export default defineTask({
  identifier: 'retention',
  payload: z.object({}).passthrough(),
  async run(_payload, { rt, logger }) {
    for (const rule of retentionRules) {
      const days = rule.keepDays?.(rt.config) ?? rt.config.RETENTION_DAYS;
      const extra = rule.where ? ` and (${rule.where})` : '';
      let total = 0;
      for (;;) {
        const res = await rt.db.pool.query(
          `delete from ${rule.table} where ctid in (
             select ctid from ${rule.table}
              where ${rule.column} < now() - make_interval(days => $1)${extra}
              limit ${BATCH})`,
          [days],
        );
        total += res.rowCount ?? 0;
        if ((res.rowCount ?? 0) < BATCH) break;
      }
      if (total) logger.info({ table: rule.table, deleted: total, keepDays: days }, 'retention: pruned old rows');
    }
  },
});
