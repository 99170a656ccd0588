/**
 * Salesforce's connector: the OpenID Connect userinfo of the org's instance as the test, and the
 * token revoke on the instance (the org's own host) on disconnect.
 */
import { z } from 'zod';
import { oauthCredentials, requireOAuthClient } from '../_shared/connector.ts';
import { revokeToken } from '../_shared/oauth.ts';
import type { ConnectorSpec } from '../types.ts';

/**
 * GET {instance_url}/services/oauth2/userinfo → the user (OpenID Connect claims plus Salesforce's
 * `user_id` and `organization_id`). https://help.salesforce.com/s/articleView?id=sf.remoteaccess_using_userinfo_endpoint.htm
 */
export const userinfoSchema = z.object({
  sub: z.string().optional(),
  user_id: z.string().optional(),
  organization_id: z.string().optional(),
  name: z.string().nullish(),
  preferred_username: z.string().nullish(),
  email: z.string().nullish(),
});

export const connector: ConnectorSpec<typeof userinfoSchema> = {
  test: {
    path: '/services/oauth2/userinfo',
    response: userinfoSchema,
    account: (u, ctx) => ({
      id: u.user_id,
      name: u.name || u.preferred_username || u.email,
      extra: {
        ...(u.organization_id ? { organizationId: u.organization_id } : {}),
        // Where every call of this connection goes (the token response's instance_url).
        instanceUrl: ctx.urls.apiBaseUrl,
      },
    }),
  },

  /**
   * POST {instance_url}/services/oauth2/revoke with the refresh token (form `token`): revoking a
   * refresh token revokes the access tokens issued from it. The org's own host is used when known,
   * since My Domain orgs may refuse the generic login host.
   */
  async revoke(ctx) {
    const creds = oauthCredentials(ctx);
    const onInstance = ctx.urls.userChosen?.includes('apiBaseUrl');
    const urls = onInstance
      ? { ...ctx.urls, revokeUrl: `${ctx.urls.apiBaseUrl}/services/oauth2/revoke`, userChosen: [...(ctx.urls.userChosen ?? []), 'revokeUrl' as const] }
      : ctx.urls;
    await revokeToken(ctx.provider, urls, requireOAuthClient(ctx), { token: creds.refreshToken ?? creds.accessToken }, { logger: ctx.logger, egress: ctx.egress });
  },
};
