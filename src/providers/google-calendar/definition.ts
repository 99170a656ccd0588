/**
 * Google Calendar — Google OAuth 2.0 for web servers, offline access.
 *
 * https://developers.google.com/identity/protocols/oauth2/web-server (authorize, token, revoke;
 * `access_type=offline` + `prompt=consent` for a refresh token every time; PKCE supported),
 * https://developers.google.com/workspace/calendar/api/auth (scopes),
 * https://developers.google.com/workspace/calendar/api/guides/quota (403 `rateLimitExceeded` /
 * `userRateLimitExceeded` as well as 429).
 */
import type { ProviderDefinition } from '../types.ts';

export const definition = {
  slug: 'google-calendar',
  displayName: 'Google Calendar',
  category: 'calendar',
  docsUrl: 'https://developers.google.com/workspace/calendar/api/guides/overview',
  auth: {
    oauth2: {
      authorizeUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
      tokenUrl: 'https://oauth2.googleapis.com/token',
      revokeUrl: 'https://oauth2.googleapis.com/revoke',
      pkce: true,
      clientAuth: 'body',
      scopeSeparator: ' ',
      // Identity (`openid email`) plus the read-only calendar list, which the connection test
      // (calendarList.get on `primary`) needs: `calendar.events` alone does not cover calendarList.
      defaultScopes: ['openid', 'email', 'https://www.googleapis.com/auth/calendar.calendarlist.readonly'],
      authorizeParams: { access_type: 'offline', prompt: 'consent' },
      refresh: 'static',
    },
  },
  apiBaseUrl: 'https://www.googleapis.com',
  rateLimit: {
    // The error reasons `rateLimitExceeded` and `userRateLimitExceeded` (case differs, hence two).
    signals: [{ status: 403, bodyIncludes: 'RateLimitExceeded' }, { status: 403, bodyIncludes: 'rateLimitExceeded' }],
  },
  objects: [{ name: 'events', direction: 'both', scopes: ['https://www.googleapis.com/auth/calendar.events'] }],
} satisfies ProviderDefinition;
