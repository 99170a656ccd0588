/** Gmail's connector: users.getProfile('me') test; Google token revoke. */
import { z } from 'zod';
import { revokeGoogleGrant } from '../_shared/google.ts';
import type { ConnectorSpec } from '../types.ts';

/**
 * GET /gmail/v1/users/{userId}/profile → a Profile: `emailAddress` (the mailbox, the account's
 * id and name), `historyId` (uint64 as a string; where an incremental history.list would start),
 * `messagesTotal`, `threadsTotal`. Discovery marks no field required.
 * https://developers.google.com/workspace/gmail/api/reference/rest/v1/users/getProfile
 */
export const profileSchema = z.object({
  emailAddress: z.string().optional(),
  historyId: z.string().optional(),
  messagesTotal: z.number().int().optional(),
  threadsTotal: z.number().int().optional(),
});

export const connector: ConnectorSpec<typeof profileSchema> = {
  test: {
    path: '/gmail/v1/users/{userId}/profile',
    params: () => ({ userId: 'me' }),
    response: profileSchema,
    account: (profile) => ({ id: profile.emailAddress, name: profile.emailAddress }),
  },

  // Shared by the Google providers: POST https://oauth2.googleapis.com/revoke?token=<refresh token>.
  revoke: revokeGoogleGrant,
};
