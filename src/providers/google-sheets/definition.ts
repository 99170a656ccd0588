/**
 * Google Sheets — Google OAuth 2.0 for web servers, offline access (as Google Calendar and Gmail).
 *
 * https://developers.google.com/identity/protocols/oauth2/web-server (authorize, token, revoke;
 * `access_type=offline` + `prompt=consent` for a refresh token every time; PKCE supported),
 * https://developers.google.com/workspace/sheets/api/scopes (scopes; `spreadsheets` is sensitive,
 * `drive.file` non-sensitive but limited to files the app created or the user picked),
 * https://developers.google.com/workspace/sheets/api/limits (per-minute quotas; 429 when exceeded).
 *
 * Sheets has no "who am I": the connection test is Google's OAuth2 userinfo
 * (`GET https://www.googleapis.com/oauth2/v2/userinfo`, oauth2.userinfo.get), which
 * `userinfo.email` alone allows — a non-sensitive scope — and which names the account by email.
 * The API base URL is therefore www.googleapis.com; the Sheets API itself lives at
 * https://sheets.googleapis.com, which a rows adapter will need (none exists yet).
 */
import type { ProviderDefinition } from '../types.ts';
import { GOOGLE_OAUTH, GOOGLE_RATE_LIMIT_SIGNALS } from '../_shared/google.ts';

export const definition = {
  slug: 'google-sheets',
  displayName: 'Google Sheets',
  category: 'storage',
  docsUrl: 'https://developers.google.com/workspace/sheets/api/guides/concepts',
  auth: {
    oauth2: {
      ...GOOGLE_OAUTH,
      // Identity only: the email address, which the connection test (oauth2.userinfo.get) reads.
      // Discovery lists userinfo.email, userinfo.profile (and the retired plus.*) for it.
      defaultScopes: ['https://www.googleapis.com/auth/userinfo.email'],
    },
  },
  apiBaseUrl: 'https://www.googleapis.com',
  rateLimit: {
    // Sheets answers 429 (always a rate limit) when a per-minute quota is exceeded; the 403
    // reasons are those every Google API uses for usage limits.
    signals: [
      ...GOOGLE_RATE_LIMIT_SIGNALS,
    ],
  },
  // Rows of the team's existing sheets, both ways (new-row triggers; add row, update cell).
  // `spreadsheets.readonly` cannot write; `drive.file` reaches only sheets Patchbay created or the
  // user picked with Google Picker (Patchbay has no picker).
  objects: [{ name: 'rows', direction: 'both', scopes: ['https://www.googleapis.com/auth/spreadsheets'] }],
} satisfies ProviderDefinition;
