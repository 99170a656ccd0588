import { z } from 'zod';
import { syncRegistrations } from '../../inbound/registrations.ts';
import { defineTask } from '../define-task.ts';

/** Registers or removes a connection's webhooks at its provider to match its realtime rules. */
export default defineTask({
  identifier: 'provider_webhooks_sync',
  payload: z.object({ connectionId: z.uuid() }),
  async run({ connectionId }, { rt }) {
    await syncRegistrations(rt, connectionId);
  },
});
