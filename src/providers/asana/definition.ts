/**
 * Asana — OAuth 2.0 with PKCE.
 *
 * https://developers.asana.com/docs/oauth (authorize, token and revoke endpoints; PKCE S256;
 * refresh tokens do not rotate), https://developers.asana.com/docs/oauth-scopes (granular
 * `<resource>:<action>` scopes), https://developers.asana.com/docs/rate-limits (429 + Retry-After).
 */
import type { ProviderDefinition } from '../types.ts';

export const definition = {
  slug: 'asana',
  displayName: 'Asana',
  category: 'project_management',
  docsUrl: 'https://developers.asana.com/docs/oauth',
  auth: {
    oauth2: {
      authorizeUrl: 'https://app.asana.com/-/oauth_authorize',
      tokenUrl: 'https://app.asana.com/-/oauth_token',
      revokeUrl: 'https://app.asana.com/-/oauth_revoke',
      pkce: true,
      clientAuth: 'body',
      scopeSeparator: ' ',
      // `users:read` covers GET /users/me, the connection test.
      defaultScopes: ['users:read'],
      authorizeParams: {},
      refresh: 'static',
    },
  },
  apiBaseUrl: 'https://app.asana.com/api/1.0',
  rateLimit: { signals: [] },
  objects: [{ name: 'tasks', direction: 'both', scopes: ['tasks:read', 'tasks:write', 'tasks:delete', 'projects:read', 'workspaces:read', 'webhooks:write', 'webhooks:delete'] }],
} satisfies ProviderDefinition;
