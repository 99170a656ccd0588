/** Linear's connector: GraphQL `viewer` test, OAuth token revoke, raw API key in `Authorization`. */
import { z } from 'zod';
import { AppError } from '../../errors.ts';
import { rateLimitWaitSeconds, rateLimitedError } from '../_shared/http.ts';
import { parseProviderResponse } from '../_shared/parse.ts';
import type { AccountInfo, ConnectorContext, ConnectorSpec } from '../types.ts';

export const VIEWER_QUERY = 'query PatchbayViewer { viewer { id name email } }';

/**
 * GraphQL response envelope and the `viewer` query's `User` fields.
 * https://linear.app/developers/graphql (queries, `viewer`) and
 * https://linear.app/developers/graphql#errors. Linear's own SDK (linear/linear
 * packages/sdk/src/error.ts, `parseLinearError`) classifies errors by `extensions.type`
 * ("authentication error", "forbidden", "ratelimited") and by HTTP status (429 → rate limited);
 * older responses and docs use `extensions.code` (AUTHENTICATION_ERROR, RATELIMITED). Both are read.
 */
export const graphqlErrorSchema = z.object({
  message: z.string(),
  extensions: z
    .object({ code: z.string().optional(), type: z.string().optional(), userPresentableMessage: z.string().optional() })
    .loose()
    .optional(),
});

export const viewerResponseSchema = z.object({
  data: z
    .object({
      viewer: z.object({ id: z.string(), name: z.string().nullish(), email: z.string().nullish() }),
    })
    .nullish(),
  errors: z.array(graphqlErrorSchema).optional(),
});

const AUTH_CODES = new Set(['AUTHENTICATION_ERROR', 'FORBIDDEN', 'authentication error', 'forbidden']);
const RATE_LIMIT_CODES = new Set(['RATELIMITED', 'ratelimited']);

async function graphql(ctx: ConnectorContext, query: string) {
  const provider = ctx.provider;
  const res = await ctx.http.request({
    method: 'POST',
    url: '/graphql',
    body: { query },
    // A read-only query: safe to retry on 5xx/network errors.
    idempotent: true,
    // Linear reports GraphQL failures (bad key, validation) as HTTP 400 with an `errors` array.
    allowStatuses: [400],
  });
  const body = parseProviderResponse(provider, viewerResponseSchema, res.body, 'POST /graphql');
  const first = body.errors?.[0];
  if (first) {
    const code = first.extensions?.code ?? first.extensions?.type;
    const message = first.extensions?.userPresentableMessage ?? first.message;
    if (code && RATE_LIMIT_CODES.has(code)) throw rateLimitedError(provider, rateLimitWaitSeconds(provider, res.headers, Date.now()));
    if (code && AUTH_CODES.has(code)) {
      throw new AppError('provider_auth_failed', `Linear rejected the credentials: ${message}`, {
        details: { provider: 'linear', status: res.status, code },
      });
    }
    throw new AppError('provider_error', `Linear answered with an error${code ? ` (${code})` : ''}: ${message}`, {
      details: { provider: 'linear', status: res.status, code },
    });
  }
  if (res.status !== 200 || !body.data) {
    throw new AppError('provider_error', `Linear answered HTTP ${res.status} without data`, { details: { provider: 'linear', status: res.status } });
  }
  return body.data;
}

export const connector: ConnectorSpec = {
  async test(ctx): Promise<AccountInfo> {
    const { viewer } = await graphql(ctx, VIEWER_QUERY);
    return { accountId: viewer.id, accountName: viewer.name || viewer.email || viewer.id };
  },

  async revoke(ctx) {
    if (ctx.credentials.type !== 'oauth2') {
      // Personal API keys have no revoke call; the definition's revokeNote tells the admin.
      ctx.logger.info('Linear personal API keys cannot be revoked through the API; delete the key in Linear settings');
      return;
    }
    const url = ctx.urls.revokeUrl;
    if (!url) return;
    // https://linear.app/developers/oauth-2-0-authentication#revoke-an-access-token
    const res = await ctx.http.request({
      method: 'POST',
      url,
      skipAuth: true,
      headers: { authorization: `Bearer ${ctx.credentials.accessToken}` },
      body: new URLSearchParams({ token: ctx.credentials.accessToken, token_type_hint: 'access_token' }),
      idempotent: true,
      // Already revoked or expired: the grant is gone, which is what disconnect wants.
      allowStatuses: [400, 401],
    });
    if (res.status !== 200) ctx.logger.warn({ status: res.status }, 'Linear token was already invalid when revoked');
  },

  canRevoke(credentials) {
    return credentials.type === 'oauth2';
  },

  applyAuth(target, credentials) {
    // Personal API keys go in Authorization as is (no Bearer); OAuth tokens use the default Bearer.
    if (credentials.type !== 'api_key') return false;
    const key = credentials.fields.apiKey;
    if (key) target.headers.set('authorization', key);
  },
};
