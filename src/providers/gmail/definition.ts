/**
 * Gmail — Google OAuth 2.0 for web servers, offline access (as Google Calendar).
 *
 * https://developers.google.com/identity/protocols/oauth2/web-server (authorize, token, revoke;
 * `access_type=offline` + `prompt=consent` for a refresh token every time; PKCE supported),
 * https://developers.google.com/workspace/gmail/api/auth/scopes (scopes; `gmail.readonly` is
 * restricted, `gmail.send` sensitive),
 * https://developers.google.com/workspace/gmail/api/guides/handle-errors (403 with reason
 * `userRateLimitExceeded`, `rateLimitExceeded` or `dailyLimitExceeded`, and 429 — limits, not
 * refused credentials: read as auth failures they would force a refresh and error the connection).
 * Push (users.watch) needs a Google Cloud Pub/Sub topic: out of scope, Patchbay takes no Gmail
 * webhooks (see docs/providers/gmail.md).
 */
import type { ProviderDefinition } from '../types.ts';
import { GOOGLE_OAUTH, GOOGLE_RATE_LIMIT_SIGNALS } from '../_shared/google.ts';

const READONLY = 'https://www.googleapis.com/auth/gmail.readonly';
const SEND = 'https://www.googleapis.com/auth/gmail.send';

export const definition = {
  slug: 'gmail',
  displayName: 'Gmail',
  category: 'email',
  docsUrl: 'https://developers.google.com/workspace/gmail/api/guides',
  auth: {
    oauth2: {
      ...GOOGLE_OAUTH,
      // None: Gmail has no identity-only scope. The connection test (users.getProfile) accepts
      // mail.google.com, gmail.compose, gmail.metadata, gmail.modify or gmail.readonly (Discovery),
      // and the messages object's `gmail.readonly` is one of them. Not `gmail.metadata` besides it: it
      // adds nothing, and the description says `q` and format=full "cannot be used when accessing
      // the api using the gmail.metadata scope". No `openid email` either: the profile names the mailbox.
      defaultScopes: [],
    },
  },
  apiBaseUrl: 'https://gmail.googleapis.com',
  rateLimit: {
    // Error reasons: `rateLimitExceeded` / `userRateLimitExceeded` (case differs, hence two) and
    // `dailyLimitExceeded` (the project's daily quota).
    signals: [
      ...GOOGLE_RATE_LIMIT_SIGNALS,
    ],
  },
  // In: new mail (history.list, messages.get — `gmail.readonly`); out: sending (messages.send —
  // `gmail.send`, which cannot read). Labels and drafts (gmail.modify / gmail.compose) are not asked.
  objects: [{ name: 'messages', direction: 'both', scopes: [READONLY, SEND] }],
} satisfies ProviderDefinition;
