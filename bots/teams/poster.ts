/**
 * The Teams poster of the alert pipeline (src/alerts/posters.ts): a proactive turn on the stored
 * conversation reference (`continueConversation`), sending the card (a follow-up goes into the
 * alert's thread) or replacing it (`updateActivity`).
 * - 403 (the bot is no longer in the conversation) or 404 (it is gone) → `ChannelGoneError`: the
 *   channel is unsubscribed and its reference forgotten;
 * - 429 → `PosterRateLimitedError` with Retry-After;
 * - 400 / 401 (a card or a credential the Bot Connector refuses every time) → `PosterPermanentError`.
 * https://learn.microsoft.com/microsoftteams/platform/bots/how-to/rate-limit
 */
import type { ConversationReference } from '@microsoft/agents-activity';
import { HttpError, type TurnContext } from '@microsoft/agents-hosting';
import { ChannelGoneError, PosterPermanentError, PosterRateLimitedError, type Poster, type PostTarget } from '../../src/alerts/posters.ts';
import { findConversation, forgetConversations } from '../../src/chat/conversations.ts';
import type { NeutralReply } from '../../src/commands/view.ts';
import type { TeamsContext } from './context.ts';
import { renderActivity } from './render/card.ts';

const DEFAULT_RETRY_AFTER_SECONDS = 5;

async function posterError(t: Omit<TeamsContext, 'poster'>, err: unknown, target: PostTarget, what: string): Promise<Error> {
  if (!(err instanceof HttpError)) return err instanceof Error ? err : new Error(String(err));
  const status = err.response.status;
  if (status === 403 || status === 404) {
    await forgetConversations(t.rt, 'teams', target.teamId, target.channelId);
    return new ChannelGoneError(`Teams ${what}: ${status === 403 ? 'Patchbay is no longer in the conversation' : 'the conversation no longer exists'} (HTTP ${status})`, { cause: err });
  }
  if (status === 429) {
    const header = Number(err.response.headers?.get?.('retry-after'));
    return new PosterRateLimitedError(Number.isFinite(header) && header > 0 ? Math.ceil(header) : DEFAULT_RETRY_AFTER_SECONDS);
  }
  if (status === 400 || status === 401) return new PosterPermanentError(String(status), `Teams ${what} refused the message: HTTP ${status}`, { cause: err });
  return new Error(`Teams ${what} failed: HTTP ${status}`, { cause: err });
}

async function referenceOf(t: Omit<TeamsContext, 'poster'>, target: PostTarget): Promise<ConversationReference> {
  const ref = await findConversation(t.rt, { platform: 'teams', teamId: target.teamId, channelId: target.channelId });
  if (!ref) throw new ChannelGoneError('Teams: no conversation reference for this channel (the bot was removed, or never added there).');
  return ref as unknown as ConversationReference;
}

/**
 * Runs `work` in a proactive turn on the conversation. The SDK hands errors thrown inside a turn
 * to `onTurnError` instead of the caller: they are caught here and thrown to the alert pipeline.
 */
export async function proactively(t: Omit<TeamsContext, 'poster'>, reference: ConversationReference, work: (ctx: TurnContext) => Promise<void>): Promise<void> {
  let failure: { err: unknown } | undefined;
  await t.adapter.continueConversation(t.appId, reference, async (ctx) => {
    try {
      await work(ctx);
    } catch (err) {
      failure = { err };
    }
  });
  if (failure) throw failure.err;
}

export function createTeamsPoster(t: Omit<TeamsContext, 'poster'>): Poster {
  return {
    async post(target, reply: NeutralReply, thread) {
      const base = await referenceOf(t, target);
      // A follow-up goes into the alert's thread.
      const reference = thread ? { ...base, conversation: { ...base.conversation, id: `${target.channelId};messageid=${thread}` } } : base;
      let id: string | undefined;
      try {
        await proactively(t, reference as ConversationReference, async (ctx) => {
          id = (await ctx.sendActivity(renderActivity(reply) as never))?.id;
        });
      } catch (err) {
        throw await posterError(t, err, target, 'send');
      }
      if (!id) throw new Error('Teams answered a send without an activity id');
      return { messageRef: id };
    },
    async update(target, messageRef, reply) {
      const base = await referenceOf(t, target);
      try {
        await proactively(t, base, async (ctx) => {
          await ctx.updateActivity({ ...renderActivity(reply), id: messageRef } as never);
        });
      } catch (err) {
        throw await posterError(t, err, target, 'update');
      }
    },
  };
}
