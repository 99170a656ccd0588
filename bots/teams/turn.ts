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
import { code, ephemeral, inChannel, type NeutralReply } from '../../src/commands/view.ts';
import { currentContext } from '../../src/context.ts';
import { receiptScope, recordReceipt } from '../../src/inbound/receipts.ts';
import type { TeamsContext } from './context.ts';
import { outgoing, replaceLater, targetedFor, type Shown } from './deliver.ts';
import { activitySchema, channelOf, commandText, invocationOf, tenantOf, type TeamsActivity } from './parse.ts';
import { askAction, cancelledPrompt, confirmCard, decodeAction, markTargeted, pressedTargeted } from './render/actions.ts';
import { renderActivity, renderCard, type RenderOptions } from './render/card.ts';
import { refusedFormCard } from './render/form.ts';

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
  const sent = await ctx.sendActivity(outgoing(result.immediate, a, namesOf(a)) as never);
  followUp(t, ctx, a, result, { id: sent?.id, targeted: targetedFor(a, result.immediate) });
}

function followUp(t: TeamsContext, ctx: TurnContext, a: TeamsActivity, result: CommandResult, shown: Shown): void {
  if (!result.followUp) return;
  const reference = ctx.activity.getConversationReference();
  void t.track(result.followUp.then((reply) => replaceLater(t, reference, a, shown, reply, namesOf(a))));
}

async function onAction(t: TeamsContext, ctx: TurnContext, a: TeamsActivity, tenant: string, verb: string, data: unknown): Promise<void> {
  const decoded = decodeAction(verb, data, { userId: a.from!.id, sign: t.sign, nowSec: Math.floor(Date.now() / 1000) });
  const cid = currentContext()?.correlationId;
  // Whether the pressed card is a targeted (private) message; the answer's buttons keep saying so.
  const targeted = pressedTargeted(data);
  const mark = (card: Record<string, unknown>) => (targeted ? markTargeted(card) : card);
  switch (decoded.kind) {
    case 'run':
    case 'confirmed': {
      const result = await runCommand(t.rt, invocationOf(a, tenant, decoded.line, cid));
      followUp(t, ctx, a, result, await answerAction(ctx, a, result.immediate, targeted));
      return;
    }
    case 'form': {
      // The values are secrets: they go to submitForm and nowhere else (never logged).
      const result = await submitForm(t.rt, invocationOf(a, tenant, '', cid), decoded.formId, decoded.values);
      const errors = result.immediate.fieldErrors;
      // Refused values: the form again, with its problems under the inputs (as Slack keeps a modal open).
      const again = errors && Object.keys(errors).length && !result.followUp ? refusedFormCard(data, decoded.values, errors) : undefined;
      if (again) {
        await answerCard(ctx, a, mark(again));
        return;
      }
      followUp(t, ctx, a, result, await answerAction(ctx, a, result.immediate, targeted));
      return;
    }
    case 'ask':
      await answerCard(ctx, a, mark(confirmCard(decoded.prompt, { userId: a.from!.id, sign: t.sign, nowSec: Math.floor(Date.now() / 1000) })));
      return;
    case 'cancel': {
      // The button that asked comes back, so the user can still go ahead.
      const card = renderCard(ephemeral('Cancelled: nothing was changed.'), namesOf(a));
      const prompt = cancelledPrompt(data);
      if (prompt) card.body.push({ type: 'ActionSet', actions: [askAction(prompt)] });
      await answerCard(ctx, a, mark(card));
      return;
    }
    default:
      t.rt.logger.warn({ reason: decoded.reason, tenant }, 'teams: refused a card action');
      await answerInvokeOrSend(ctx, a, ephemeral(`⚠️ This button can no longer be used (${decoded.reason}). Run the command again. Nothing was changed.`));
  }
}

/**
 * Answers a press. The invoke's answer replaces the pressed card for the presser only (Teams'
 * "replace for interactor"); a result meant for everyone (`in_channel`) is also shown to
 * everyone: it replaces the pressed message when that one is public ("replace for all"), else
 * (the pressed card was a targeted message) it comes as a new message in the conversation.
 * Returns the message a follow-up should replace.
 */
async function answerAction(ctx: TurnContext, a: TeamsActivity, reply: NeutralReply, targeted: boolean): Promise<Shown> {
  const names = namesOf(a);
  let shown: Shown = { id: a.replyToId, targeted };
  if (a.type === 'invoke' && reply.visibility === 'in_channel') {
    const activity = renderActivity(reply, names);
    let replaced = false;
    if (!targeted && a.replyToId) {
      try {
        await ctx.updateActivity({ ...activity, id: a.replyToId } as never);
        replaced = true;
      } catch {
        // Not editable (too old, or not the bot's): the result comes as a new message.
      }
    }
    if (!replaced) shown = { id: (await ctx.sendActivity(activity as never))?.id, targeted: false };
  }
  const card = renderCard(reply, names);
  await answerCard(ctx, a, targeted ? markTargeted(card) : card);
  return shown;
}

/** Display names the activity tells (the sender, people it mentions), so `<@id>` in replies reads as `@Name`. */
export function namesOf(a: TeamsActivity): RenderOptions {
  const names = new Map<string, string>();
  if (a.from?.name) names.set(a.from.id, a.from.name);
  for (const e of a.entities ?? []) if (e.mentioned?.name) names.set(e.mentioned.id, e.mentioned.name);
  return { names };
}

/** An invoke is answered with the card that replaces the pressed one; an Action.Submit message by replacing its card; a typed message with a reply. */
async function answerInvokeOrSend(ctx: TurnContext, a: TeamsActivity, reply: NeutralReply): Promise<void> {
  if (a.type === 'message' && !a.value) {
    await ctx.sendActivity(outgoing(reply, a, namesOf(a)) as never);
    return;
  }
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
