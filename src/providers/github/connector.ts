/** GitHub's connector: GET /user test; revoke with the app's Basic credentials. */
import { z } from 'zod';
import { basicAuthHeader } from '../_shared/http.ts';
import { oauthCredentials, requireOAuthClient } from '../_shared/connector.ts';
import type { ConnectorSpec } from '../types.ts';

/** Recommended on every REST call. https://docs.github.com/en/rest/about-the-rest-api/api-versions */
export const GITHUB_HEADERS = { accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28' };

/**
 * GET /user → the authenticated user (`id` is a number, `login` the handle).
 * https://docs.github.com/en/rest/users/users#get-the-authenticated-user
 */
export const userSchema = z.object({ id: z.number(), login: z.string(), name: z.string().nullish() });

export const connector: ConnectorSpec<typeof userSchema> = {
  test: {
    path: '/user',
    headers: GITHUB_HEADERS,
    response: userSchema,
    account: (user) => ({ id: user.id, name: user.login, extra: { login: user.login } }),
  },

  /**
   * DELETE /applications/{client_id}/token with Basic client_id:client_secret and `{ access_token }`.
   * https://docs.github.com/en/rest/apps/oauth-applications#delete-an-app-token — 204 on success;
   * 422 (listed in the description) and 404 when GitHub no longer knows the token.
   */
  async revoke(ctx) {
    const creds = oauthCredentials(ctx);
    const client = requireOAuthClient(ctx);
    const res = await ctx.http.request({
      method: 'DELETE',
      url: `/applications/${encodeURIComponent(client.clientId)}/token`,
      skipAuth: true,
      headers: { ...GITHUB_HEADERS, authorization: basicAuthHeader(client.clientId, client.clientSecret) },
      body: { access_token: creds.accessToken },
      // A token GitHub no longer knows (or refuses as invalid) is already revoked.
      allowStatuses: [404, 422],
    });
    if (res.status === 404 || res.status === 422) ctx.logger.info({ status: res.status }, 'GitHub token was already revoked or invalid');
  },
};
