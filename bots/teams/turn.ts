/**
 * One activity from Teams, handled through the chat core:
 * - a message → its command line (`@Patchbay pause "Linear Eng"`) → `runCommand`; the reply is a
 *   card in the thread, replaced when slow work finishes;
 * - an `adaptiveCard/action` invoke (Universal Actions: `Action.Execute`) or a message with a
 *   `value` (`Action.Submit`) → the button's command line, a confirmation, or a form's values;
 *   the invoke is answered with the replacement card (a submitted form's card is replaced, so no
 *   typed secret stays on screen);
 * - `conversationUpdate` (the bot added) → the conversation reference is stored and the bot says
 *   how to link; every message stores it too, so alerts can reach the conversation later;
 * - `installationUpdate` remove → the tenant's links, subscriptions and references stop.
 * Anyone who sees a card can press its buttons: every press runs through the core as the presser.
 */
import type { TurnContext } from '@microsoft/agents-hosting';
import { deactivateTeam } from '../../src/chat/tenancy.ts';
import { forgetConversations, rememberConversation } from '../../src/chat/conversations.ts';
import { chatReplyOf } from '../../src/commands/chat-reply.ts';
import { runCommand, submitForm } from '../../src/commands/run.ts';
import type { CommandResult } from '../../src/commands/types.ts';
import { code, inChannel, type NeutralReply } from '../../src/commands/view.ts';
import { currentContext } from '../../src/context.ts';
import { receiptScope, recordReceipt } from '../../src/inbound/receipts.ts';
import type { TeamsContext } from './context.ts';
import { replaceLater } from './deliver.ts';
import { activitySchema, channelOf, commandText, invocationOf, tenantOf, type TeamsActivity } from './parse.ts';
import { confirmCard, decodeAction } from './render/actions.ts';
import { renderActivity, renderCard, type RenderOptions } from './render/card.ts';

const INVOKE_ACTION = 'adaptiveCard/action';
const CARD = 'application/vnd.microsoft.card.adaptive';

const NO_TENANT = inChannel('⚠️ Patchbay could not tell which Microsoft 365 tenant this conversation belongs to, so it cannot answer here.');

export async function handleTurn(t: TeamsContext, ctx: TurnContext): Promise<void> {
  const parsed = activitySchema.safeParse(ctx.activity);
  if (!parsed.success) {
    t.rt.logger.warn({ issues: parsed.error.issues.length }, 'teams: activity of an unknown shape ignored');
    return;
  }
  const a = parsed.data;
  const tenant = tenantOf(a);
  if (a.type === 'installationUpdate') {
    if (tenant && (a.action === 'remove' || a.action === 'remove-upgrade')) {
      await deactivateTeam(t.rt, 'teams', tenant, 'The Patchbay app was removed in Microsoft Teams.');
      await forgetConversations(t.rt, 'teams', tenant);
    } else if (tenant) await remember(t, ctx, a, tenant);
    return;
  }
  if (!tenant) {
    if (a.type === 'message' || a.type === 'invoke') await answerInvokeOrSend(ctx, a, NO_TENANT);
    return;
  }
  if (a.type === 'conversationUpdate') {
    await remember(t, ctx, a, tenant);
    if ((a.membersAdded ?? []).some((m) => m.id === a.recipient?.id)) {
      await ctx.sendActivity(renderActivity(welcome()) as never);
    }
    return;
  }
  if (a.type !== 'message' && !(a.type === 'invoke' && a.name === INVOKE_ACTION)) return;
  if (!a.from) return;
  await remember(t, ctx, a, tenant);
  // The Bot Framework redelivers what it thinks was lost, and a captured request can be replayed
  // within its token's life: an activity id is handled once per tenant.
  if (a.id) {
    const receipt = await recordReceipt(t.rt, { source: 'teams:activity', scope: receiptScope.team('teams', tenant), deliveryId: `${channelOf(a)}|${a.id}` }, { kind: a.type });
    if (!receipt.first) {
      t.rt.logger.warn({ tenant, type: a.type }, 'teams activity seen before: not handled again');
      if (a.type === 'invoke') await answerInvokeOrSend(ctx, a, inChannel('This action was already received once; it was not run again.'));
      return;
    }
  }
  try {
    const value = a.type === 'invoke' ? ((a.value ?? {}) as { action?: { verb?: unknown; data?: unknown } }).action : a.value ? { verb: (a.value as { verb?: unknown }).verb, data: a.value } : undefined;
    if (value) await onAction(t, ctx, a, tenant, String(value.verb ?? ''), value.data);
    else await onText(t, ctx, a, tenant);
  } catch (err) {
    t.rt.logger.error({ err, type: a.type }, 'teams activity failed');
    await answerInvokeOrSend(ctx, a, chatReplyOf(err, { correlationId: currentContext()?.correlationId ?? 'none', prefix: '@Patchbay' })).catch(() => {});
  }
}

