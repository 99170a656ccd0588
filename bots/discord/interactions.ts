/**
 * One interaction, from either door (HTTP at POST /discord/interactions, or the gateway), handled
 * the same way: parsed, refused if replayed, translated into the chat core (`runCommand`,
 * `submitForm`, autocomplete) and answered with one interaction response, then followed up.
 *
 * Deadlines: Discord allows 3 s for the first answer. The core answers in milliseconds; if it has
 * not within the budget, the interaction is deferred (ephemeral "thinking…") and the answer edits
 * it. A form must be the first answer (a modal cannot follow a deferral), which the core's
 * immediate reply allows. Slow work (`followUp`) then edits or follows the first answer
 * (deliver.ts). Nothing thrown here reaches Discord as a stack trace: errors become the core's
 * ephemeral replies.
 */
import { InteractionResponseType, MessageFlags, type APIInteractionResponse } from 'discord.js';
import type { PostTarget } from '../../src/alerts/posters.ts';
import { chatReplyOf } from '../../src/commands/chat-reply.ts';
import { completeOption } from '../../src/commands/complete.ts';
import { runCommand, submitForm } from '../../src/commands/run.ts';
import type { CommandResult } from '../../src/commands/types.ts';
import { ephemeral, type Block, type NeutralReply } from '../../src/commands/view.ts';
import { recordReceipt, receiptScope } from '../../src/inbound/receipts.ts';
import type { Runtime } from '../../src/runtime.ts';
import { focusedOption, lineOfInteraction } from './commands.ts';
import { deliverLater, type FollowUps, type Original } from './deliver.ts';
import type { DiscordContext } from './context.ts';
import { platformRoleOf } from './members.ts';
import { channelOf, INTERACTION, interactionSchema, invocationOf, type Interaction } from './parse.ts';
import { confirmPromptFor } from './confirm.ts';
import { decodeCustomId, decodeFormId } from './render/custom-id.ts';
import { renderEdit, renderMessage } from './render/message.ts';
import { modalValues, renderModal } from './render/modal.ts';

export type Respond = (response: APIInteractionResponse) => Promise<void>;

type Guilded = Interaction & { guild_id: string };

const message = (reply: NeutralReply): APIInteractionResponse => ({ type: InteractionResponseType.ChannelMessageWithSource, data: renderMessage(reply) });
/** The clicked message edited whole; it keeps its own visibility (an ephemeral message stays one). */
const updateOf = (i: Interaction, reply: NeutralReply) => renderEdit(reply, Boolean((i.message?.flags ?? 0) & MessageFlags.Ephemeral));
const formOf = (reply: NeutralReply) => reply.blocks.find((b): b is Extract<Block, { type: 'form' }> => b.type === 'form');

const OUTSIDE_GUILD = ephemeral('Patchbay works in servers: run `/integrations` in a channel of a server linked to your workspace.');
const UNSUPPORTED = ephemeral('⚠️ Patchbay does not know this interaction. Run `/integrations help`.');

/** Handles one verified interaction. `respond` is called exactly once, first; follow-ups come after. */
export async function handleInteraction(ctx: DiscordContext, body: unknown, send: Respond, correlationId?: string): Promise<'answered' | 'replayed'> {
  // Once only, even when sending fails half-way (the answer may have reached Discord): a second
  // answer to one interaction is always refused.
  let sent = false;
  const respond: Respond = async (response) => {
    if (sent) return;
    sent = true;
    await send(response);
  };
  const parsed = interactionSchema.safeParse(body);
  if (!parsed.success) {
    ctx.rt.logger.warn({ issues: parsed.error.issues.length }, 'discord: signed interaction of an unknown shape');
    await respond(message(UNSUPPORTED));
    return 'answered';
  }
  const i = parsed.data;
  if (i.type === INTERACTION.ping) {
    await respond({ type: InteractionResponseType.Pong });
    return 'answered';
  }
  if (i.type === INTERACTION.autocomplete) {
    await respond({ type: InteractionResponseType.ApplicationCommandAutocompleteResult, data: { choices: await choices(ctx.rt, i) } });
    return 'answered';
  }
  // Discord never redelivers an interaction: a second copy of an id is a replay.
  const receipt = await recordReceipt(ctx.rt, { source: 'discord:interaction', scope: receiptScope.app, deliveryId: i.id }, { kind: String(i.type) });
  if (!receipt.first) return 'replayed';
  if (!i.guild_id) {
    await respond(message(OUTSIDE_GUILD));
    return 'answered';
  }
  const g = i as Guilded;
  try {
    await dispatch(ctx, g, respond, correlationId);
  } catch (err) {
    ctx.rt.logger.error({ err, type: i.type }, 'discord interaction failed');
    await respond(message(chatReplyOf(err, correlationId ? { correlationId } : {}))).catch(() => {});
  }
  return 'answered';
}

async function choices(rt: Runtime, i: Interaction): Promise<Array<{ name: string; value: string }>> {
  const focused = i.data ? focusedOption(i.data as never) : null;
  if (!focused || !i.guild_id) return [];
  try {
    return await completeOption(rt, { platform: 'discord', teamId: i.guild_id }, focused.kind, focused.value);
  } catch (err) {
    rt.logger.warn({ err }, 'discord autocomplete failed');
    return [];
  }
}

