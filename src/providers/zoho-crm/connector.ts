/**
 * Zoho CRM's connector: `GET {api_domain}/crm/v8/users?type=CurrentUser` as the test, and `POST
 * {accounts-server}/oauth/v2/token/revoke?token=…` on disconnect — both on the connection's own
 * data center (see definition.ts), never a hard-coded host.
 */
import { z } from 'zod';
import { AppError } from '../../errors.ts';
import { oauthCredentials } from '../_shared/connector.ts';
import { parseProviderResponse } from '../_shared/parse.ts';
import type { ConnectorSpec } from '../types.ts';

/**
 * GET /crm/v8/users?type=CurrentUser → `{ users: [user] }` (v8.0/users.json; every field optional).
 * https://www.zoho.com/crm/developer/docs/api/v8/get-users.html
 */
export const usersResponseSchema = z.object({
  users: z
    .array(z.object({ id: z.string().optional(), full_name: z.string().nullish(), email: z.string().nullish(), zuid: z.string().nullish() }).loose())
    .optional(),
});

/** Zoho's OAuth header scheme (`Authorization: Zoho-oauthtoken …`); Bearer is accepted too, this is the documented one. */
const AUTH_SCHEME = 'Zoho-oauthtoken';

export const connector: ConnectorSpec = {
  async test(ctx) {
    const res = await ctx.http.request({ url: '/crm/v8/users', query: { type: 'CurrentUser' } });
    const body = parseProviderResponse(ctx.provider, usersResponseSchema, res.body, 'GET /crm/v8/users');
    const user = body.users?.[0];
    if (!user?.id) throw new AppError('provider_error', 'Zoho CRM answered GET /crm/v8/users?type=CurrentUser without a user id', { details: { provider: 'zoho-crm' } });
    return {
      accountId: user.id,
      accountName: user.full_name || user.email || user.id,
      // The connection's data center, as it uses it (also kept in the credentials and URL overrides).
      extra: { apiDomain: ctx.urls.apiBaseUrl, accountsServer: new URL(ctx.urls.tokenUrl!).origin, ...(user.email ? { email: user.email } : {}) },
    };
  },

  /** Revokes the refresh token (the grant) at the connection's accounts server; the token is the credential. */
  async revoke(ctx) {
    const creds = oauthCredentials(ctx);
    const res = await ctx.http.request({
      method: 'POST',
      url: ctx.urls.revokeUrl!,
      query: { token: creds.refreshToken ?? creds.accessToken },
      skipAuth: true,
      idempotent: true,
      allowStatuses: [400],
    });
    const error = z.object({ error: z.string() }).loose().safeParse(res.body);
    // An already invalid token is revoked (RFC 7009 §2.2).
    if (res.status === 400 && !(error.success && /invalid/.test(error.data.error))) throw new AppError('provider_error', 'Zoho CRM refused to revoke the token', { details: { provider: 'zoho-crm', status: res.status } });
  },

  applyAuth(target, credentials) {
    if (credentials.type !== 'oauth2') return false;
    target.headers.set('authorization', `${AUTH_SCHEME} ${credentials.accessToken}`);
  },
};
