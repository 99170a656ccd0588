import { z } from 'zod';
import { dispatchTransaction } from '../../events/dispatch.ts';
import { defineTask } from '../define-task.ts';

/** One per committing transaction that wrote domain events. */
export default defineTask({
  identifier: 'dispatch_events',
  payload: z.object({ txid: z.string().regex(/^\d+$/) }),
  async run({ txid }, { rt, em, logger }) {
    await dispatchTransaction(rt, em, txid, logger);
  },
});