async function dispatch(ctx: DiscordContext, i: Guilded, respond: Respond, correlationId?: string): Promise<void> {
  const role = await platformRoleOf(i, ctx.owners);
  const inv = (text: string) => invocationOf(i, text, role, correlationId);
  if (i.type === INTERACTION.command) {
    await answer(ctx, i, respond, runCommand(ctx.rt, inv(lineOfInteraction(i.data as never))), { modal: true });
    return;
  }
  if (i.type === INTERACTION.modalSubmit) {
    const data = i.data as { custom_id?: unknown; components?: unknown };
    const formId = decodeFormId(String(data.custom_id ?? ''));
    if (!formId) {
      await respond(message(UNSUPPORTED));
      return;
    }
    // The values are secrets: they go to submitForm and nowhere else (never logged).
    const work = submitForm(ctx.rt, inv(''), formId, modalValues(data.components)).then((r) => ({ ...r, immediate: withFieldErrors(r.immediate) }));
    await answer(ctx, i, respond, work, { modal: false });
    return;
  }
  if (i.type === INTERACTION.component) {
    const decoded = decodeCustomId(String((i.data as { custom_id?: unknown })?.custom_id ?? ''), ctx.customIds(i));
    switch (decoded.kind) {
      case 'run':
      case 'confirmed':
        await answer(ctx, i, respond, runCommand(ctx.rt, inv(decoded.line)), { modal: true, fromComponent: decoded.kind === 'run' });
        return;
      case 'ask':
        await respond({ type: InteractionResponseType.ChannelMessageWithSource, data: confirmPromptFor(i, decoded.line, ctx.customIds(i)) });
        return;
      case 'cancel':
        await respond({ type: InteractionResponseType.UpdateMessage, data: { content: 'Cancelled: nothing was changed.', embeds: [], components: [] } });
        return;
      case 'invalid':
        ctx.rt.logger.warn({ reason: decoded.reason, guild: i.guild_id }, 'discord: refused a button');
        await respond(message(ephemeral(`⚠️ This button can no longer be used (${decoded.reason}). Run the command again. Nothing was changed.`)));
        return;
      default:
        await respond(message(UNSUPPORTED));
        return;
    }
  }
  await respond(message(UNSUPPORTED));
}

type AnswerOptions = { modal: boolean; fromComponent?: boolean };

async function answer(ctx: DiscordContext, i: Guilded, respond: Respond, work: Promise<CommandResult>, opts: AnswerOptions): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<null>((r) => (timer = setTimeout(() => r(null), ctx.ackBudgetMs)));
  const first = await Promise.race([work, late]);
  clearTimeout(timer);
  const f = followUps(ctx, i);
  if (!first) {
    // Deferred privately: errors stay private; a public result is sent as its own message.
    await respond({ type: InteractionResponseType.DeferredChannelMessageWithSource, data: { flags: MessageFlags.Ephemeral } });
    const result = await work;
    await ctx.track(settle(f, { visibility: 'ephemeral', placeholder: true }, { ...result, immediate: withoutForm(result.immediate) }));
    return;
  }
  const form = formOf(first.immediate);
  if (form && opts.modal) {
    await respond({ type: InteractionResponseType.Modal, data: renderModal(form) });
    return;
  }
  const immediate = form ? withoutForm(first.immediate) : first.immediate;
  const update = opts.fromComponent && immediate.replaceOriginal;
  await respond(update ? { type: InteractionResponseType.UpdateMessage, data: updateOf(i, immediate) } : message(immediate));
  if (first.followUp) void ctx.track(settle(f, { visibility: immediate.visibility, placeholder: true }, { ...first, immediate }));
}

const ACRONYMS: Record<string, string> = { api: 'API', url: 'URL', id: 'ID', oauth: 'OAuth' };

/** `apiKey` → `API key`: a form field's name as people read it (a submission carries names, not labels). */
export function fieldLabel(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[\s_-]+/)
    .filter(Boolean)
    .map((w) => ACRONYMS[w.toLowerCase()] ?? w.toLowerCase());
  const [first = '', ...rest] = words;
  return [first.charAt(0).toUpperCase() + first.slice(1), ...rest].join(' ');
}

/**
 * Discord cannot show errors on an open modal (it closes on submit): the refused values come
 * back in the private reply, one field each, with what to do next.
 */
function withFieldErrors(reply: NeutralReply): NeutralReply {
  const errors = Object.entries(reply.fieldErrors ?? {});
  if (!errors.length) return reply;
  const fields = errors.map(([name, message]) => ({ label: fieldLabel(name), value: message }));
  return { ...reply, blocks: [...reply.blocks, { type: 'section', text: 'Nothing was saved. Run the command again to open the form and correct:', fields }] };
}

/** A form that cannot open as a modal here (after a deferral, or from a modal) leaves a note instead. */
function withoutForm(reply: NeutralReply): NeutralReply {
  const form = formOf(reply);
  if (!form) return reply;
  return { ...reply, blocks: [...reply.blocks.filter((b) => b.type !== 'form'), { type: 'context', text: `📝 ${form.title}: run the command again to open the form.` }] };
}

async function settle(f: FollowUps, original: Original, result: CommandResult): Promise<void> {
  try {
    if (original.placeholder && !result.followUp) {
      await deliverLater(f, original, result.immediate);
      return;
    }
    if (result.followUp) await deliverLater(f, original, withoutForm(await result.followUp));
  } catch (err) {
    f.logger.error({ error: err instanceof Error ? err.message : String(err) }, 'discord: could not deliver a follow-up');
  }
}

function followUps(ctx: DiscordContext, i: Guilded): FollowUps {
  const channelId = channelOf(i);
  const target: PostTarget | null = channelId ? { platform: 'discord', teamId: i.guild_id, channelId } : null;
  return { rest: ctx.rest, applicationId: i.application_id, token: i.token, receivedAt: Date.now(), logger: ctx.rt.logger, poster: ctx.poster, target };
}
