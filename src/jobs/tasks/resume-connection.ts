import { z } from 'zod';
import { ConnectionService } from '../../connections/service.ts';
import { defineTask } from '../define-task.ts';

/** Scheduled at a rate-limited connection's `pausedUntil` (job key per connection). */
export default defineTask({
  identifier: 'resume_connection',
  payload: z.object({ connectionId: z.uuid(), workspaceId: z.uuid() }),
  async run({ connectionId, workspaceId }, { rt, logger }) {
    const outcome = await new ConnectionService(rt).resumeAfterRateLimit(workspaceId, connectionId);
    logger.info({ connectionId, outcome }, outcome === 'resumed' ? 'resumed after the rate-limit window' : 'nothing to resume');
  },
});
