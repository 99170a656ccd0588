/**
 * Getting replies in front of Teams users.
 *
 * - Private replies: an `ephemeral` reply in a channel or group chat is a targeted message
 *   (an `activityTreatment` entity `targeted`, the user as `recipient`; the SDK adds
 *   `?isTargetedActivity=true`): it stands in the conversation, but only that user sees it
 *   (https://learn.microsoft.com/microsoftteams/platform/agents-in-teams/targeted-messages).
 *   In a personal chat every reply is private anyway. The buttons of a targeted card say so
 *   (`markTargeted`), so a press on one knows the message is not everyone's.
 * - Slow work (`followUp`) replaces the message it follows (`updateActivity` in a proactive turn
 *   on the stored conversation reference) when both are as private (or as public) as each other;
 *   a result of the other visibility comes as a message of its own — a private message never
 *   becomes public by an edit, nor the reverse. When the message cannot be edited, a new one.
 */
import type { ConversationReference } from '@microsoft/agents-activity';
import type { NeutralReply } from '../../src/commands/view.ts';
import type { TeamsContext } from './context.ts';
import { isGroup, type TeamsActivity as Incoming } from './parse.ts';
import { proactively } from './poster.ts';
import { markTargeted } from './render/actions.ts';
import { renderActivity, type RenderOptions, type TeamsActivity } from './render/card.ts';

/** A message the bot showed: its activity id, and whether only its user sees it. */
export type Shown = { id: string | undefined; targeted: boolean };

/** Whether `reply`, answering `a`, goes as a targeted (private) message. */
export const targetedFor = (a: Incoming, reply: NeutralReply): boolean => reply.visibility === 'ephemeral' && isGroup(a) && Boolean(a.from);

type Outgoing = TeamsActivity & { entities?: Array<Record<string, unknown>>; recipient?: { id: string; name?: string } };

/** The activity of a reply to `a`: targeted at its sender when the reply is private in a group conversation. */
export function outgoing(reply: NeutralReply, a: Incoming, opts: RenderOptions = {}): Outgoing {
  const activity = renderActivity(reply, opts);
  if (!targetedFor(a, reply)) return activity;
  return {
    ...activity,
    attachments: activity.attachments.map((x) => ({ ...x, content: markTargeted(x.content) })),
    entities: [{ type: 'activityTreatment', treatment: 'targeted' }],
    recipient: { id: a.from!.id, ...(a.from!.name ? { name: a.from!.name } : {}) },
  };
}

export async function replaceLater(t: TeamsContext, reference: ConversationReference, a: Incoming, shown: Shown, reply: NeutralReply, opts: RenderOptions = {}): Promise<void> {
  try {
    await proactively(t, reference, async (ctx) => {
      const activity = outgoing(reply, a, opts);
      if (shown.id && shown.targeted === targetedFor(a, reply)) {
        try {
          await ctx.updateActivity({ ...activity, id: shown.id } as never);
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
