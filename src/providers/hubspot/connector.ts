/**
 * HubSpot's connector: token introspection as the test, token revocation on disconnect (both
 * OAuth v3, authenticating as the app), and HubSpot's token-endpoint error shape.
 *
 * The v1 calls used before (`GET /oauth/v1/access-tokens/{token}`, `DELETE
 * /oauth/v1/refresh-tokens/{token}`) are marked deprecated in HubSpot's v1 description; the v3
 * description replaces them with `POST /oauth/v3/token/introspect` and `POST /oauth/v3/token/revoke`.
 * https://developers.hubspot.com/docs/api-reference/auth-oauth-v3/guide
 */
import { z } from 'zod';
import { AppError } from '../../errors.ts';
import { oauthCredentials, requireOAuthClient } from '../_shared/connector.ts';
import { parseProviderResponse } from '../_shared/parse.ts';
import type { ConnectorContext, ConnectorSpec } from '../types.ts';
import { hubspotTokenError } from './token-errors.ts';

/**
 * POST /oauth/v3/token/introspect → PublicAccessTokenInfoResponse | PublicRefreshTokenInfoResponse.
 * Both require `active`, `hub_id`, `app_id`, `user_id`, `scopes`; an inactive token (RFC 7662)
 * may carry `active: false` alone, so only `active` is required here.
 */
export const introspectionSchema = z.object({
  active: z.boolean(),
  hub_id: z.number().optional(),
  hub_domain: z.string().nullish(),
  user: z.string().nullish(),
  user_id: z.number().nullish(),
  app_id: z.number().nullish(),
  scopes: z.array(z.string()).default([]),
  token_use: z.string().optional(),
  expires_in: z.number().nullish(),
});

/**
 * POSTs one of the v3 token endpoints: the token and the app's credentials go in the form body
 * (never the URL), and no Bearer header — the token in the form is the credential, so an
 * expired access token cannot fail the call.
 */
async function tokenEndpoint(ctx: ConnectorContext, url: string, token: string, hint: 'access_token' | 'refresh_token', allowStatuses: number[] = []) {
  const client = requireOAuthClient(ctx);
  return await ctx.http.request({
    method: 'POST',
    url,
    skipAuth: true,
    idempotent: true,
    body: new URLSearchParams({ token, token_type_hint: hint, client_id: client.clientId, client_secret: client.clientSecret }),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    allowStatuses,
  });
}

export const connector: ConnectorSpec = {
  async test(ctx) {
    const res = await tokenEndpoint(ctx, '/oauth/v3/token/introspect', oauthCredentials(ctx).accessToken, 'access_token');
    const info = parseProviderResponse(ctx.provider, introspectionSchema, res.body, 'POST /oauth/v3/token/introspect');
    if (!info.active) {
      throw new AppError('provider_auth_failed', 'HubSpot says the access token is no longer active', { details: { provider: 'hubspot', status: res.status } });
    }
    if (info.hub_id === undefined) {
      throw new AppError('provider_error', 'HubSpot answered POST /oauth/v3/token/introspect without a hub_id', { details: { provider: 'hubspot' } });
    }
    return {
      accountId: String(info.hub_id),
      accountName: info.hub_domain || String(info.hub_id),
      extra: { hubId: info.hub_id, ...(info.user ? { user: info.user } : {}) },
    };
  },

  /**
   * POST /oauth/v3/token/revoke with the refresh token and the app's credentials: deletes the
   * refresh token. The current access token stays valid until it expires (at most 30 minutes).
   */
  async revoke(ctx) {
    const creds = oauthCredentials(ctx);
    if (!creds.refreshToken) {
      ctx.logger.info('HubSpot connection has no refresh token to revoke');
      return;
    }
    const res = await tokenEndpoint(ctx, '/oauth/v3/token/revoke', creds.refreshToken, 'refresh_token', [404]);
    if (res.status === 404) ctx.logger.info('HubSpot refresh token was already gone');
  },

  tokenError: hubspotTokenError,
};
