/**
 * Stripe — a restricted API key (or a secret key), sent as `Authorization: Bearer <key>`.
 *
 * https://docs.stripe.com/keys/restricted-api-keys — restricted keys start with `rk_live_` or
 * `rk_test_` and can do only what they were granted (Read / Write / None per resource); secret keys
 * (`sk_live_` / `sk_test_`) can do anything in the account, which is why restricted keys are the
 * recommended mode. https://docs.stripe.com/keys/permissions-reference — `GET /v1/account` (the
 * test) needs `connected_account_read`; reading customers needs `customer_read`.
 * https://docs.stripe.com/api/authentication — Bearer (or Basic with the key as user name).
 * https://docs.stripe.com/rate-limits — 429 when a limiter trips. Stripe documents no Retry-After
 * for it; its SDKs honour `Stripe-Should-Retry` and a `Retry-After` when one is sent
 * (stripe/stripe-php#755, stripe/stripe-node#692), which the shared client also does — without one
 * it waits its default.
 * Stripe Connect OAuth (a platform acting on connected accounts) is not offered: Patchbay connects
 * one Stripe account with its own key.
 */
import type { ProviderDefinition } from '../types.ts';

/** The key kinds Stripe issues for server-side use; publishable keys (`pk_`) cannot read the account. */
export const STRIPE_KEY_PATTERN = '^(rk|sk)_(live|test)_[0-9A-Za-z]{10,}$';

export const definition = {
  slug: 'stripe',
  displayName: 'Stripe',
  category: 'billing',
  docsUrl: 'https://docs.stripe.com/keys/restricted-api-keys',
  auth: {
    credentials: {
      kind: 'api_key',
      fields: [
        {
          name: 'apiKey',
          label: 'Restricted API key',
          secret: true,
          pattern: STRIPE_KEY_PATTERN,
          help: 'Starts with rk_live_ or rk_test_ (recommended). A secret key (sk_…) also works, but it can do anything in the account.',
        },
      ],
      instructions:
        'In the Stripe Dashboard open Developers → API keys → Create restricted key. Grant Read on Accounts (`connected_account_read`, which the connection test needs) and on Customers (`customer_read`), nothing else, then paste the key (rk_live_… or rk_test_…) here. A secret key (sk_…) is accepted too, but a restricted key limits the damage should it leak.',
    },
  },
  apiBaseUrl: 'https://api.stripe.com',
  rateLimit: { signals: [] },
  objects: [{ name: 'customers', direction: 'in', scopes: [] }],
  revokeNote:
    'Stripe API keys have no revoke call: Patchbay deleted its copy; to cut off access completely, delete (or roll) the restricted key in the Stripe Dashboard (Developers → API keys).',
} satisfies ProviderDefinition;
