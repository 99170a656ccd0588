import { z } from 'zod';
import { renewExpiring } from '../../inbound/registrations.ts';
import { defineTask } from '../define-task.ts';

/** Renews provider webhooks that expire soon (Google watch channels). Every 10 minutes. */
export default defineTask({
  identifier: 'provider_webhooks_renew',
  payload: z.object({}).loose(),
  async run(_payload, { rt, logger }) {
    const renewed = await renewExpiring(rt);
    if (renewed) logger.info({ renewed }, 'renewed expiring provider webhooks');
  },
});
