/**
 * Discord — OAuth 2.0 authorization code grant for a Discord application.
 *
 * As a provider, Discord is a connection to a person's Discord account and the servers (guilds)
 * they are in, for Patchbay's automations. It is separate from Patchbay's own Discord bot
 * (bots/discord, configured with DISCORD_*): this OAuth app is configured like any provider's, with
 * PROVIDER_DISCORD_*.
 *
 * https://discord.com/developers/docs/topics/oauth2 — authorize at
 * `https://discord.com/oauth2/authorize`, token at `https://discord.com/api/oauth2/token`, revoke
 * at `https://discord.com/api/oauth2/token/revoke` (form `token` + `token_type_hint`, the app's
 * client id and secret as HTTP Basic, as the docs' examples send them to both); space-separated
 * scopes; access tokens last seven days and come with a refresh token; revoking any valid access
 * or refresh token invalidates all of the application's tokens for that user.
 * https://discord.com/developers/docs/topics/rate-limits — HTTP 429 with `Retry-After`, a JSON body
 * `{ message, retry_after, global }`, and `X-RateLimit-Reset-After` (seconds) on every response.
 *
 * Scopes: `identify` is what `GET /users/@me` (the test) needs; `guilds` lets `GET
 * /users/@me/guilds` list the servers the person is in, so an automation can pick one. Reading and
 * posting channel messages is not possible with these tokens: Discord's description allows only a
 * bot token on `/channels/{id}/messages`, which needs the `bot` scope (adding the application's bot
 * to one server, with permissions) and the application's bot token — not requested (see the page).
 */
import type { ProviderDefinition } from '../types.ts';

export const definition = {
  slug: 'discord',
  displayName: 'Discord',
  category: 'communication',
  docsUrl: 'https://discord.com/developers/docs/topics/oauth2',
  auth: {
    oauth2: {
      authorizeUrl: 'https://discord.com/oauth2/authorize',
      tokenUrl: 'https://discord.com/api/oauth2/token',
      revokeUrl: 'https://discord.com/api/oauth2/token/revoke',
      pkce: false,
      clientAuth: 'basic',
      scopeSeparator: ' ',
      defaultScopes: ['identify', 'guilds'],
      authorizeParams: {},
      refresh: 'rotating',
    },
  },
  apiBaseUrl: 'https://discord.com/api/v10',
  rateLimit: { signals: [], resetHeader: { name: 'x-ratelimit-reset-after', format: 'seconds' } },
  // Channel messages need the application's bot token (see above): nothing is synced with a user's grant yet.
  objects: [],
} satisfies ProviderDefinition;
