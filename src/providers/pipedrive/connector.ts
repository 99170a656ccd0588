/**
 * Pipedrive's connector: `GET {api_domain}/api/v1/users/me` as the test, and the OAuth revoke of the
 * refresh token (which Pipedrive treats as uninstalling the app) on disconnect.
 */
import { z } from 'zod';
import { oauthCredentials, requireOAuthClient } from '../_shared/connector.ts';
import { revokeToken } from '../_shared/oauth.ts';
import type { ConnectorSpec } from '../types.ts';

/**
 * GET /api/v1/users/me → `{ success, data: User }`: the authorized user "with bound company data:
 * company ID, company name, and domain" (Pipedrive API v1, Users → getCurrentUser; scope `base`).
 */
export const currentUserSchema = z.object({
  success: z.boolean().optional(),
  data: z
    .object({
      id: z.number().int().optional(),
      name: z.string().nullish(),
      email: z.string().nullish(),
      company_id: z.number().int().nullish(),
      company_name: z.string().nullish(),
      company_domain: z.string().nullish(),
    })
    .optional(),
});

export const connector: ConnectorSpec<typeof currentUserSchema> = {
  test: {
    path: '/api/v1/users/me',
    response: currentUserSchema,
    account: (body, ctx) => {
      const u = body.data ?? {};
      const name = u.name || u.email;
      return {
        id: u.id,
        name: name && u.company_name ? `${name} (${u.company_name})` : (name ?? u.company_name),
        extra: {
          ...(u.company_id != null ? { companyId: u.company_id } : {}),
          ...(u.company_name ? { companyName: u.company_name } : {}),
          ...(u.company_domain ? { companyDomain: u.company_domain } : {}),
          // The host every call of this connection goes to (from the token response's api_domain).
          apiDomain: ctx.urls.apiBaseUrl,
        },
      };
    },
  },

  /**
   * POST https://oauth.pipedrive.com/oauth/revoke (form `token`, `token_type_hint`; the app's Basic
   * credentials): revoking the refresh token marks the app uninstalled for that user and ends the
   * access token with it.
   */
  async revoke(ctx) {
    const creds = oauthCredentials(ctx);
    const params = creds.refreshToken
      ? ({ token: creds.refreshToken, tokenTypeHint: 'refresh_token' } as const)
      : ({ token: creds.accessToken, tokenTypeHint: 'access_token' } as const);
    await revokeToken(ctx.provider, ctx.urls, requireOAuthClient(ctx), params, { logger: ctx.logger, egress: ctx.egress });
  },
};
