/**
 * Zoho CRM — OAuth 2.0 with data-center-specific hosts.
 *
 * https://www.zoho.com/crm/developer/docs/api/v8/oauth-overview.html and
 * https://www.zoho.com/crm/developer/docs/api/v8/multi-dc.html: a user's account lives in one data
 * center (US `accounts.zoho.com`, EU `.eu`, IN `.in`, AU `.com.au`, JP `.jp`, CA `zohocloud.ca`,
 * CN `.com.cn`, SA `.sa`, UK `.uk`). The authorization redirect carries `location` and
 * `accounts-server` (that data center's accounts host): the code must be exchanged there, and the
 * refresh and revoke calls go there too. The token response's `api_domain` (`https://www.zohoapis.eu`,
 * …) is the API host of every later request. Both are kept per connection — the accounts server as
 * the connection's token and revoke URLs (`urlsFromCallback`, on the hosts below only), `api_domain`
 * in the credentials (`apiBaseUrlFromToken`) — and both go through the egress guard.
 * `access_type=offline` gives a refresh token (static: refreshing returns none), `prompt=consent`
 * a new one on each authorization. Revoke: `POST {accounts-server}/oauth/v2/token/revoke?token=…`.
 * Scopes: https://www.zoho.com/crm/developer/docs/api/v8/scopes.html (comma-separated).
 * Limits: https://www.zoho.com/crm/developer/docs/api/v8/api-limits.html (credits per day and
 * concurrency; 429 when exceeded).
 */
import type { ProviderDefinition } from '../types.ts';

export const ACCOUNTS_HOSTS = ['accounts.zoho.com', 'accounts.zoho.eu', 'accounts.zoho.in', 'accounts.zoho.com.au', 'accounts.zoho.jp', 'accounts.zohocloud.ca', 'accounts.zoho.ca', 'accounts.zoho.com.cn', 'accounts.zoho.sa', 'accounts.zoho.uk'];
export const API_HOSTS = ['www.zohoapis.com', 'www.zohoapis.eu', 'www.zohoapis.in', 'www.zohoapis.com.au', 'www.zohoapis.jp', 'www.zohoapis.ca', 'www.zohoapis.com.cn', 'www.zohoapis.sa', 'www.zohoapis.uk'];

export const definition = {
  slug: 'zoho-crm',
  displayName: 'Zoho CRM',
  category: 'crm',
  docsUrl: 'https://www.zoho.com/crm/developer/docs/api/v8/multi-dc.html',
  auth: {
    oauth2: {
      // The US data center: Zoho redirects users of other data centers and names theirs in the callback.
      authorizeUrl: 'https://accounts.zoho.com/oauth/v2/auth',
      tokenUrl: 'https://accounts.zoho.com/oauth/v2/token',
      revokeUrl: 'https://accounts.zoho.com/oauth/v2/token/revoke',
      pkce: false,
      clientAuth: 'body',
      scopeSeparator: ',',
      // `ZohoCRM.users.READ` covers the test (GET /crm/v8/users?type=CurrentUser), nothing more.
      defaultScopes: ['ZohoCRM.users.READ'],
      authorizeParams: { access_type: 'offline', prompt: 'consent' },
      refresh: 'static',
    },
  },
  apiBaseUrl: 'https://www.zohoapis.com',
  apiBaseUrlFromToken: { field: 'api_domain', hosts: API_HOSTS, path: '' },
  urlOverrides: { fields: ['tokenUrl', 'revokeUrl'], hosts: ACCOUNTS_HOSTS, schemes: ['https'], authKinds: ['oauth2'] },
  urlsFromCallback: {
    param: 'accounts-server',
    urls: [
      { field: 'tokenUrl', path: '/oauth/v2/token' },
      { field: 'revokeUrl', path: '/oauth/v2/token/revoke' },
    ],
  },
  rateLimit: { signals: [] },
  objects: [
    // Module records, and the notification channels that push their changes (`/actions/watch`).
    { name: 'contacts', direction: 'both', scopes: ['ZohoCRM.modules.contacts.ALL', 'ZohoCRM.notifications.ALL'] },
    { name: 'deals', direction: 'both', scopes: ['ZohoCRM.modules.deals.ALL'] },
  ],
} satisfies ProviderDefinition;
