/** Airtable's connector: `GET /v0/meta/whoami` as the test. No revoke (see revokeNote). */
import { z } from 'zod';
import type { ConnectorSpec } from '../types.ts';

/**
 * GET /v0/meta/whoami → `id` (the user, `usr…`), `email` (only with `user.email:read`) and
 * `scopes` (the token's scopes). https://airtable.com/developers/web/api/get-user-id-scopes
 */
export const whoamiSchema = z.object({
  id: z.string(),
  email: z.string().nullish(),
  scopes: z.array(z.string()).nullish(),
});

export const connector: ConnectorSpec<typeof whoamiSchema> = {
  test: {
    path: '/v0/meta/whoami',
    response: whoamiSchema,
    account: (me) => ({ id: me.id, name: me.email, extra: me.scopes ? { scopes: me.scopes } : {} }),
  },
};
