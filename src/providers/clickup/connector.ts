/** ClickUp's connector: `GET /v2/user` as the test; the personal token raw in `Authorization`. No revoke. */
import { z } from 'zod';
import type { ConnectorSpec } from '../types.ts';

/**
 * GET /api/v2/user → `{ user: { id, username, email, … } }` (GetAuthorizedUser,
 * https://developer.clickup.com/reference/getauthorizeduser). The published description marks no
 * field required, so neither does the schema.
 */
export const userResponseSchema = z.object({
  user: z
    .object({ id: z.number().optional(), username: z.string().nullish(), email: z.string().nullish() })
    .loose()
    .optional(),
});

export const connector: ConnectorSpec<typeof userResponseSchema> = {
  test: {
    path: '/v2/user',
    response: userResponseSchema,
    account: ({ user }) => ({ id: user?.id, name: user?.username || user?.email, extra: user?.email ? { email: user.email } : {} }),
  },

  applyAuth(target, credentials) {
    // Personal tokens go in as is (`Authorization: pk_…`); OAuth tokens use the default Bearer.
    if (credentials.type !== 'api_key') return false;
    const token = credentials.fields.apiToken;
    if (token) target.headers.set('authorization', token);
  },
};
