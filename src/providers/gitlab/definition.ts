/**
 * GitLab — OAuth 2.0 with PKCE, or a personal access token; gitlab.com or a self-managed instance.
 *
 * https://docs.gitlab.com/api/oauth2/ — authorize at `/oauth/authorize` (PKCE S256 supported),
 * token at `/oauth/token` (client id and secret in the body; access tokens last two hours, and each
 * refresh returns a new refresh token), revoke at `/oauth/revoke` (client id, secret and `token`).
 * https://docs.gitlab.com/integration/oauth_provider/#view-all-authorized-applications — scopes:
 * `read_user` (the authenticated user: enough for `GET /api/v4/user`), `read_api` (read-only API),
 * `api` (the whole API, read and write: GitLab has no narrower scope that can write issues).
 * https://docs.gitlab.com/api/rest/authentication/#personalprojectgroup-access-tokens — a personal
 * access token may be sent as `Authorization: Bearer <token>` (or `PRIVATE-TOKEN`).
 * https://docs.gitlab.com/security/rate_limits/ — 429 with `Retry-After` and `RateLimit-Reset`
 * (epoch seconds).
 *
 * Self-managed: a personal-token connection may carry its own `apiBaseUrl` (the instance's root
 * URL, any public https host, checked by the egress guard on every request). An OAuth app belongs to
 * one instance, so OAuth to a self-managed instance is the operator's setting
 * (PROVIDER_GITLAB_BASE_URL, _AUTHORIZE_URL, _TOKEN_URL, _REVOKE_URL), not a connection's.
 */
import type { ProviderDefinition } from '../types.ts';

export const definition = {
  slug: 'gitlab',
  displayName: 'GitLab',
  category: 'developer',
  docsUrl: 'https://docs.gitlab.com/api/oauth2/',
  auth: {
    oauth2: {
      authorizeUrl: 'https://gitlab.com/oauth/authorize',
      tokenUrl: 'https://gitlab.com/oauth/token',
      revokeUrl: 'https://gitlab.com/oauth/revoke',
      pkce: true,
      clientAuth: 'body',
      scopeSeparator: ' ',
      // `read_user` is all the connection test (GET /api/v4/user) needs.
      defaultScopes: ['read_user'],
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
          // glpat- since GitLab 14.5; older tokens (and instances with a custom prefix) have none.
          pattern: '^[0-9A-Za-z_.-]{20,}$',
          help: 'Starts with glpat- on current GitLab. Scopes: read_user for the connection, api when issues are synced.',
        },
      ],
      instructions:
        'In GitLab open your avatar → Edit profile → Access tokens → Add new token, choose an expiry date and the scopes `read_user` (and `api` when Patchbay syncs issues), and paste the token here. For a self-managed instance, also send its root URL as `urls.apiBaseUrl` (for example https://gitlab.example.com).',
    },
  },
  apiBaseUrl: 'https://gitlab.com',
  // A self-managed instance for personal-token connections: any public https host (the egress guard checks it).
  urlOverrides: { fields: ['apiBaseUrl'], hosts: ['*'], schemes: ['https'], authKinds: ['api_key'] },
  rateLimit: { signals: [], resetHeader: { name: 'ratelimit-reset', format: 'epoch_seconds' } },
  objects: [{ name: 'issues', direction: 'both', scopes: ['api'] }],
  revokeNote:
    'OAuth grants are revoked on disconnect. A personal access token is not revoked by Patchbay (it is yours, and may be used elsewhere): revoke it in GitLab → Edit profile → Access tokens.',
} satisfies ProviderDefinition;
