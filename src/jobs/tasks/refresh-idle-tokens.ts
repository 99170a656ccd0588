import { z } from 'zod';
import { enqueue } from '../enqueue.ts';
import { defineTask } from '../define-task.ts';

/**
 * Daily: refresh tokens not refreshed for 20 hours, so idle connections' refresh tokens do not
 * lapse (several providers expire unused refresh tokens) and missed schedules are caught.
 */
export default defineTask({
  identifier: 'refresh_idle_tokens',
  payload: z.object({}).passthrough(),
  async run(_payload, { rt, logger }) {
    const em = rt.em();
    const rows = await em.execute<Array<{ id: string; workspace_id: string }>>(
      `select id, workspace_id from connections
        where auth_kind = 'oauth2' and status in ('connected', 'paused') and credentials is not null
          and (token_refreshed_at is null or token_refreshed_at < now() - interval '20 hours')`,
    );
    await em.transactional(async (tx) => {
      for (const r of rows) {
        await enqueue(tx, 'refresh_token', { connectionId: r.id, workspaceId: r.workspace_id, reason: 'keepalive' }, { jobKey: `refresh_token:${r.id}` });
      }
    });
    if (rows.length) logger.info({ count: rows.length }, 'queued keep-alive token refreshes');
  },
});
