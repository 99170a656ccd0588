/** GitLab's connector: GET /api/v4/user test; OAuth tokens revoked at /oauth/revoke (not personal tokens). */
import { z } from 'zod';
import { oauthCredentials, requireOAuthClient } from '../_shared/connector.ts';
import { revokeToken } from '../_shared/oauth.ts';
import type { ConnectorSpec } from '../types.ts';

/**
 * GET /api/v4/user → the authenticated user (`id` a number, `username` the handle, `name` the
 * display name). https://docs.gitlab.com/api/users/#retrieve-the-current-user
 */
export const userSchema = z.object({
  id: z.number(),
  username: z.string().nullish(),
  name: z.string().nullish(),
  web_url: z.string().nullish(),
});

export const connector: ConnectorSpec<typeof userSchema> = {
  test: {
    path: '/api/v4/user',
    response: userSchema,
    account: (u, ctx) => ({
      id: u.id,
      name: u.name || u.username,
      // The instance matters for self-managed connections: the same user id means another person elsewhere.
      extra: { username: u.username ?? null, instance: new URL(ctx.urls.apiBaseUrl).origin },
    }),
  },

  /**
   * POST {instance}/oauth/revoke with client_id, client_secret and the access token (RFC 7009).
   * https://docs.gitlab.com/api/oauth2/#revoke-a-token — 200 and `{}` on success; the token and
   * its refresh token are one grant record, so both stop working.
   */
  async revoke(ctx) {
    const creds = oauthCredentials(ctx);
    await revokeToken(ctx.provider, ctx.urls, requireOAuthClient(ctx), { token: creds.accessToken }, { logger: ctx.logger, egress: ctx.egress });
  },

  canRevoke(credentials) {
    // Personal access tokens belong to the person who pasted them: see revokeNote.
    return credentials.type === 'oauth2';
  },
};
