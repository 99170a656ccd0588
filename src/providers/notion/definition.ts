/**
 * Notion — OAuth 2.0 for a public integration.
 *
 * https://developers.notion.com/docs/authorization (authorize with `owner=user`; the token request
 * authenticates the app with HTTP Basic; the token response carries `workspace_id`,
 * `workspace_name`, `bot_id` and `owner`, and for newer integrations a `refresh_token` that is
 * replaced on each refresh), https://developers.notion.com/reference/revoke-token (`POST
 * /v1/oauth/revoke`, Basic client auth, JSON `{ token }`),
 * https://developers.notion.com/reference/versioning (every request sends `Notion-Version`),
 * https://developers.notion.com/reference/request-limits (429 `rate_limited` + `Retry-After`,
 * about three requests per second per integration).
 *
 * Notion has no OAuth scopes: what an integration may do is its capabilities (set in the
 * integration's settings) and the pages the user shares with it in the consent screen. So no scope
 * is requested; the objects list none.
 */
import type { ProviderDefinition } from '../types.ts';

/** The pinned API version: the newest documented one (it matches the published description's default). */
export const NOTION_VERSION = '2025-09-03';

export const definition = {
  slug: 'notion',
  displayName: 'Notion',
  category: 'project_management',
  docsUrl: 'https://developers.notion.com/docs/authorization',
  auth: {
    oauth2: {
      authorizeUrl: 'https://api.notion.com/v1/oauth/authorize',
      tokenUrl: 'https://api.notion.com/v1/oauth/token',
      revokeUrl: 'https://api.notion.com/v1/oauth/revoke',
      pkce: false,
      clientAuth: 'basic',
      scopeSeparator: ' ',
      defaultScopes: [],
      authorizeParams: { owner: 'user' },
      refresh: 'rotating',
    },
  },
  apiBaseUrl: 'https://api.notion.com',
  rateLimit: { signals: [] },
  // Database pages as tasks (no adapter yet): shared with the integration at consent, no scope.
  objects: [{ name: 'tasks', direction: 'both', scopes: [] }],
} satisfies ProviderDefinition;
