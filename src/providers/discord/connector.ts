/** Discord's connector: `GET /users/@me` as the test; the grant revoked at `/oauth2/token/revoke` (RFC 7009). */
import { z } from 'zod';
import { oauthCredentials, requireOAuthClient } from '../_shared/connector.ts';
import { revokeToken } from '../_shared/oauth.ts';
import type { ConnectorSpec } from '../types.ts';

/**
 * GET /users/@me → the user (discord/discord-api-spec `UserPIIResponse`: `id` a snowflake string,
 * `username`, and `global_name`, the display name, null when unset). https://discord.com/developers/docs/resources/user#get-current-user
 */
export const userSchema = z.object({
  id: z.string(),
  username: z.string().nullish(),
  global_name: z.string().nullish(),
  discriminator: z.string().nullish(),
});

export const connector: ConnectorSpec<typeof userSchema> = {
  test: {
    path: '/users/@me',
    response: userSchema,
    account: (u) => ({ id: u.id, name: u.global_name || u.username, extra: { username: u.username ?? null, globalName: u.global_name ?? null } }),
  },

  /**
   * POST https://discord.com/api/oauth2/token/revoke, form `token` + `token_type_hint`, the app as
   * HTTP Basic. https://discord.com/developers/docs/topics/oauth2#authorization-code-grant-token-revocation-example
   * — revoking the access token invalidates the refresh token too (all of the app's tokens for the user).
   */
  async revoke(ctx) {
    const creds = oauthCredentials(ctx);
    await revokeToken(ctx.provider, ctx.urls, requireOAuthClient(ctx), { token: creds.accessToken, tokenTypeHint: 'access_token' }, { logger: ctx.logger, egress: ctx.egress });
  },
};
