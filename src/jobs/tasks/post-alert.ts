import { z } from 'zod';
import { deliverAlert } from '../../alerts/deliver.ts';
import { ALERT_STATES } from '../../entities/alert-post.ts';
import { CHAT_PLATFORMS } from '../../entities/chat-team.ts';
import { defineTask } from '../define-task.ts';

/** Posts one alert to one channel (queued by the alert subscriber; one queue per channel). */
export default defineTask({
  identifier: 'post_alert',
  payload: z.object({
    renderer: z.string().min(1),
    eventId: z.number().int().positive(),
    target: z.object({ platform: z.enum(CHAT_PLATFORMS), teamId: z.string().min(1), channelId: z.string().min(1) }),
    subscriptionId: z.uuid().optional(),
    alertPostId: z.uuid().optional(),
    threadOf: z.number().int().nullish(),
    closes: z.enum(ALERT_STATES).exclude(['ok']).optional(),
  }),
  async run(payload, { rt, em, logger, helpers }) {
    await deliverAlert(payload, { rt, em, logger, attempt: helpers.job.attempts, maxAttempts: helpers.job.max_attempts });
  },
});
