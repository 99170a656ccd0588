/**
 * Salesforce — OAuth 2.0 web server flow (authorization code + PKCE), per-org instance URL.
 *
 * https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_web_server_flow.htm (authorize
 * and token at `https://login.salesforce.com/services/oauth2/…`, `test.salesforce.com` for sandboxes,
 * or the org's My Domain login host; PKCE; the token response carries `instance_url` and `id`, the
 * identity URL), https://login.salesforce.com/.well-known/openid-configuration (the endpoints,
 * revocation included, and the scopes), https://help.salesforce.com/s/articleView?id=sf.remoteaccess_revoke_token.htm
 * (revoke), https://developer.salesforce.com/docs/atlas.en-us.salesforce_app_limits_cheatsheet.meta/salesforce_app_limits_cheatsheet/salesforce_app_limits_platform_api.htm
 * (the rolling 24-hour API request allocation; past it, `403` with `errorCode: REQUEST_LIMIT_EXCEEDED`).
 *
 * Every API call goes to the connection's `instance_url` (the token response, kept with the
 * credentials, limited to Salesforce hosts and checked by the egress guard); `apiBaseUrl` is only
 * the login host's fallback. The login host itself may be overridden per connection (sandbox or My
 * Domain), on Salesforce hosts only.
 */
import type { ProviderDefinition } from '../types.ts';

export const definition = {
  slug: 'salesforce',
  displayName: 'Salesforce',
  category: 'crm',
  docsUrl: 'https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_web_server_flow.htm',
  auth: {
    oauth2: {
      authorizeUrl: 'https://login.salesforce.com/services/oauth2/authorize',
      tokenUrl: 'https://login.salesforce.com/services/oauth2/token',
      revokeUrl: 'https://login.salesforce.com/services/oauth2/revoke',
      pkce: true,
      clientAuth: 'body',
      scopeSeparator: ' ',
      // `api`: REST calls; `refresh_token`: a refresh token; `id`: the identity/userinfo service (the test).
      defaultScopes: ['api', 'refresh_token', 'id'],
      authorizeParams: {},
      refresh: 'static',
    },
  },
  apiBaseUrl: 'https://login.salesforce.com',
  apiBaseUrlFromToken: { field: 'instance_url', hosts: ['*.salesforce.com'] },
  // Sandboxes log in at test.salesforce.com; orgs that block the generic hosts, at their My Domain.
  urlOverrides: {
    fields: ['authorizeUrl', 'tokenUrl', 'revokeUrl'],
    hosts: ['login.salesforce.com', 'test.salesforce.com', '*.my.salesforce.com'],
    schemes: ['https'],
    authKinds: ['oauth2'],
  },
  rateLimit: {
    signals: [{ status: 403, bodyIncludes: 'REQUEST_LIMIT_EXCEEDED', pause: { seconds: 3600, maxSeconds: 24 * 3600 } }],
  },
  objects: [{ name: 'contacts', direction: 'in', scopes: [] }],
} satisfies ProviderDefinition;
