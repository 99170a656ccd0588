/**
 * Dropbox — OAuth 2.0 (code flow with PKCE) with offline refresh tokens.
 *
 * https://developers.dropbox.com/oauth-guide and
 * https://www.dropbox.com/developers/documentation/http/documentation#oauth2-authorize —
 * authorize at `https://www.dropbox.com/oauth2/authorize` with `token_access_type=offline` (else
 * only a short-lived access token and no refresh token), PKCE S256 supported, `scope` space
 * separated; token at `https://api.dropboxapi.com/oauth2/token` (client id and secret in the body
 * or as HTTP Basic). Access tokens last about four hours (`expires_in` 14400); the refresh token is
 * long-lived and is not replaced on refresh. The token response carries `account_id`.
 * https://www.dropbox.com/developers/documentation/http/documentation#auth-token-revoke —
 * `POST https://api.dropboxapi.com/2/auth/token/revoke` (no arguments) disables the access token
 * and the refresh token behind it.
 * https://developers.dropbox.com/dbx-performance-guide — 429 (`too_many_requests`,
 * `too_many_write_operations`) with `Retry-After` in seconds.
 */
import type { ProviderDefinition } from '../types.ts';

export const definition = {
  slug: 'dropbox',
  displayName: 'Dropbox',
  category: 'storage',
  docsUrl: 'https://developers.dropbox.com/oauth-guide',
  auth: {
    oauth2: {
      authorizeUrl: 'https://www.dropbox.com/oauth2/authorize',
      tokenUrl: 'https://api.dropboxapi.com/oauth2/token',
      revokeUrl: 'https://api.dropboxapi.com/2/auth/token/revoke',
      pkce: true,
      clientAuth: 'body',
      scopeSeparator: ' ',
      // The connection test, users/get_current_account, requires exactly this scope (users.stone).
      defaultScopes: ['account_info.read'],
      // A refresh token, so the connection outlives the four-hour access token.
      authorizeParams: { token_access_type: 'offline' },
      refresh: 'static',
    },
  },
  apiBaseUrl: 'https://api.dropboxapi.com',
  rateLimit: { signals: [] },
  // Files and folders, read-only: listing and change cursors (files/list_folder…) need only metadata.
  objects: [{ name: 'files', direction: 'in', scopes: ['files.metadata.read'] }],
} satisfies ProviderDefinition;
