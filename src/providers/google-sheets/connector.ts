/** Google Sheets' connector: OAuth2 userinfo test (Sheets has no "who am I"); Google token revoke. */
import { z } from 'zod';
import { revokeGoogleGrant } from '../_shared/google.ts';
import type { ConnectorSpec } from '../types.ts';

/**
 * GET /oauth2/v2/userinfo → Userinfoplus: `id` (the Google account's stable id), `email`,
 * `verified_email`, and — only with `userinfo.profile`, which Patchbay does not ask — `name`,
 * `picture`…; `hd` is the Workspace domain. Discovery (oauth2:v2) marks no field required.
 * https://developers.google.com/identity/openid-connect/openid-connect#obtaininguserprofileinformation
 */
export const userinfoSchema = z.object({
  id: z.string().optional(),
  email: z.string().optional(),
  verified_email: z.boolean().optional(),
  name: z.string().optional(),
  hd: z.string().optional(),
});

export const connector: ConnectorSpec<typeof userinfoSchema> = {
  test: {
    path: '/oauth2/v2/userinfo',
    response: userinfoSchema,
    account: (user) => ({ id: user.id, name: user.email ?? user.name, extra: user.hd ? { domain: user.hd } : {} }),
  },

  // Shared by the Google providers: POST https://oauth2.googleapis.com/revoke?token=<refresh token>.
  revoke: revokeGoogleGrant,
};
