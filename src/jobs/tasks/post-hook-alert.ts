import { z } from 'zod';
import { postHookAlert } from '../../alerts/hook-alerts.ts';
import { CHAT_PLATFORMS } from '../../entities/chat-team.ts';
import { defineTask } from '../define-task.ts';

/** Posts a custom hook's messages to one channel, at most once per interval (queued by the hook alert subscriber; one queue per channel). */
export default defineTask({
  identifier: 'post_hook_alert',
  payload: z.object({
    hookId: z.uuid(),
    target: z.object({ platform: z.enum(CHAT_PLATFORMS), teamId: z.string().min(1), channelId: z.string().min(1) }),
    subscriptionId: z.uuid(),
  }),
  async run(payload, { rt, em, logger }) {
    await postHookAlert(payload, { rt, em, logger });
  },
});
