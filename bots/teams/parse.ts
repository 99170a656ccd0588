/**
 * Bot Framework activities → the chat core's `Invocation`. Only the fields Patchbay reads are
 * parsed (zod, unknown fields ignored): https://learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-api-reference#activity-object
 * - the tenant (`conversation.tenantId`, else `channelData.tenant.id`) is the chat team;
 * - the user is `from.id` (the Teams user id of this bot's conversations);
 * - the channel is the conversation id without Teams' `;messageid=` thread suffix, so `alerts here`
 *   in a thread subscribes the channel;
 * - the command line is the message text with the bot's own `<at>…</at>` mention removed and
 *   other mentions turned into the core's `<@id>`.
 */
import { z } from 'zod';
import type { Invocation } from '../../src/commands/types.ts';

const account = z.object({ id: z.string().min(1).max(400), name: z.string().max(400).optional(), aadObjectId: z.string().max(100).optional() }).loose();

export const activitySchema = z
  .object({
    type: z.string(),
    id: z.string().optional(),
    name: z.string().optional(),
    text: z.string().max(40_000).optional(),
    value: z.unknown().optional(),
    action: z.string().optional(),
    serviceUrl: z.string().optional(),
    from: account.optional(),
    recipient: account.optional(),
    replyToId: z.string().optional(),
    conversation: z.object({ id: z.string().min(1).max(1000), tenantId: z.string().max(100).optional(), conversationType: z.string().optional(), isGroup: z.boolean().optional() }).loose().optional(),
    channelData: z.object({ tenant: z.object({ id: z.string() }).loose().optional(), team: z.object({ id: z.string().optional(), name: z.string().optional() }).loose().optional() }).loose().optional(),
    entities: z.array(z.object({ type: z.string().optional(), text: z.string().optional(), mentioned: account.optional() }).loose()).optional(),
    membersAdded: z.array(account).optional(),
    membersRemoved: z.array(account).optional(),
  })
  .loose();

export type TeamsActivity = z.infer<typeof activitySchema>;

export const tenantOf = (a: TeamsActivity): string | undefined => a.conversation?.tenantId ?? a.channelData?.tenant?.id;

/** A channel or a group chat: there a reply only its user should see goes as a targeted message. */
export const isGroup = (a: TeamsActivity): boolean => a.conversation?.isGroup === true || a.conversation?.conversationType === 'channel' || a.conversation?.conversationType === 'groupChat';

/** The conversation as alerts and replies name it: a channel thread's id without `;messageid=…`. */
export const channelOf = (a: TeamsActivity): string => (a.conversation?.id ?? '').split(';')[0]!;

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'", '&nbsp;': ' ' };
const decode = (s: string) => s.replace(/&(?:amp|lt|gt|quot|#39|nbsp);/g, (e) => ENTITIES[e] ?? e);
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The command line a message carries. */
export function commandText(a: TeamsActivity): string {
  let text = a.text ?? '';
  for (const e of a.entities ?? []) {
    if (e.type !== 'mention' || !e.text || !e.mentioned) continue;
    const replacement = e.mentioned.id === a.recipient?.id ? ' ' : ` <@${e.mentioned.id}> `;
    text = text.replace(new RegExp(escapeRegExp(e.text)), replacement);
  }
  // Rich text from Teams arrives as HTML: tags go, entities are decoded.
  return decode(text.replace(/<\/?(?:p|div|span|br|b|i|strong|em)\b[^>]*>/gi, ' ')).replace(/\s+/g, ' ').trim();
}

export function invocationOf(a: TeamsActivity, tenantId: string, text: string, correlationId?: string): Invocation {
  return {
    platform: 'teams',
    teamId: tenantId,
    ...(a.channelData?.team?.name ? { teamName: a.channelData.team.name } : {}),
    userId: a.from!.id,
    ...(a.from?.name ? { userName: a.from.name } : {}),
    channelId: channelOf(a),
    text,
    ...(a.replyToId ? { messageRef: a.replyToId } : {}),
    // Teams users address the bot by mentioning it.
    prefix: '@Patchbay',
    ...(correlationId ? { correlationId } : {}),
  };
}
