/**
 * GitHub — OAuth app.
 *
 * https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps (authorize and
 * token URLs; OAuth app tokens do not expire and have no refresh token),
 * https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/scopes-for-oauth-apps (no scope =
 * read-only public information, enough for GET /user; `repo` for private issues),
 * https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api (403 or 429 with
 * `x-ratelimit-remaining: 0` and `x-ratelimit-reset` in epoch seconds; secondary limits carry Retry-After),
 * https://docs.github.com/en/rest/apps/oauth-applications#delete-an-app-token (revoke).
 */
import type { ProviderDefinition } from '../types.ts';

export const definition = {
  slug: 'github',
  displayName: 'GitHub',
  category: 'developer',
  docsUrl: 'https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps',
  auth: {
    oauth2: {
      authorizeUrl: 'https://github.com/login/oauth/authorize',
      tokenUrl: 'https://github.com/login/oauth/access_token',
      pkce: false,
      clientAuth: 'body',
      scopeSeparator: ' ',
      // No scope grants read-only access to public profile information: enough for GET /user.
      defaultScopes: [],
      authorizeParams: {},
      refresh: 'none',
    },
  },
  apiBaseUrl: 'https://api.github.com',
  rateLimit: {
    signals: [
      { status: 403, header: { name: 'x-ratelimit-remaining', equals: '0' } },
      { status: 403, bodyIncludes: 'secondary rate limit' },
    ],
    resetHeader: { name: 'x-ratelimit-reset', format: 'epoch_seconds' },
  },
  objects: [{ name: 'issues', direction: 'both', scopes: ['repo'] }],
} satisfies ProviderDefinition;
