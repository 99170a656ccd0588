import { z } from 'zod';
import { refreshConnectionToken } from '../../connections/tokens.ts';
import { defineTask } from '../define-task.ts';

/** Refreshes one connection's OAuth token ahead of expiry (scheduled per connection by job key). */
export default defineTask({
  identifier: 'refresh_token',
  payload: z.object({ connectionId: z.uuid(), workspaceId: z.uuid(), reason: z.enum(['scheduled', 'keepalive']).default('scheduled') }),
  async run({ connectionId, workspaceId, reason }, { rt }) {
    await refreshConnectionToken(rt, workspaceId, connectionId, { reason });
  },
});
