/** Asana's connector: GET /users/me test and the OAuth revoke endpoint. */
import { z } from 'zod';
import { oauthCredentials, requireOAuthClient } from '../_shared/connector.ts';
import { revokeToken } from '../_shared/oauth.ts';
import type { ConnectorSpec } from '../types.ts';

/**
 * GET /users/{user_gid} with `me` → `{ data: UserResponse }`. The description marks every field
 * optional, `data` included (`gid` is always returned in practice), so the schema does too.
 * https://developers.asana.com/reference/getuser
 */
export const meResponseSchema = z.object({
  data: z.object({ gid: z.string().optional(), name: z.string().nullish(), email: z.string().nullish() }).optional(),
});

export const connector: ConnectorSpec<typeof meResponseSchema> = {
  test: {
    path: '/users/me',
    // `gid` is not in opt_fields' enum (it is always returned); a validating server refuses it.
    query: { opt_fields: 'name,email' },
    response: meResponseSchema,
    account: ({ data }) => ({ id: data?.gid, name: data?.name || data?.email }),
  },

  /**
   * POST https://app.asana.com/-/oauth_revoke with client_id, client_secret and the refresh token
   * (which revokes the grant). https://developers.asana.com/docs/oauth#token-deauthorization-endpoint
   */
  async revoke(ctx) {
    const creds = oauthCredentials(ctx);
    await revokeToken(ctx.provider, ctx.urls, requireOAuthClient(ctx), { token: creds.refreshToken ?? creds.accessToken }, { logger: ctx.logger, egress: ctx.egress });
  },
};
