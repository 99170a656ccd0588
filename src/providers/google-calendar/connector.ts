/** Google Calendar's connector: calendarList.get('primary') test; token revoke. */
import { z } from 'zod';
import { AppError } from '../../errors.ts';
import { oauthCredentials, urlOf } from '../_shared/connector.ts';
import { parseProviderResponse } from '../_shared/parse.ts';
import type { Connector, Provider } from '../types.ts';

/**
 * GET /calendar/v3/users/me/calendarList/primary → a CalendarListEntry (`id` is the account's
 * email address for the primary calendar, `summary` its title).
 * https://developers.google.com/workspace/calendar/api/v3/reference/calendarList/get and
 * https://developers.google.com/workspace/calendar/api/v3/reference/calendarList#resource
 */
export const calendarListEntrySchema = z.object({
  kind: z.literal('calendar#calendarListEntry').optional(),
  id: z.string(),
  summary: z.string().nullish(),
  timeZone: z.string().nullish(),
  primary: z.boolean().optional(),
});

/** Google's revoke error when the token is already invalid. */
const revokeErrorSchema = z.object({ error: z.string() }).loose();

export function createGoogleCalendarConnector(getProvider: () => Provider): Connector {
  return {
    async test(ctx) {
      const res = await ctx.http.request({ url: '/calendar/v3/users/me/calendarList/primary' });
      const entry = parseProviderResponse(getProvider(), calendarListEntrySchema, res.body, 'GET /calendar/v3/users/me/calendarList/primary');
      return {
        accountId: entry.id,
        accountName: entry.summary || entry.id,
        extra: entry.timeZone ? { timeZone: entry.timeZone } : {},
      };
    },

    /**
     * POST https://oauth2.googleapis.com/revoke?token={token} (form content type). Revoking the
     * refresh token revokes the whole grant.
     * https://developers.google.com/identity/protocols/oauth2/web-server#tokenrevoke
     */
    async revoke(ctx) {
      const provider = getProvider();
      const creds = oauthCredentials(ctx, provider);
      const url = urlOf(ctx, provider, 'revokeUrl') ?? 'https://oauth2.googleapis.com/revoke';
      const res = await ctx.http.request({
        method: 'POST',
        url,
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
          details: { provider: provider.definition.slug, status: 400 },
        });
      }
    },
  };
}
