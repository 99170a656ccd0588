/**
 * Microsoft Teams (as a provider) — a connection through which Patchbay reads a user's teams and
 * channels and posts in channels, through Microsoft Graph, on the Microsoft identity platform
 * (authorization code + PKCE; see ../_shared/microsoft.ts for the URLs, tenant, refresh,
 * throttling and why there is no revoke). Separate from Patchbay's own Teams bot (bots/teams),
 * which authenticates to the Bot Framework, not as a user.
 *
 * Scopes (https://learn.microsoft.com/graph/permissions-reference), delegated, none needs admin consent:
 * - `offline_access` (a refresh token) and `User.Read` (GET /me, the connection test) always;
 * - messages: `Team.ReadBasic.All` (the teams the user joined: `GET /me/joinedTeams`),
 *   `Channel.ReadBasic.All` (their channels' names: `GET /teams/{id}/channels`) and
 *   `ChannelMessage.Send` (`POST /teams/{id}/channels/{id}/messages`). Reading message content
 *   (`ChannelMessage.Read.All`) needs an admin's consent and is not requested in this version.
 * Teams APIs serve work and school accounts only: a personal account can sign in on `common` but
 * has no teams (an operator may pin `organizations` or a tenant).
 */
import { GRAPH_BASE_URL, GRAPH_RATE_LIMIT, MICROSOFT_REVOKE_NOTE, microsoftOAuth2 } from '../_shared/microsoft.ts';
import type { ProviderDefinition } from '../types.ts';

export const definition = {
  slug: 'microsoft-teams',
  displayName: 'Microsoft Teams',
  category: 'communication',
  docsUrl: 'https://learn.microsoft.com/graph/teams-concept-overview',
  auth: { oauth2: microsoftOAuth2() },
  apiBaseUrl: GRAPH_BASE_URL,
  rateLimit: GRAPH_RATE_LIMIT,
  objects: [{ name: 'messages', direction: 'out', scopes: ['Team.ReadBasic.All', 'Channel.ReadBasic.All', 'ChannelMessage.Send'] }],
  revokeNote: MICROSOFT_REVOKE_NOTE,
} satisfies ProviderDefinition;
