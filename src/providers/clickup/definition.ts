/**
 * ClickUp — OAuth 2.0, or a personal API token (`pk_…`).
 *
 * https://developer.clickup.com/docs/authentication — authorize at `https://app.clickup.com/api`
 * (client_id, redirect_uri, state; ClickUp has no OAuth scopes: the user picks the Workspaces the
 * app may reach), exchange the code at `POST https://api.clickup.com/api/v2/oauth/token`
 * (client_id, client_secret, code); the access token "currently does not expire" and there is no
 * refresh token. Personal tokens start with `pk_` and never expire; they go in `Authorization` as
 * is, OAuth tokens as `Bearer <token>` (the published description's security scheme).
 * Revoke: ClickUp documents no revoke endpoint for either kind (see revokeNote).
 * https://developer.clickup.com/docs/rate-limits — per-token limits by Workspace plan; over them
 * ClickUp answers 429 with `X-RateLimit-Limit`, `X-RateLimit-Remaining` and `X-RateLimit-Reset`
 * (a Unix time in seconds).
 */
import type { ProviderDefinition } from '../types.ts';

export const definition = {
  slug: 'clickup',
  displayName: 'ClickUp',
  category: 'project_management',
  docsUrl: 'https://developer.clickup.com/docs/authentication',
  auth: {
    oauth2: {
      authorizeUrl: 'https://app.clickup.com/api',
      tokenUrl: 'https://api.clickup.com/api/v2/oauth/token',
      pkce: false,
      clientAuth: 'body',
      scopeSeparator: ' ',
      // ClickUp has no scopes: access is the Workspaces chosen at consent.
      defaultScopes: [],
      authorizeParams: {},
      refresh: 'none',
    },
    credentials: {
      kind: 'api_key',
      fields: [
        {
          name: 'apiToken',
          label: 'Personal API token',
          secret: true,
          pattern: '^pk_[0-9A-Za-z_]{8,}$',
          help: 'Starts with pk_. In ClickUp open your avatar → Settings → Apps → API Token → Generate.',
        },
      ],
      instructions:
        'In ClickUp open your avatar → Settings → Apps, generate (or copy) the personal API token under "API Token" and paste it here (pk_…). It acts as you, in every Workspace you belong to.',
    },
  },
  apiBaseUrl: 'https://api.clickup.com/api',
  rateLimit: { signals: [], resetHeader: { name: 'x-ratelimit-reset', format: 'epoch_seconds' } },
  // Tasks (no adapter yet). No OAuth scopes exist.
  objects: [{ name: 'tasks', direction: 'both', scopes: [] }],
  revokeNote:
    'ClickUp documents no revoke call: Patchbay deleted its copy of the token. To cut off access completely, remove the app under ClickUp → Settings → Apps (OAuth), or regenerate the personal API token there.',
} satisfies ProviderDefinition;
