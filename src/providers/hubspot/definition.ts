/**
 * HubSpot — OAuth 2.0 (access tokens live 30 minutes; refresh tokens do not rotate).
 *
 * https://developers.hubspot.com/docs/apps/developer-platform/build-apps/authentication/oauth/oauth-quickstart-guide
 * (authorize at app.hubspot.com, token at api.hubapi.com/oauth/v1/token with optional PKCE
 * `code_verifier`, space-separated scopes, `oauth` always required),
 * https://developers.hubspot.com/docs/api-reference/legacy/authentication/oauth-tokens/v1/get-oauth-token-metadata (test),
 * https://developers.hubspot.com/docs/methods/oauth2/delete-refresh-token (revoke),
 * https://developers.hubspot.com/docs/api/usage-details (429 when over the limit).
 *
 * Rate limits: HubSpot answers 429 (recognised always) with `X-HubSpot-RateLimit-*` headers that
 * give the window's size and what remains of it, not when it resets; the wait is `Retry-After`
 * when sent, else the session's default. CRM search has its own limit (5 requests per second per
 * account), which the contacts adapter paces itself (`adapters/search.ts`).
 *
 * Contacts sync (`adapters/contacts.ts`); `crm.lists.read`/`crm.lists.write` serve a rule scoped
 * to a list (`adapters/lists.ts`).
 */
import type { ProviderDefinition } from '../types.ts';

export const definition = {
  slug: 'hubspot',
  displayName: 'HubSpot',
  category: 'crm',
  docsUrl: 'https://developers.hubspot.com/docs/apps/developer-platform/build-apps/authentication/oauth/oauth-quickstart-guide',
  auth: {
    oauth2: {
      authorizeUrl: 'https://app.hubspot.com/oauth/authorize',
      tokenUrl: 'https://api.hubapi.com/oauth/v1/token',
      pkce: true,
      clientAuth: 'body',
      scopeSeparator: ' ',
      // HubSpot requires `oauth` on every app; the token-metadata test needs nothing more.
      defaultScopes: ['oauth'],
      authorizeParams: {},
      refresh: 'static',
    },
  },
  apiBaseUrl: 'https://api.hubapi.com',
  rateLimit: { signals: [] },
  objects: [
    { name: 'contacts', direction: 'both', scopes: ['crm.objects.contacts.read', 'crm.objects.contacts.write', 'crm.lists.read', 'crm.lists.write'] },
    { name: 'deals', direction: 'both', scopes: ['crm.objects.deals.read', 'crm.objects.deals.write'] },
  ],
} satisfies ProviderDefinition;
