/** What every Google provider (Calendar, Gmail, Sheets) shares: the OAuth token revoke. */
import { z } from 'zod';
import { AppError } from '../../errors.ts';
import type { ConnectorContext } from '../types.ts';
import { oauthCredentials } from './connector.ts';

/** Google's OAuth revoke endpoint (one for every Google API). */
export const GOOGLE_REVOKE_URL = 'https://oauth2.googleapis.com/revoke';

/** Google's revoke error when the token is already invalid. */
const revokeErrorSchema = z.object({ error: z.string() }).loose();

/**
 * POST https://oauth2.googleapis.com/revoke?token={token} (form content type). Revoking the
 * refresh token revokes the whole grant — every scope of that app for that account.
 * https://developers.google.com/identity/protocols/oauth2/web-server#tokenrevoke
 */
export async function revokeGoogleGrant(ctx: ConnectorContext): Promise<void> {
  const creds = oauthCredentials(ctx);
  const res = await ctx.http.request({
    method: 'POST',
    url: ctx.urls.revokeUrl ?? GOOGLE_REVOKE_URL,
    query: { token: creds.refreshToken ?? creds.accessToken },
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: '',
    skipAuth: true,
    idempotent: true,
    allowStatuses: [400],
  });
  if (res.status === 400) {
    const err = revokeErrorSchema.safeParse(res.body);
    if (err.success && err.data.error === 'invalid_token') {
      ctx.logger.info('Google token was already revoked or expired');
      return;
    }
    throw new AppError('provider_error', 'Google refused to revoke the token (HTTP 400)', {
      details: { provider: ctx.provider.definition.slug, status: 400 },
    });
  }
}
