/**
 * Airtable — OAuth 2.0 with PKCE, or a personal access token (`pat…`).
 *
 * https://airtable.com/developers/web/api/oauth-reference — authorize at
 * `https://airtable.com/oauth2/v1/authorize` (PKCE S256 required, at least one scope, space
 * separated), token at `https://airtable.com/oauth2/v1/token` (a confidential client authenticates
 * with HTTP Basic `client_id:client_secret`). Access tokens last 60 minutes; each refresh returns a
 * new refresh token and the used one stops working ("Token expiry & refresh tokens"; Airtable
 * revokes an integration that reuses a refresh token:
 * https://support.airtable.com/docs/troubleshooting-oauth-integrations-in-airtable). The reference
 * documents no revoke route: see revokeNote.
 * https://airtable.com/developers/web/api/get-user-id-scopes — `GET /v0/meta/whoami`: `id`, and
 * `email` when the token has `user.email:read`.
 * https://airtable.com/developers/web/api/webhooks-overview ("Rate limits": the same as the REST
 * API) — 5 requests per second per base; 429, then 30 seconds before requests succeed again (no
 * Retry-After documented).
 * https://airtable.com/developers/web/guides/personal-access-tokens — a personal access token is
 * sent as `Authorization: Bearer pat…`.
 */
import type { ProviderDefinition } from '../types.ts';

export const definition = {
  slug: 'airtable',
  displayName: 'Airtable',
  category: 'storage',
  docsUrl: 'https://airtable.com/developers/web/api/oauth-reference',
  auth: {
    oauth2: {
      authorizeUrl: 'https://airtable.com/oauth2/v1/authorize',
      tokenUrl: 'https://airtable.com/oauth2/v1/token',
      pkce: true,
      clientAuth: 'basic',
      scopeSeparator: ' ',
      // The connection test names the account by email, which whoami returns only with this scope.
      defaultScopes: ['user.email:read'],
      authorizeParams: {},
      refresh: 'rotating',
    },
    credentials: {
      kind: 'api_key',
      fields: [
        {
          name: 'token',
          label: 'Personal access token',
          secret: true,
          // `pat` + token id, a dot, then the secret part (hex).
          pattern: '^pat[A-Za-z0-9]{10,}\\.[0-9a-f]{20,}$',
          help: 'Starts with pat. Scopes: user.email:read, data.records:read, data.records:write, schema.bases:read; access: the bases to sync.',
        },
      ],
      instructions:
        'In Airtable open https://airtable.com/create/tokens → Create new token, add the scopes `user.email:read`, `data.records:read`, `data.records:write` and `schema.bases:read`, give it access to the bases Patchbay should reach, and paste the token (pat…) here.',
    },
  },
  apiBaseUrl: 'https://api.airtable.com',
  // 429 carries no Retry-After: Airtable says wait 30 s; doubled while it persists.
  rateLimit: { signals: [{ status: 429, pause: { seconds: 30, maxSeconds: 480 } }] },
  // Records of a base's tables, both ways; schema.bases:read lists the bases, tables and fields to map.
  objects: [{ name: 'rows', direction: 'both', scopes: ['data.records:read', 'data.records:write', 'schema.bases:read'] }],
  revokeNote:
    'Airtable has no token revoke call: Patchbay deleted its copy. To cut off access completely, remove Patchbay under your Airtable account → Integrations → Third-party integrations (OAuth), or delete the personal access token at https://airtable.com/create/tokens.',
} satisfies ProviderDefinition;
