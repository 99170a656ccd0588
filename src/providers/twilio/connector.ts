/** Twilio's connector: fetch the Account resource as the test. No revoke (see revokeNote). */
import { z } from 'zod';
import { fieldCredentials } from '../_shared/connector.ts';
import type { ConnectorSpec } from '../types.ts';

/**
 * GET /2010-04-01/Accounts/{Sid}.json → the Account resource; the description marks every field
 * nullable. (It also carries `auth_token`, which this schema deliberately does not read.)
 * https://www.twilio.com/docs/iam/api/account#fetch-an-account-resource
 */
export const accountSchema = z.object({
  sid: z.string().nullish(),
  friendly_name: z.string().nullish(),
  status: z.string().nullish(),
  type: z.string().nullish(),
});

export const connector: ConnectorSpec<typeof accountSchema> = {
  test: {
    path: '/2010-04-01/Accounts/{Sid}.json',
    params: (ctx) => ({ Sid: fieldCredentials(ctx, ['accountSid', 'authToken']).accountSid! }),
    response: accountSchema,
    account: (a, ctx) => {
      // The SID we asked for is the account's, should Twilio leave `sid` null.
      const sid = a.sid ?? fieldCredentials(ctx, ['accountSid']).accountSid;
      return { id: sid, name: a.friendly_name, extra: { status: a.status ?? null, type: a.type ?? null } };
    },
  },
};
