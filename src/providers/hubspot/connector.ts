/** HubSpot's connector: access-token metadata as the test; refresh-token delete as the revoke. */
import { z } from 'zod';
import { oauthCredentials } from '../_shared/connector.ts';
import { parseProviderResponse } from '../_shared/parse.ts';
import type { Connector, Provider } from '../types.ts';

/**
 * GET /oauth/v1/access-tokens/{token} → token metadata.
 * https://developers.hubspot.com/docs/api-reference/legacy/authentication/oauth-tokens/v1/get-oauth-token-metadata
 */
export const accessTokenInfoSchema = z.object({
  hub_id: z.number(),
  hub_domain: z.string().nullish(),
  user: z.string().nullish(),
  user_id: z.number().nullish(),
  app_id: z.number().nullish(),
  scopes: z.array(z.string()).default([]),
  expires_in: z.number().nullish(),
});

export function createHubSpotConnector(getProvider: () => Provider): Connector {
  return {
    async test(ctx) {
      const provider = getProvider();
      const creds = oauthCredentials(ctx, provider);
      // The token is the path parameter; the endpoint needs no Authorization header.
      const res = await ctx.http.request({ url: `/oauth/v1/access-tokens/${encodeURIComponent(creds.accessToken)}`, skipAuth: true });
      const info = parseProviderResponse(provider, accessTokenInfoSchema, res.body, 'GET /oauth/v1/access-tokens/{token}');
      return {
        accountId: String(info.hub_id),
        accountName: info.hub_domain || String(info.hub_id),
        extra: { hubId: info.hub_id, ...(info.user ? { user: info.user } : {}) },
      };
    },

    /**
     * DELETE /oauth/v1/refresh-tokens/{refresh_token} → 204.
     * https://developers.hubspot.com/docs/methods/oauth2/delete-refresh-token — the current access
     * token stays valid until it expires (at most 30 minutes).
     */
    async revoke(ctx) {
      const provider = getProvider();
      const creds = oauthCredentials(ctx, provider);
      if (!creds.refreshToken) {
        ctx.logger.info('HubSpot connection has no refresh token to revoke');
        return;
      }
      const res = await ctx.http.request({
        method: 'DELETE',
        url: `/oauth/v1/refresh-tokens/${encodeURIComponent(creds.refreshToken)}`,
        // The refresh token in the path is the credential; the access token may already have
        // expired (30-minute lifetime), and an expired Bearer must not fail the revoke.
        skipAuth: true,
        allowStatuses: [404],
      });
      if (res.status === 404) ctx.logger.info('HubSpot refresh token was already gone');
    },
  };
}
