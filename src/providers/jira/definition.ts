/**
 * Jira Cloud — OAuth 2.0 (3LO) with rotating refresh tokens.
 *
 * https://developer.atlassian.com/cloud/jira/platform/oauth-2-3lo-apps/ (authorize with
 * `audience=api.atlassian.com&prompt=consent`, `offline_access` for refresh tokens, rotating refresh
 * tokens, the `accessible-resources` → `cloudId` lookup, and no revoke endpoint: users remove the
 * app from their Atlassian account). Scopes: https://developer.atlassian.com/cloud/jira/platform/scopes-for-oauth-2-3LO-and-forge-apps/
 * Rate limits: https://developer.atlassian.com/cloud/jira/platform/rate-limiting/ (429 + Retry-After).
 */
import type { ProviderDefinition } from '../types.ts';

export const definition = {
  slug: 'jira',
  displayName: 'Jira Cloud',
  category: 'project_management',
  docsUrl: 'https://developer.atlassian.com/cloud/jira/platform/oauth-2-3lo-apps/',
  auth: {
    oauth2: {
      authorizeUrl: 'https://auth.atlassian.com/authorize',
      tokenUrl: 'https://auth.atlassian.com/oauth/token',
      pkce: false,
      clientAuth: 'body',
      scopeSeparator: ' ',
      // `read:jira-user` for GET /myself (the test), `offline_access` for refresh tokens.
      defaultScopes: ['read:jira-user', 'offline_access'],
      authorizeParams: { audience: 'api.atlassian.com', prompt: 'consent' },
      refresh: 'rotating',
    },
  },
  apiBaseUrl: 'https://api.atlassian.com',
  rateLimit: { signals: [] },
  objects: [{ name: 'issues', direction: 'both', scopes: ['read:jira-work', 'write:jira-work'] }],
  revokeNote:
    'Atlassian has no API to revoke an OAuth 2.0 (3LO) grant. Patchbay deleted its tokens; to remove the app completely, open https://id.atlassian.com/manage-profile/apps and revoke its access.',
} satisfies ProviderDefinition;
