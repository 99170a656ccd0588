/** Asana's connector: GET /users/me test and the OAuth revoke endpoint. */
import { z } from 'zod';
import { oauthCredentials, requireOAuthClient } from '../_shared/connector.ts';
import { revokeToken } from '../_shared/oauth.ts';
import { parseProviderResponse } from '../_shared/parse.ts';
import type { Connector, Provider } from '../types.ts';

/**
 * GET /users/me → `{ data: User }`; the compact user carries `gid`, `name`, `email`.
 * https://developers.asana.com/reference/getuser
 */
export const meResponseSchema = z.object({
  data: z.object({ gid: z.string(), name: z.string(), email: z.string().nullish() }),
});

export function createAsanaConnector(getProvider: () => Provider): Connector {
  return {
    async test(ctx) {
      const res = await ctx.http.request({ url: '/users/me', query: { opt_fields: 'gid,name,email' } });
      const { data } = parseProviderResponse(getProvider(), meResponseSchema, res.body, 'GET /users/me');
      return { accountId: data.gid, accountName: data.name || data.email || data.gid };
    },

    /**
     * POST https://app.asana.com/-/oauth_revoke with client_id, client_secret and the refresh token
     * (which revokes the grant). https://developers.asana.com/docs/oauth#token-deauthorization-endpoint
     */
    async revoke(ctx) {
      const provider = getProvider();
      const creds = oauthCredentials(ctx, provider);
      const urls = ctx.urls ?? { apiBaseUrl: provider.definition.apiBaseUrl, revokeUrl: provider.definition.auth.oauth2?.revokeUrl };
      await revokeToken(provider, urls, requireOAuthClient(ctx, provider), { token: creds.refreshToken ?? creds.accessToken }, { logger: ctx.logger });
    },
  };
}
