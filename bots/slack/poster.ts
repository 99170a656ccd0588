/**
 * The Slack poster of the alert pipeline (src/alerts/posters.ts): `chat.postMessage` (threaded
 * with `thread_ts` for follow-ups) and `chat.update`, with the team's bot token.
 * - the channel is gone for the bot (`channel_not_found`, `not_in_channel`, `is_archived`,
 *   `channel_is_archived`) or the app lost the workspace (`account_inactive`, `token_revoked`)
 *   → `ChannelGoneError`: the channel is unsubscribed, not retried forever;
 * - HTTP 429 with Retry-After (or `ratelimited`) → `PosterRateLimitedError`: rescheduled then;
 * - a message or a token Slack will refuse every time (`invalid_blocks`, `msg_too_long`,
 *   `missing_scope`, `invalid_auth`, …) → `PosterPermanentError`: failed at once, not retried;
 * - anything else is thrown as is and retried with backoff.
 * https://docs.slack.dev/reference/methods/chat.postMessage#errors
 */
import { webApi } from '@slack/bolt';
import { ChannelGoneError, PosterPermanentError, PosterRateLimitedError, type Poster } from '../../src/alerts/posters.ts';
import { renderMessage } from './render/blocks.ts';
import type { BotTokens } from './tokens.ts';

// A frozen list, not a Set: no module-level mutable state in bots/.
const CHANNEL_GONE: readonly string[] = Object.freeze(['channel_not_found', 'not_in_channel', 'is_archived', 'channel_is_archived', 'account_inactive', 'token_revoked']);

/** Errors a retry of the same call cannot fix (https://docs.slack.dev/reference/methods/chat.postMessage#errors). */
const PERMANENT: readonly string[] = Object.freeze([
  'invalid_blocks',
  'invalid_blocks_format',
  'msg_too_long',
  'msg_blocks_too_long',
  'no_text',
  'too_many_attachments',
  'invalid_arguments',
  'invalid_arg_name',
  'invalid_array_arg',
  'invalid_charset',
  'invalid_form_data',
  'invalid_post_type',
  'missing_post_type',
  'missing_scope',
  'not_allowed_token_type',
  'no_permission',
  'invalid_auth',
  'not_authed',
  'ekm_access_denied',
  'team_access_not_granted',
  'cant_update_message',
  'message_not_found',
  'edit_window_closed',
]);

/** Seconds to wait on a `ratelimited` answer that came without a Retry-After header. */
const DEFAULT_RETRY_AFTER_SECONDS = 30;

export function posterError(err: unknown, method: string): Error {
  const e = err as { code?: string; retryAfter?: number; data?: { error?: string } };
  if (e?.code === webApi.ErrorCode.RateLimitedError) return new PosterRateLimitedError(Math.max(1, Math.ceil(e.retryAfter ?? DEFAULT_RETRY_AFTER_SECONDS)));
  const code = e?.data?.error;
  if (code === 'ratelimited') return new PosterRateLimitedError(DEFAULT_RETRY_AFTER_SECONDS);
  if (code && CHANNEL_GONE.includes(code)) return new ChannelGoneError(`Slack ${method}: ${code}`, { cause: err });
  if (code && PERMANENT.includes(code)) return new PosterPermanentError(code, `Slack ${method} refused the message: ${code}`, { cause: err });
  if (code) return new Error(`Slack ${method} failed: ${code}`, { cause: err });
  return err instanceof Error ? err : new Error(String(err));
}

export function createSlackPoster(tokens: BotTokens): Poster {
  return {
    async post(target, reply, thread) {
      const client = await tokens.client(target.teamId);
      try {
        const res = await client.chat.postMessage({
          channel: target.channelId,
          ...renderMessage(reply),
          ...(thread ? { thread_ts: thread } : {}),
          unfurl_links: false,
          unfurl_media: false,
        });
        if (!res.ts) throw new Error('Slack chat.postMessage answered without a ts');
        return { messageRef: res.ts };
      } catch (err) {
        throw posterError(err, 'chat.postMessage');
      }
    },
    async update(target, messageRef, reply) {
      const client = await tokens.client(target.teamId);
      try {
        await client.chat.update({ channel: target.channelId, ts: messageRef, ...renderMessage(reply) });
      } catch (err) {
        throw posterError(err, 'chat.update');
      }
    },
  };
}
