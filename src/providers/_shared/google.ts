/** What every Google provider (Calendar, Gmail, Sheets) shares: Google's OAuth app settings, its usage-limit signals, and the token revoke. */
import { z } from 'zod';
import { AppError } from '../../errors.ts';
import type { ConnectorContext } from '../types.ts';
import { oauthCredentials } from './connector.ts';

/** Google's OAuth revoke endpoint (one for every Google API). */
export const GOOGLE_REVOKE_URL = 'https://oauth2.googleapis.com/revoke';

/**
 * Google's OAuth endpoints and flags, the same for every Google API: PKCE, the client secret in
 * the body, offline access with a consent prompt (Google returns a refresh token only then), and a
 * refresh token that stays the same. Each provider adds its own `defaultScopes`.
 * https://developers.google.com/identity/protocols/oauth2/web-server
 */
export const GOOGLE_OAUTH = {
  authorizeUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
  tokenUrl: 'https://oauth2.googleapis.com/token',
  revokeUrl: GOOGLE_REVOKE_URL,
  pkce: true,
  clientAuth: 'body',
  scopeSeparator: ' ',
  authorizeParams: { access_type: 'offline', prompt: 'consent' },
  refresh: 'static',
} as const;

/**
 * The 403 reasons every Google API answers when a usage limit is hit: `rateLimitExceeded` /
 * `userRateLimitExceeded` (case differs, hence two) and `dailyLimitExceeded` (the project's quota).
 */
export const GOOGLE_RATE_LIMIT_SIGNALS = [
  { status: 403, bodyIncludes: 'RateLimitExceeded' },
  { status: 403, bodyIncludes: 'rateLimitExceeded' },
  { status: 403, bodyIncludes: 'dailyLimitExceeded' },
] as const;

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
