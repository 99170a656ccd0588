/**
 * Linear — personal API key, or OAuth 2.0.
 *
 * OAuth: https://linear.app/developers/oauth-2-0-authentication (authorize at linear.app, token and
 * revoke at api.linear.app, comma-separated scopes; `read` is always granted).
 * Rate limits: https://linear.app/developers/rate-limiting — GraphQL answers HTTP 400 with
 * `extensions.code: RATELIMITED`; `X-RateLimit-Requests-Reset` is a UTC epoch in milliseconds.
 */
import type { ProviderDefinition } from '../types.ts';

export const definition = {
  slug: 'linear',
  displayName: 'Linear',
  category: 'project_management',
  docsUrl: 'https://linear.app/developers',
  auth: {
    oauth2: {
      authorizeUrl: 'https://linear.app/oauth/authorize',
      tokenUrl: 'https://api.linear.app/oauth/token',
      revokeUrl: 'https://api.linear.app/oauth/revoke',
      pkce: true,
      clientAuth: 'body',
      scopeSeparator: ',',
      // `read` is what the "who am I" test needs (and Linear always grants it).
      defaultScopes: ['read'],
      authorizeParams: { prompt: 'consent' },
      // Apps created since 2025-10-01 get refresh tokens; a refresh may return a new one.
      refresh: 'rotating',
    },
    credentials: {
      kind: 'api_key',
      fields: [
        {
          name: 'apiKey',
          label: 'Personal API key',
          secret: true,
          pattern: '^lin_api_',
          help: 'Starts with lin_api_. Create one in Linear → Settings → Security & access → Personal API keys.',
        },
      ],
      instructions:
        'In Linear open Settings → Security & access → Personal API keys, create a key with the permissions Patchbay needs, and paste it here. It is shown only once.',
    },
  },
  apiBaseUrl: 'https://api.linear.app',
  rateLimit: {
    signals: [{ status: 400, bodyIncludes: 'RATELIMITED' }],
    resetHeader: { name: 'x-ratelimit-requests-reset', format: 'epoch_ms' },
  },
  objects: [{ name: 'issues', direction: 'both', scopes: ['write'] }],
  revokeNote:
    'OAuth grants are revoked on disconnect. A personal API key cannot be revoked through the API: delete it in Linear → Settings → Security & access.',
} satisfies ProviderDefinition;
