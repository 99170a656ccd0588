/**
 * Microsoft 365 — Outlook mail and calendar through Microsoft Graph, on the Microsoft identity
 * platform (OAuth 2.0 authorization code + PKCE, tenant `common` unless the operator pins one; see
 * ../_shared/microsoft.ts for the URLs, refresh, throttling and why there is no revoke).
 *
 * Scopes (https://learn.microsoft.com/graph/permissions-reference), delegated, none needs admin consent:
 * - `offline_access` (a refresh token) and `User.Read` (GET /me, the connection test) always;
 * - events: `Calendars.ReadWrite` — read and write the user's calendar (two-way), which also covers
 *   change-notification subscriptions on `me/events`;
 * - messages: `Mail.Read` — read the user's mail (one-way in), which covers subscriptions on
 *   `me/mailFolders('inbox')/messages`. Sending mail (`Mail.Send`) is not requested.
 */
import { GRAPH_BASE_URL, GRAPH_RATE_LIMIT, MICROSOFT_REVOKE_NOTE, microsoftOAuth2 } from '../_shared/microsoft.ts';
import type { ProviderDefinition } from '../types.ts';

export const definition = {
  slug: 'microsoft-365',
  displayName: 'Microsoft 365',
  category: 'email',
  docsUrl: 'https://learn.microsoft.com/graph/outlook-mail-concept-overview',
  auth: { oauth2: microsoftOAuth2() },
  apiBaseUrl: GRAPH_BASE_URL,
  rateLimit: GRAPH_RATE_LIMIT,
  objects: [
    { name: 'events', direction: 'both', scopes: ['Calendars.ReadWrite'] },
    { name: 'messages', direction: 'in', scopes: ['Mail.Read'] },
  ],
  revokeNote: MICROSOFT_REVOKE_NOTE,
} satisfies ProviderDefinition;
