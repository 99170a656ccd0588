import { z } from 'zod';
import { applyInbound } from '../../inbound/apply.ts';
import { defineTask } from '../define-task.ts';

/** Applies a connection's verified webhook receipts: incremental runs of its realtime rules (queue `sync:<id>`). */
export default defineTask({
  identifier: 'inbound_apply',
  payload: z.object({ connectionId: z.uuid() }),
  async run({ connectionId }, ctx) {
    await applyInbound(ctx.rt, connectionId, ctx);
  },
});
