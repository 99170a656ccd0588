/**
 * monday.com's connector: the GraphQL `me` query as the test; tokens raw in `Authorization`, the
 * pinned `API-Version` on every request. No revoke (see revokeNote).
 */
import { z } from 'zod';
import { AppError } from '../../errors.ts';
import { parseRetryAfter, rateLimitWaitSeconds, rateLimitedError } from '../_shared/http.ts';
import { parseProviderResponse } from '../_shared/parse.ts';
import type { AccountInfo, ConnectorContext, ConnectorSpec } from '../types.ts';
import { MONDAY_API_VERSION } from './definition.ts';

export const ME_QUERY = 'query PatchbayMe { me { id name email account { id name slug } } }';

/**
 * https://developer.monday.com/api-reference/docs/error-handling: errors follow the GraphQL spec
 * (`message`, `extensions.code`, `extensions.retry_in_seconds` for limits); legacy shapes put
 * `error_code`, `error_message` and `error_data.retry_in_seconds` at the top level, or plain strings
 * in `errors`.
 */
const graphqlErrorSchema = z.union([
  z.string(),
  z.object({ message: z.string().optional(), extensions: z.object({ code: z.string().optional(), retry_in_seconds: z.number().optional() }).loose().optional() }).loose(),
]);

/** The `me` query's answer; the schema makes `me`, `account`, and their fields non-null, the zod schema is looser. */
export const meResponseSchema = z
  .object({
    data: z
      .object({
        me: z
          .object({
            id: z.union([z.string(), z.number()]),
            name: z.string().nullish(),
            email: z.string().nullish(),
            account: z.object({ id: z.union([z.string(), z.number()]).nullish(), name: z.string().nullish(), slug: z.string().nullish() }).nullish(),
          })
          .nullish(),
      })
      .nullish(),
    errors: z.array(graphqlErrorSchema).optional(),
    error_code: z.string().optional(),
    error_message: z.string().optional(),
    error_data: z.object({ retry_in_seconds: z.number().optional() }).loose().nullish(),
  })
  .loose();

const RATE_LIMIT = /complexity|limit_exceeded|rate.?limit|concurrency/i;
const AUTH = /unauthori[sz]ed|not.?authenticated|invalid.?token|authentication/i;

async function me(ctx: ConnectorContext) {
  const provider = ctx.provider;
  const res = await ctx.http.request({
    method: 'POST',
    url: '/v2',
    body: { query: ME_QUERY },
    idempotent: true,
    // Malformed queries come back as HTTP 400 with an `errors` array, read below.
    allowStatuses: [400],
  });
  const body = parseProviderResponse(provider, meResponseSchema, res.body, 'POST /v2');
  const first = body.errors?.[0];
  const code = body.error_code ?? (typeof first === 'object' ? first.extensions?.code : undefined);
  const message = body.error_message ?? (typeof first === 'string' ? first : first?.message) ?? 'no data in the answer';
  if (code || first !== undefined) {
    if (code && RATE_LIMIT.test(code)) {
      const inBody = (typeof first === 'object' ? first.extensions?.retry_in_seconds : undefined) ?? body.error_data?.retry_in_seconds;
      const wait = inBody !== undefined ? parseRetryAfter(String(inBody), Date.now()) : undefined;
      throw rateLimitedError(provider, wait ?? rateLimitWaitSeconds(provider, res.headers, Date.now()), { code });
    }
    const auth = (code !== undefined && AUTH.test(code)) || AUTH.test(message);
    throw new AppError(auth ? 'provider_auth_failed' : 'provider_error', `monday.com ${auth ? 'rejected the credentials' : 'answered with an error'}${code ? ` (${code})` : ''}: ${message.slice(0, 300)}`, {
      details: { provider: 'monday', status: res.status, ...(code ? { code } : {}) },
    });
  }
  const user = body.data?.me;
  if (res.status !== 200 || !user) {
    throw new AppError('provider_error', `monday.com answered HTTP ${res.status} without the user`, { details: { provider: 'monday', status: res.status } });
  }
  return user;
}

export const connector: ConnectorSpec = {
  async test(ctx): Promise<AccountInfo> {
    const user = await me(ctx);
    const account = user.account;
    return {
      accountId: String(user.id),
      // The monday.com account (the organisation), else the user.
      accountName: account?.name || user.name || user.email || String(user.id),
      extra: {
        userName: user.name ?? null,
        email: user.email ?? null,
        ...(account?.id !== undefined && account?.id !== null ? { mondayAccountId: String(account.id) } : {}),
        ...(account?.slug ? { mondayAccountSlug: account.slug } : {}),
      },
    };
  },

  /** The token as is (monday takes no `Bearer`), and the pinned API version. */
  applyAuth(target, credentials) {
    target.headers.set('api-version', MONDAY_API_VERSION);
    const token = credentials.type === 'oauth2' ? credentials.accessToken : credentials.type === 'api_key' ? credentials.fields.apiToken : undefined;
    if (!token) return false;
    target.headers.set('authorization', token);
  },
};
