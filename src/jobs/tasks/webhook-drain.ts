import { z } from 'zod';
import { drainEndpoint } from '../../webhooks/drain.ts';
import { defineTask } from '../define-task.ts';

/**
 * Sends one endpoint's pending webhook deliveries, oldest first (job key and queue per endpoint:
 * one at a time). Runs on the deliveries worker pool (WEBHOOK_CONCURRENCY), apart from other jobs.
 */
export default defineTask({
  identifier: 'webhook_drain',
  payload: z.object({ endpointId: z.uuid() }),
  async run({ endpointId }, { rt, logger }) {
    const delivered = await drainEndpoint(rt, endpointId, logger);
    if (delivered) logger.debug({ endpointId, delivered }, 'webhook deliveries sent');
  },
});
