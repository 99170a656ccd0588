/**
 * Getting neutral replies in front of Discord users after the interaction was answered.
 *
 * - The first answer is the HTTP response (or, over the gateway, the interaction callback):
 *   the reply itself, a modal, or a deferral when the core needs longer than the budget.
 * - Slow work (`followUp`) edits that first answer (`PATCH /webhooks/{app}/{token}/messages/@original`)
 *   when both are as private (or as public) as each other. A result of the other visibility is
 *   sent as a follow-up message of its own, and a placeholder it replaces is deleted — an
 *   ephemeral message never becomes public by an edit, nor the reverse.
 * - Interaction tokens work for 15 minutes. A result that arrives later goes to the channel as a
 *   bot message when it is for everyone; a private one can no longer reach the user and is logged.
 * https://discord.com/developers/docs/interactions/receiving-and-responding#followup-messages
 */
import { MessageFlags, Routes, type REST } from 'discord.js';
import type { PostTarget, Poster } from '../../src/alerts/posters.ts';
import type { NeutralReply, Visibility } from '../../src/commands/view.ts';
import type { Logger } from '../../src/logger.ts';
import { renderEdit, renderMessage } from './render/message.ts';

/** Tokens last 15 minutes; a minute is kept in hand for the request itself. */
export const INTERACTION_TOKEN_LIFETIME_MS = 14 * 60_000;

export type FollowUps = {
  rest: REST;
  applicationId: string;
  token: string;
  receivedAt: number;
  logger: Logger;
  poster: Poster;
  target: PostTarget | null;
};

/** The first answer as shown now: its visibility, and whether it only stands in for a result to come. */
export type Original = { visibility: Visibility; placeholder: boolean };

const withoutFlags = (msg: ReturnType<typeof renderMessage>) => {
  const { flags: _flags, ...rest } = msg;
  return rest;
};

export async function deliverLater(f: FollowUps, original: Original, reply: NeutralReply): Promise<void> {
  if (Date.now() - f.receivedAt > INTERACTION_TOKEN_LIFETIME_MS) {
    if (reply.visibility === 'in_channel' && f.target) {
      await f.poster.post(f.target, reply);
      return;
    }
    f.logger.warn({ channel: f.target?.channelId }, 'discord: a private reply came after its interaction expired (15 minutes); it could not be shown');
    return;
  }
  if (reply.visibility === original.visibility) {
    await f.rest.patch(Routes.webhookMessage(f.applicationId, f.token, '@original'), { body: renderEdit(reply), auth: false });
    return;
  }
  const msg = renderMessage(reply);
  const ephemeral = reply.visibility === 'ephemeral';
  await f.rest.post(Routes.webhook(f.applicationId, f.token), { body: { ...withoutFlags(msg), ...(ephemeral ? { flags: MessageFlags.Ephemeral } : {}) }, auth: false });
  if (original.placeholder) {
    await f.rest.delete(Routes.webhookMessage(f.applicationId, f.token, '@original'), { auth: false }).catch((err: unknown) => {
      f.logger.warn({ error: err instanceof Error ? err.message : String(err) }, 'discord: could not remove the placeholder message');
    });
  }
}
