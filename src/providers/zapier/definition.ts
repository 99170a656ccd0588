/**
 * Zapier — Patchbay as the app Zapier connects to, by Zapier's REST Hook convention: Zapier's app
 * holds a Patchbay API token (API-key authentication, tested with `GET /api/v1/zapier/me`), turning
 * a Zap on subscribes its hook URL to one Patchbay event type (`POST /api/v1/zapier/hooks`),
 * turning it off unsubscribes (`DELETE /api/v1/zapier/hooks/{id}`), and `GET
 * /api/v1/zapier/samples/{eventType}` gives the sample data Zapier maps fields from. Patchbay
 * never calls Zapier's API, so the definition is `inbound`: nothing to type, nothing stored.
 *
 * https://docs.zapier.com/platform/build/hook-trigger (REST hooks: subscribe, unsubscribe,
 * performList; a 410 from the hook URL means the subscription is gone),
 * https://docs.zapier.com/platform/build/test-auth (the authentication test request; its response labels the connection).
 */
import type { ProviderDefinition } from '../types.ts';

export const definition = {
  slug: 'zapier',
  displayName: 'Zapier',
  category: 'other',
  docsUrl: 'https://docs.zapier.com/platform/build/hook-trigger',
  auth: {
    inbound: {
      instructions:
        'Zapier calls Patchbay; Patchbay stores nothing for it. 1) An Owner creates an API token for an Admin (or Owner) with `POST /api/v1/tokens` or `npm run token` — Zaps act as that member, and a Member\'s token can read samples but not turn Zaps on. 2) In Zapier, add Patchbay\'s app and paste the token (and this Patchbay\'s address) when Zapier asks for the API key. 3) Turn on a Zap with a Patchbay trigger (any event type, e.g. task_added): Zapier subscribes its hook URL, Patchbay delivers each event there, and turning the Zap off unsubscribes. `webhooks` lists Zapier\'s endpoints; testing this connection lists the active subscriptions.',
    },
  },
  // Never called: deliveries go to the hook URLs Zapier subscribes (on this host).
  apiBaseUrl: 'https://hooks.zapier.com',
  rateLimit: { signals: [] },
  objects: [],
  revokeNote:
    "To stop Zaps, turn them off in Zapier (that removes their subscriptions), or revoke the API token Zapier holds (DELETE /api/v1/tokens/{id}); disconnecting does neither.",
} satisfies ProviderDefinition;
