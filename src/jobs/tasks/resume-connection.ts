import { z } from 'zod';
import { systemActor } from '../../connections/actor.ts';
import { resumeAfterRateLimit } from '../../connections/system-transitions.ts';
import { defineTask } from '../define-task.ts';

/** Scheduled at a rate-limited connection's `pausedUntil` (job key per connection). */
export default defineTask({
  identifier: 'resume_connection',
  payload: z.object({ connectionId: z.uuid(), workspaceId: z.uuid() }),
  async run({ connectionId, workspaceId }, { rt, logger }) {
    const outcome = await resumeAfterRateLimit(rt, systemActor(workspaceId, 'rate-limit window passed'), connectionId);
    logger.info({ connectionId, outcome }, outcome === 'resumed' ? 'resumed after the rate-limit window' : 'nothing to resume');
  },
});
