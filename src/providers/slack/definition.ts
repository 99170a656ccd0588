/**
 * Slack — OAuth v2 for a Slack app installed in a workspace; the connection holds its bot token.
 *
 * As a provider, Slack is a connection through which Patchbay (later, its automations) reads and
 * posts in a team's channels. It is separate from Patchbay's own chat bot (bots/slack, configured
 * with SLACK_*): this OAuth app is configured like any provider's, with PROVIDER_SLACK_*.
 *
 * https://docs.slack.dev/authentication/installing-with-oauth — authorize at
 * `https://slack.com/oauth/v2/authorize` with comma-separated bot `scope`s; exchange the code at
 * `oauth.v2.access` (which asks for the client id and secret as HTTP Basic rather than in the form);
 * the bot token (`xoxb-…`) is at the root of the response with `team`, `bot_user_id` and `app_id`,
 * a user token only under `authed_user` when user scopes are asked for (none are).
 * https://docs.slack.dev/reference/methods/oauth.v2.access — errors come as HTTP 200 with
 * `{ ok: false, error }` (`invalid_code`, `bad_client_secret`, `bad_redirect_uri`, …).
 * https://docs.slack.dev/authentication/using-token-rotation — with token rotation turned on, access
 * tokens expire after 12 hours and each refresh revokes the refresh token and returns a new one;
 * without it, the bot token does not expire (no refresh token).
 * https://docs.slack.dev/reference/methods/auth.test (the test) and
 * https://docs.slack.dev/reference/methods/auth.revoke (the revoke): tokens go in the
 * `Authorization: Bearer` header; the Web API accepts GET or POST for every method.
 * https://docs.slack.dev/apis/web-api/rate-limits — HTTP 429 with `Retry-After` (seconds).
 *
 * Scopes (bot): `channels:read` lists public channels (to find the one an automation names) and
 * `chat:write` posts where the bot is a member. `auth.test` needs no scope.
 */
import type { ProviderDefinition } from '../types.ts';

export const definition = {
  slug: 'slack',
  displayName: 'Slack',
  category: 'communication',
  docsUrl: 'https://docs.slack.dev/authentication/installing-with-oauth',
  auth: {
    oauth2: {
      authorizeUrl: 'https://slack.com/oauth/v2/authorize',
      tokenUrl: 'https://slack.com/api/oauth.v2.access',
      revokeUrl: 'https://slack.com/api/auth.revoke',
      pkce: false,
      // Slack: "avoid sending client_id and client_secret as parameters … supply them using HTTP Basic".
      clientAuth: 'basic',
      scopeSeparator: ',',
      // auth.test needs no scope; the messages object asks for what reading channels and posting need.
      defaultScopes: [],
      authorizeParams: {},
      // Only when the app turns on token rotation; otherwise the response carries no refresh token.
      refresh: 'rotating',
    },
  },
  apiBaseUrl: 'https://slack.com/api',
  rateLimit: { signals: [] },
  objects: [{ name: 'messages', direction: 'both', scopes: ['channels:read', 'chat:write'] }],
} satisfies ProviderDefinition;
