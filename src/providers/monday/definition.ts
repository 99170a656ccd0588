/**
 * monday.com — OAuth 2.0, or a personal API token; one GraphQL endpoint, `POST
 * https://api.monday.com/v2`, with a pinned `API-Version` header.
 *
 * https://developer.monday.com/apps/docs/oauth — authorize at `auth.monday.com/oauth2/authorize`,
 * exchange at `auth.monday.com/oauth2/token` (client_id and client_secret in the body); scopes are
 * space-separated and must also be enabled on the app; access tokens do not expire and there is no
 * refresh token. monday documents no revoke call: access ends when the app is uninstalled.
 * https://developer.monday.com/api-reference/docs/authentication — personal tokens (a JWT, under
 * Developers → My access tokens) and OAuth tokens both go in `Authorization` as is.
 * https://developer.monday.com/api-reference/docs/api-versioning — quarterly versions; 2026-10 is
 * the current one (and the version of the schema the contract tests use).
 * https://developer.monday.com/api-reference/docs/rate-limits and /docs/error-handling — HTTP 429
 * ("Rate Limit Exceeded", with `Retry-After`) for the minute and IP limits; application errors are
 * HTTP 200 with an `errors` array, e.g. `COMPLEXITY_BUDGET_EXHAUSTED` with
 * `extensions.retry_in_seconds` (older versions: `error_code: ComplexityException`). The connector
 * maps those to the rate-limit signal with monday's wait.
 */
import type { ProviderDefinition } from '../types.ts';

/** The pinned API version (monday's current version; the contract tests' schema is fetched for it). */
export const MONDAY_API_VERSION = '2026-10';

export const definition = {
  slug: 'monday',
  displayName: 'Monday.com',
  category: 'project_management',
  docsUrl: 'https://developer.monday.com/apps/docs/oauth',
  auth: {
    oauth2: {
      authorizeUrl: 'https://auth.monday.com/oauth2/authorize',
      tokenUrl: 'https://auth.monday.com/oauth2/token',
      pkce: false,
      clientAuth: 'body',
      scopeSeparator: ' ',
      // `me:read` and `account:read` cover the connection test (`me { … account { … } }`).
      defaultScopes: ['me:read', 'account:read'],
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
          pattern: '^eyJ[\\w-]+\\.[\\w-]+\\.[\\w-]+$',
          help: 'A long token starting with eyJ. In monday.com open your avatar → Developers → My access tokens → Show.',
        },
      ],
      instructions:
        'In monday.com open your avatar → Developers → My access tokens, copy your personal API token (it starts with eyJ) and paste it here. It acts as you, with your permissions on every board you can see.',
    },
  },
  apiBaseUrl: 'https://api.monday.com',
  rateLimit: { signals: [] },
  // Items as tasks (no adapter yet).
  objects: [{ name: 'tasks', direction: 'both', scopes: ['boards:read', 'boards:write'] }],
  revokeNote:
    'monday.com has no revoke call: Patchbay deleted its copy of the token. To cut off access completely, uninstall the app (Administration → Apps, or the app\'s page in the Marketplace) for an OAuth connection, or regenerate the personal API token under Developers → My access tokens.',
} satisfies ProviderDefinition;
