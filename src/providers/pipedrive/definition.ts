/**
 * Pipedrive — OAuth 2.0 (authorization code; the app authenticates with HTTP Basic at the token
 * and revoke endpoints), with a per-company API host.
 *
 * https://pipedrive.readme.io/docs/marketplace-oauth-authorization (authorize at oauth.pipedrive.com
 * with client_id, redirect_uri and state — the scopes are those ticked on the app in Developer Hub;
 * token and refresh at /oauth/token with `Authorization: Basic base64(client_id:client_secret)`; the
 * token response carries `api_domain`, e.g. `https://acme.pipedrive.com`, the company's API host),
 * https://pipedrive.readme.io/docs/marketplace-scopes-and-permissions-explanations (scopes),
 * https://pipedrive.readme.io/docs/core-api-concepts-rate-limiting (429).
 * The official client (github.com/pipedrive/client-nodejs, generated from Pipedrive's OpenAPI) uses
 * the same calls: Basic client auth, `${api_domain}/api/v1` as the base path after each token
 * response, and `POST https://oauth.pipedrive.com/oauth/revoke` with `token` + `token_type_hint`.
 *
 * Every request goes to the connection's `api_domain` (the token response, kept with the
 * credentials and limited to `*.pipedrive.com`), never to a fixed host; `apiBaseUrl` is only
 * Pipedrive's generic host, used when a token response names none.
 */
import type { ProviderDefinition } from '../types.ts';

export const definition = {
  slug: 'pipedrive',
  displayName: 'Pipedrive',
  category: 'crm',
  docsUrl: 'https://pipedrive.readme.io/docs/marketplace-oauth-authorization',
  auth: {
    oauth2: {
      authorizeUrl: 'https://oauth.pipedrive.com/oauth/authorize',
      tokenUrl: 'https://oauth.pipedrive.com/oauth/token',
      revokeUrl: 'https://oauth.pipedrive.com/oauth/revoke',
      pkce: false,
      clientAuth: 'basic',
      scopeSeparator: ' ',
      // `base` (always granted) covers GET /users/me, the test; see the doc page for the rest.
      defaultScopes: ['base'],
      authorizeParams: {},
      refresh: 'static',
    },
  },
  apiBaseUrl: 'https://api.pipedrive.com',
  apiBaseUrlFromToken: { field: 'api_domain', hosts: ['*.pipedrive.com'] },
  rateLimit: { signals: [] },
  objects: [
    { name: 'contacts', direction: 'in', scopes: ['contacts:read'] },
    { name: 'deals', direction: 'in', scopes: ['deals:read'] },
  ],
} satisfies ProviderDefinition;
