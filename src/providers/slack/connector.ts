/**
 * Slack's connector: `auth.test` as the test, `auth.revoke` on disconnect, and Slack's
 * `{ ok: false, error }` answers (HTTP 200) read as what they mean.
 */
import { z } from 'zod';
import { AppError } from '../../errors.ts';
import { rateLimitedError, rateLimitWaitSeconds } from '../_shared/http.ts';
import { parseProviderResponse } from '../_shared/parse.ts';
import type { AccountInfo, ConnectorContext, ConnectorSpec, TokenEndpointError } from '../types.ts';

/**
 * `auth.test` success (slackapi/slack-api-specs web-api/slack_web_openapi_v2.json, "auth.test
 * success schema": `ok`, `url`, `team`, `user`, `team_id`, `user_id` required; `bot_id`,
 * `is_enterprise_install` optional). https://docs.slack.dev/reference/methods/auth.test
 */
export const authTestSchema = z.object({
  ok: z.literal(true),
  url: z.string().nullish(),
  team: z.string().nullish(),
  user: z.string().nullish(),
  team_id: z.string().nullish(),
  user_id: z.string().nullish(),
  bot_id: z.string().nullish(),
  is_enterprise_install: z.boolean().nullish(),
});

/** Every Web API failure: HTTP 200 (or 429) with `ok: false` and an error code. */
export const slackErrorSchema = z.object({ ok: z.literal(false), error: z.string() }).loose();

/** `auth.revoke` success: `{ ok: true, revoked: true }`. https://docs.slack.dev/reference/methods/auth.revoke */
export const revokeSchema = z.object({ ok: z.literal(true), revoked: z.boolean().nullish() });

/** Codes that mean the token is dead or was never valid (the auth.test error enum and Slack's common errors). */
export const AUTH_ERRORS = new Set(['not_authed', 'invalid_auth', 'account_inactive', 'token_revoked', 'token_expired', 'not_allowed_token_type']);

async function callMethod<S extends z.ZodType>(ctx: ConnectorContext, method: string, schema: S, url = `/${method}`): Promise<z.output<S> | { ok: false; error: string }> {
  const res = await ctx.http.request({ method: 'GET', url });
  const failed = slackErrorSchema.safeParse(res.body);
  if (failed.success) {
    if (failed.data.error === 'ratelimited') throw rateLimitedError(ctx.provider, rateLimitWaitSeconds(ctx.provider, res.headers, Date.now()));
    return { ok: false, error: failed.data.error };
  }
  return parseProviderResponse(ctx.provider, schema, res.body, `GET /${method}`);
}

function slackError(method: string, error: string): AppError {
  if (AUTH_ERRORS.has(error)) {
    return new AppError('provider_auth_failed', `Slack rejected the token (${error}); reconnect Slack.`, { details: { provider: 'slack', method, error } });
  }
  return new AppError('provider_error', `Slack answered ${method} with an error (${error})`, { details: { provider: 'slack', method, error } });
}

/** oauth.v2.access errors (HTTP 200, `ok: false`) in the shared token-endpoint terms. */
export function slackTokenError(body: unknown): TokenEndpointError | undefined {
  const parsed = slackErrorSchema.safeParse(body);
  if (!parsed.success) return undefined;
  const error = parsed.data.error;
  const description = `Slack answered ${error}`;
  if (error === 'invalid_client_id' || error === 'bad_client_secret') return { code: 'invalid_client', description, grantRevoked: false };
  if (error === 'bad_redirect_uri' || error === 'oauth_authorization_url_mismatch') return { code: 'redirect_uri_mismatch', description, grantRevoked: false };
  const dead = error === 'invalid_code' || error === 'code_already_used' || error === 'invalid_refresh_token' || AUTH_ERRORS.has(error);
  return { code: error, description, grantRevoked: dead };
}

export const connector: ConnectorSpec = {
  /** The workspace is the account; its name is shown with the bot's user name ("Acme (patchbay)"). */
  async test(ctx): Promise<AccountInfo> {
    const body = await callMethod(ctx, 'auth.test', authTestSchema);
    if (!body.ok) throw slackError('auth.test', body.error);
    if (!body.team_id) throw new AppError('provider_error', 'Slack answered auth.test without a team_id', { details: { provider: 'slack' } });
    const name = body.team && body.user ? `${body.team} (${body.user})` : body.team || body.user || body.team_id;
    return {
      accountId: body.team_id,
      accountName: name,
      extra: { teamId: body.team_id, team: body.team ?? null, userId: body.user_id ?? null, user: body.user ?? null, botId: body.bot_id ?? null, url: body.url ?? null },
    };
  },

  /**
   * GET https://slack.com/api/auth.revoke with the token as Bearer: the bot token stops working and
   * the bot user leaves its channels (the app stays installed until a workspace admin removes it).
   * A token Slack already refuses (invalid_auth, token_revoked, account_inactive) is gone already.
   */
  async revoke(ctx) {
    const body = await callMethod(ctx, 'auth.revoke', revokeSchema, ctx.urls.revokeUrl);
    if (body.ok) return;
    if (body.error === 'invalid_auth' || body.error === 'token_revoked' || body.error === 'account_inactive') {
      ctx.logger.info({ error: body.error }, 'Slack token was already invalid when revoked');
      return;
    }
    throw slackError('auth.revoke', body.error);
  },

  tokenError: slackTokenError,
};
