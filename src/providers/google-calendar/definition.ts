/**
 * Google Calendar — Google OAuth 2.0 for web servers, offline access.
 *
 * https://developers.google.com/identity/protocols/oauth2/web-server (authorize, token, revoke;
 * `access_type=offline` + `prompt=consent` for a refresh token every time; PKCE supported),
 * https://developers.google.com/workspace/calendar/api/auth (scopes),
 * https://developers.google.com/workspace/calendar/api/guides/errors (403 with reason
 * `rateLimitExceeded`, `userRateLimitExceeded`, `dailyLimitExceeded` or — for Calendar's own usage
 * limits, domain `usageLimits` — `quotaExceeded`, as well as 429). Those 403s are limits, not
 * refused credentials: read as auth failures they would force a refresh and error the connection.
 */
import type { ProviderDefinition } from '../types.ts';
import { GOOGLE_OAUTH, GOOGLE_RATE_LIMIT_SIGNALS } from '../_shared/google.ts';

export const definition = {
  slug: 'google-calendar',
  displayName: 'Google Calendar',
  category: 'calendar',
  docsUrl: 'https://developers.google.com/workspace/calendar/api/guides/overview',
  auth: {
    oauth2: {
      ...GOOGLE_OAUTH,
      // Identity (`openid email`) plus the read-only calendar list, which the connection test
      // (calendarList.get on `primary`) needs: `calendar.events` alone does not cover calendarList.
      defaultScopes: ['openid', 'email', 'https://www.googleapis.com/auth/calendar.calendarlist.readonly'],
    },
  },
  apiBaseUrl: 'https://www.googleapis.com',
  rateLimit: {
    // Error reasons: `rateLimitExceeded` and `userRateLimitExceeded` (case differs, hence two),
    // `dailyLimitExceeded` (the project's daily quota) and `quotaExceeded` (Calendar usage limits).
    signals: [
      ...GOOGLE_RATE_LIMIT_SIGNALS,
      { status: 403, bodyIncludes: 'quotaExceeded' },
    ],
  },
  objects: [{ name: 'events', direction: 'both', scopes: ['https://www.googleapis.com/auth/calendar.events'] }],
} satisfies ProviderDefinition;
