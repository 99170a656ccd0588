/** Stripe's connector: GET /v1/account as the test. No revoke (see revokeNote). */
import { z } from 'zod';
import type { ConnectorSpec, Credentials } from '../types.ts';

/**
 * GET /v1/account → the Account the key belongs to. The description (stripe/openapi spec3,
 * `account`) requires only `id` and `object`; `business_profile`, `settings` and `email` are
 * nullable, as is `settings.dashboard.display_name`.
 * https://docs.stripe.com/api/accounts/retrieve
 */
export const accountSchema = z.object({
  id: z.string(),
  business_profile: z.object({ name: z.string().nullish() }).nullish(),
  settings: z.object({ dashboard: z.object({ display_name: z.string().nullish() }).nullish() }).nullish(),
  email: z.string().nullish(),
  country: z.string().nullish(),
});

/** Test or live mode and restricted or secret, read from the key's documented prefix. */
export function keyKind(credentials: Credentials): { mode: 'live' | 'test'; restricted: boolean } | null {
  const key = credentials.type === 'api_key' ? credentials.fields.apiKey : undefined;
  const m = key ? /^(rk|sk)_(live|test)_/.exec(key) : null;
  return m ? { mode: m[2] as 'live' | 'test', restricted: m[1] === 'rk' } : null;
}

export const connector: ConnectorSpec<typeof accountSchema> = {
  test: {
    path: '/v1/account',
    response: accountSchema,
    account: (a, ctx) => {
      // The customer-facing name, else the Dashboard's name for the account, else its email.
      const name = a.business_profile?.name || a.settings?.dashboard?.display_name || a.email;
      const kind = keyKind(ctx.credentials);
      return {
        id: a.id,
        name,
        extra: { country: a.country ?? null, livemode: kind ? kind.mode === 'live' : null, restrictedKey: kind?.restricted ?? null },
      };
    },
  },
};
