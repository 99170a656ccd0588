/** Twilio's connector: fetch the Account resource as the test. No revoke (see revokeNote). */
import { z } from 'zod';
import { fieldCredentials } from '../_shared/connector.ts';
import { parseProviderResponse } from '../_shared/parse.ts';
import type { Connector, Provider } from '../types.ts';

/**
 * GET /2010-04-01/Accounts/{AccountSid}.json → the Account resource. (It also carries `auth_token`,
 * which this schema deliberately does not read.)
 * https://www.twilio.com/docs/iam/api/account#fetch-an-account-resource
 */
export const accountSchema = z.object({
  sid: z.string(),
  friendly_name: z.string().nullish(),
  status: z.string().nullish(),
  type: z.string().nullish(),
});

export function createTwilioConnector(getProvider: () => Provider): Connector {
  return {
    async test(ctx) {
      const provider = getProvider();
      const { accountSid } = fieldCredentials(ctx, provider, ['accountSid', 'authToken']);
      const res = await ctx.http.request({ url: `/2010-04-01/Accounts/${encodeURIComponent(accountSid!)}.json` });
      const account = parseProviderResponse(provider, accountSchema, res.body, 'GET /2010-04-01/Accounts/{Sid}.json');
      return {
        accountId: account.sid,
        accountName: account.friendly_name || account.sid,
        extra: { status: account.status ?? null, type: account.type ?? null },
      };
    },
  };
}
