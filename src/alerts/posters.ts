/**
 * The port through which alerts reach chat platforms. Each started bot carries its poster on
 * the runtime (`rt.bots`, src/chat/bots.ts); the alert jobs call it. Nothing here knows a chat SDK.
 */
import type { BotPlatform } from '../chat/platforms.ts';
import type { NeutralReply } from '../commands/view.ts';

/** Where to post: the platform, the team (picks the installation/token) and the channel. */
/** Only platforms with an app can be posted to (the terminal client has no channels). */
export type PostTarget = { platform: BotPlatform; teamId: string; channelId: string };

export type Poster = {
  /**
   * Posts a reply in a channel, in the thread of `thread` (a `messageRef` this poster returned)
   * when given. Returns the new message's reference (Slack ts, Discord message id, Teams activity id).
   * Throw `ChannelGoneError` when the channel no longer exists or the bot was removed from it,
   * `PosterRateLimitedError` when the platform asks to wait, `PosterPermanentError` when the same
   * post can never succeed (a malformed message, a missing scope, a dead token); anything else is
   * retried with backoff.
   */
  post(channel: PostTarget, reply: NeutralReply, thread?: string): Promise<{ messageRef: string }>;
  /** Replaces a message this poster posted (optional: platforms that cannot edit leave it out). */
  update?(channel: PostTarget, messageRef: string, reply: NeutralReply): Promise<void>;
};

/** The channel is gone for the bot (not found, archived, bot removed): its subscriptions stop, no retry. */
export class ChannelGoneError extends Error {
  constructor(message = 'The channel no longer exists or the bot is not in it.', options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ChannelGoneError';
  }
}

/** The platform asked to slow down: the post is rescheduled after `retryAfterSeconds`, not counted as a failure. */
export class PosterRateLimitedError extends Error {
  readonly retryAfterSeconds: number;
  constructor(retryAfterSeconds: number, message = `The chat platform asked to wait ${retryAfterSeconds} s.`) {
    super(message);
    this.name = 'PosterRateLimitedError';
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** The platform refused this post for a reason a retry cannot fix: it fails at once, logged, not retried. */
export class PosterPermanentError extends Error {
  /** The platform's error code (Slack: `invalid_blocks`, `missing_scope`, …). */
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PosterPermanentError';
    this.code = code;
  }
}
