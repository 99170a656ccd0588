/**
 * Dropbox's connector: `POST /2/users/get_current_account` as the test, `POST
 * /2/auth/token/revoke` on disconnect. Both are RPC routes without arguments (`Void`): the body is
 * the JSON `null`, as Dropbox's SDKs send it.
 */
import { z } from 'zod';
import { parseProviderResponse } from '../_shared/parse.ts';
import type { ConnectorSpec } from '../types.ts';

/**
 * FullAccount (users.stone: `FullAccount extends Account`): `account_id` (`dbid:…`), `name`
 * (`display_name` among others), `email`; `country` and `team` are optional.
 * https://www.dropbox.com/developers/documentation/http/documentation#users-get_current_account
 */
export const fullAccountSchema = z.object({
  account_id: z.string(),
  name: z.object({ display_name: z.string() }).loose(),
  email: z.string(),
  country: z.string().nullish(),
  account_type: z.object({ '.tag': z.string() }).loose().nullish(),
  team: z.object({ id: z.string(), name: z.string() }).loose().nullish(),
});

/** The RPC form of a route without arguments. */
export const VOID_ARG = { body: 'null', headers: { 'content-type': 'application/json' } } as const;

export const CURRENT_ACCOUNT_PATH = '/2/users/get_current_account';
export const REVOKE_PATH = '/2/auth/token/revoke';

export const connector: ConnectorSpec = {
  async test(ctx) {
    const what = `POST ${CURRENT_ACCOUNT_PATH}`;
    const res = await ctx.http.request({ method: 'POST', url: CURRENT_ACCOUNT_PATH, ...VOID_ARG, headers: { ...VOID_ARG.headers }, idempotent: true });
    const a = parseProviderResponse(ctx.provider, fullAccountSchema, res.body, what);
    return {
      accountId: a.account_id,
      accountName: a.name.display_name || a.email,
      extra: { email: a.email, accountType: a.account_type?.['.tag'] ?? null, ...(a.team ? { team: a.team.name } : {}) },
    };
  },

  /** Bearer (the connection's own token) + `null`: Dropbox disables it and its refresh token. */
  async revoke(ctx) {
    await ctx.http.request({ method: 'POST', url: ctx.urls.revokeUrl ?? REVOKE_PATH, ...VOID_ARG, headers: { ...VOID_ARG.headers }, idempotent: true });
  },
};
