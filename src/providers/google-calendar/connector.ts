/** Google Calendar's connector: calendarList.get('primary') test; token revoke. */
import { z } from 'zod';
import { AppError } from '../../errors.ts';
import { oauthCredentials } from '../_shared/connector.ts';
import type { ConnectorSpec } from '../types.ts';

/**
 * GET /calendar/v3/users/me/calendarList/{calendarId} → a CalendarListEntry (`id` is the account's
 * email address for the primary calendar, `summary` its title). Discovery marks no field required.
 * https://developers.google.com/workspace/calendar/api/v3/reference/calendarList/get
 */
export const calendarListEntrySchema = z.object({
  kind: z.string().optional(),
  id: z.string().optional(),
  summary: z.string().nullish(),
  timeZone: z.string().nullish(),
  primary: z.boolean().optional(),
});

/** Google's revoke error when the token is already invalid. */
const revokeErrorSchema = z.object({ error: z.string() }).loose();

export const connector: ConnectorSpec<typeof calendarListEntrySchema> = {
  test: {
    path: '/calendar/v3/users/me/calendarList/{calendarId}',
    params: () => ({ calendarId: 'primary' }),
    response: calendarListEntrySchema,
    account: (entry) => ({ id: entry.id, name: entry.summary, extra: entry.timeZone ? { timeZone: entry.timeZone } : {} }),
  },

  /**
   * POST https://oauth2.googleapis.com/revoke?token={token} (form content type). Revoking the
   * refresh token revokes the whole grant.
   * https://developers.google.com/identity/protocols/oauth2/web-server#tokenrevoke
   */
  async revoke(ctx) {
    const creds = oauthCredentials(ctx);
    const res = await ctx.http.request({
      method: 'POST',
      url: ctx.urls.revokeUrl ?? 'https://oauth2.googleapis.com/revoke',
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
  },
};
