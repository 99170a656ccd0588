/**
 * Replies after the turn: the result of slow work (`followUp`) replaces the message it follows
 * (`updateActivity` in a proactive turn on the stored conversation reference), or, when that
 * message cannot be edited, comes as a new message. Teams has no private replies in a channel:
 * an "ephemeral" reply is an ordinary reply in the thread (in a personal chat it is private anyway).
 */
import type { ConversationReference } from '@microsoft/agents-activity';
import type { NeutralReply } from '../../src/commands/view.ts';
import type { TeamsContext } from './context.ts';
import { proactively } from './poster.ts';
import { renderActivity, type RenderOptions } from './render/card.ts';

export async function replaceLater(t: TeamsContext, reference: ConversationReference, activityId: string | undefined, reply: NeutralReply, opts: RenderOptions = {}): Promise<void> {
  try {
    await proactively(t, reference, async (ctx) => {
      const activity = renderActivity(reply, opts);
      if (activityId) {
        try {
          await ctx.updateActivity({ ...activity, id: activityId } as never);
          return;
        } catch (err) {
          t.rt.logger.warn({ error: err instanceof Error ? err.message : String(err) }, 'teams: could not replace a message; sending the result as a new one');
        }
      }
      await ctx.sendActivity(activity as never);
    });
  } catch (err) {
    t.rt.logger.error({ error: err instanceof Error ? err.message : String(err) }, 'teams: could not deliver a follow-up');
  }
}