function welcome(): NeutralReply {
  const text = `👋 Patchbay is here. Mention me with a command, e.g. ${code('@Patchbay help')}. To link this Microsoft 365 tenant to a Patchbay workspace, an Owner runs ${code('@Patchbay link <code>')} with a single-use code.`;
  return inChannel(text);
}

async function remember(t: TeamsContext, ctx: TurnContext, a: TeamsActivity, tenant: string): Promise<void> {
  const ref = ctx.activity.getConversationReference();
  // The channel itself, not the thread this activity is in: alerts start their own threads.
  const reference = { ...ref, conversation: { ...ref.conversation, id: channelOf(a) }, activityId: undefined };
  await rememberConversation(t.rt, { platform: 'teams', teamId: tenant, channelId: channelOf(a) }, JSON.parse(JSON.stringify(reference)) as Record<string, unknown>);
}

async function onText(t: TeamsContext, ctx: TurnContext, a: TeamsActivity, tenant: string): Promise<void> {
  const result = await runCommand(t.rt, invocationOf(a, tenant, commandText(a), currentContext()?.correlationId));
  const sent = await ctx.sendActivity(renderActivity(result.immediate, namesOf(a)) as never);
  followUp(t, ctx, a, result, sent?.id);
}

function followUp(t: TeamsContext, ctx: TurnContext, a: TeamsActivity, result: CommandResult, replace: string | undefined): void {
  if (!result.followUp) return;
  const reference = ctx.activity.getConversationReference();
  void t.track(result.followUp.then((reply) => replaceLater(t, reference, replace, reply, namesOf(a))));
}

async function onAction(t: TeamsContext, ctx: TurnContext, a: TeamsActivity, tenant: string, verb: string, data: unknown): Promise<void> {
  const decoded = decodeAction(verb, data, { userId: a.from!.id, sign: t.sign, nowSec: Math.floor(Date.now() / 1000) });
  const cid = currentContext()?.correlationId;
  switch (decoded.kind) {
    case 'run':
    case 'confirmed': {
      const result = await runCommand(t.rt, invocationOf(a, tenant, decoded.line, cid));
      await answerInvokeOrSend(ctx, a, result.immediate);
      followUp(t, ctx, a, result, a.replyToId);
      return;
    }
    case 'form': {
      // The values are secrets: they go to submitForm and nowhere else (never logged).
      const result = await submitForm(t.rt, invocationOf(a, tenant, '', cid), decoded.formId, decoded.values);
      await answerInvokeOrSend(ctx, a, result.immediate);
      followUp(t, ctx, a, result, a.replyToId);
      return;
    }
    case 'ask':
      await answerCard(ctx, a, confirmCard(decoded.prompt, { userId: a.from!.id, sign: t.sign, nowSec: Math.floor(Date.now() / 1000) }));
      return;
    case 'cancel':
      await answerInvokeOrSend(ctx, a, inChannel('Cancelled: nothing was changed.'));
      return;
    default:
      t.rt.logger.warn({ reason: decoded.reason, tenant }, 'teams: refused a card action');
      await answerInvokeOrSend(ctx, a, inChannel(`⚠️ This button can no longer be used (${decoded.reason}). Run the command again. Nothing was changed.`));
  }
}

/** Display names the activity tells (the sender, people it mentions), so `<@id>` in replies reads as `@Name`. */
export function namesOf(a: TeamsActivity): RenderOptions {
  const names = new Map<string, string>();
  if (a.from?.name) names.set(a.from.id, a.from.name);
  for (const e of a.entities ?? []) if (e.mentioned?.name) names.set(e.mentioned.id, e.mentioned.name);
  return { names };
}

/** An invoke is answered with the card that replaces the pressed one; an Action.Submit message by replacing its card. */
async function answerInvokeOrSend(ctx: TurnContext, a: TeamsActivity, reply: NeutralReply): Promise<void> {
  await answerCard(ctx, a, renderCard(reply, namesOf(a)));
}

async function answerCard(ctx: TurnContext, a: TeamsActivity, card: Record<string, unknown>): Promise<void> {
  if (a.type === 'invoke') {
    await ctx.sendActivity({ type: 'invokeResponse', value: { status: 200, body: { statusCode: 200, type: CARD, value: card } } } as never);
    return;
  }
  const activity = { type: 'message', attachments: [{ contentType: CARD, content: card }] };
  if (a.value && a.replyToId) {
    try {
      await ctx.updateActivity({ ...activity, id: a.replyToId } as never);
      return;
    } catch {
      // The card's message cannot be edited (too old, or not the bot's): answer with a new one.
    }
  }
  await ctx.sendActivity(activity as never);
}
