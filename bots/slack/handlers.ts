/**
 * The Slack listeners: slash commands, button clicks and modal submissions, each translated by
 * parse.ts into the chat core (`runCommand` / `submitForm`) and its replies rendered back.
 *
 * Deadlines (Slack allows 3 s for an acknowledgement and for using a trigger id):
 * - a click is acknowledged first thing; a slash command as soon as the core answered (it answers
 *   in milliseconds and never calls a provider first) — with the reply itself when there is no
 *   slow work, else with nothing, and the reply is posted as a bot message that is edited when
 *   the slow work (`followUp`) is done (deliver.ts);
 * - a form opens as a modal (`views.open`) right after the core answered, before anything slow;
 * - a submission is acknowledged with the field errors (`response_action: 'errors'`) or by
 *   closing the modal, then handled like a command's reply.
 * Nothing thrown here reaches Slack as a stack trace: errors become the core's ephemeral replies.
 */
import type { App, webApi } from '@slack/bolt';
import { chatReplyOf } from '../../src/commands/chat-reply.ts';
import { runCommand, submitForm } from '../../src/commands/run.ts';
import type { CommandResult, Invocation } from '../../src/commands/types.ts';
import { ephemeral, type NeutralReply } from '../../src/commands/view.ts';
import { currentContext } from '../../src/context.ts';
import type { Runtime } from '../../src/runtime.ts';
import { deliver, deliverWithFollowUp, slackErrorCode, type Delivery } from './deliver.ts';
import { parseBlockAction, parseSlashCommand, parseViewSubmission, type SlackReplyTarget } from './parse.ts';
import { COMMAND_ACTION_PREFIX, URL_ACTION_PREFIX } from './render/buttons.ts';
import { formOf, renderMessage } from './render/blocks.ts';
import { FORM_CALLBACK_ID, modalErrors, renderModal } from './render/modal.ts';
import type { UserLookup } from './users.ts';

export type HandlerDeps = {
  rt: Runtime;
  users: UserLookup;
  respond: Delivery['respond'];
  /** Keeps work that outlives the acknowledgement visible to graceful shutdown (and tests); returns it. */
  track<T>(work: Promise<T>): Promise<T>;
};

const requestCorrelationId = () => currentContext()?.correlationId;

/** The slash command's answer in the HTTP response (https://docs.slack.dev/interactivity/implementing-slash-commands#responding_immediate_response). */
function ackBody(reply: NeutralReply) {
  return { response_type: reply.visibility, ...renderMessage(reply) };
}

async function withUser(deps: HandlerDeps, client: webApi.WebClient, inv: Invocation): Promise<Invocation> {
  return { ...inv, ...(await deps.users.facts(client, inv.teamId, inv.userId)) };
}

type Answer = {
  deps: HandlerDeps;
  client: webApi.WebClient;
  target: SlackReplyTarget;
  invocation: Invocation;
  triggerId?: string;
  result: CommandResult;
  /** Slash commands: acknowledge with a body (undefined once acknowledged). */
  ack?: (body?: Record<string, unknown>) => Promise<void>;
};

/** Puts the core's answer in front of the user: a modal, an edited bot message, or a reply. */
async function answer(a: Answer): Promise<void> {
  const { deps, client, target, result } = a;
  const d: Delivery = { client, target, logger: deps.rt.logger, respond: deps.respond };
  const form = formOf(result.immediate);
  if (form) {
    await a.ack?.();
    if (!a.triggerId) {
      await deliver(d, { ...result.immediate, blocks: result.immediate.blocks.filter((b) => b.type !== 'form') });
      return;
    }
    const view = renderModal(form, {
      formId: form.id,
      channelId: target.channelId,
      ...(target.responseUrl ? { responseUrl: target.responseUrl } : {}),
      ...(a.invocation.messageRef ? { messageRef: a.invocation.messageRef } : {}),
      ...(a.invocation.prefix ? { prefix: a.invocation.prefix } : {}),
      openedAt: Math.floor(Date.now() / 1000),
    });
    try {
      await client.views.open({ trigger_id: a.triggerId, view });
    } catch (err) {
      const code = slackErrorCode(err);
      deps.rt.logger.warn({ error: code ?? String(err) }, 'slack views.open failed');
      const why = code === 'expired_trigger_id' ? 'Slack allows 3 seconds to open it' : 'Slack refused to open it';
      await deliver(d, ephemeral(`⚠️ The form could not open (${why}). Run the command again.`));
    }
    return;
  }
  if (result.followUp) {
    await a.ack?.();
    void deps.track(deliverWithFollowUp(d, result.immediate, result.followUp, target.userId));
    return;
  }
  if (a.ack) {
    await a.ack(ackBody(result.immediate));
    return;
  }
  await deliver(d, result.immediate);
}

const delivery = (deps: HandlerDeps, client: webApi.WebClient, target: SlackReplyTarget): Delivery => ({ client, target, logger: deps.rt.logger, respond: deps.respond });

/**
 * Answers after the command ran. If Slack refuses the reply (after deliver.ts's own fall-backs),
 * the command still happened: the user is shown the reply itself through the response URL —
 * never the generic "nothing was changed", which would be false.
 */
async function answerOrTell(a: Answer): Promise<void> {
  try {
    await answer(a);
  } catch (err) {
    const { deps, target } = a;
    deps.rt.logger.error({ error: slackErrorCode(err) ?? (err instanceof Error ? err.message : String(err)), channel: target.channelId }, 'slack: could not deliver a reply');
    if (!target.responseUrl) return;
    await deps
      .respond(target.responseUrl, { response_type: 'ephemeral', replace_original: false, ...renderMessage(a.result.immediate) })
      .catch((e: unknown) => deps.rt.logger.error({ error: e instanceof Error ? e.message : String(e) }, 'slack: the response URL refused the reply too'));
  }
}

/** An internal failure in the Slack layer itself: logged with its stack, shown as the core's generic reply. */
function failure(deps: HandlerDeps, err: unknown, what: string): NeutralReply {
  deps.rt.logger.error({ err }, `slack ${what} failed`);
  return chatReplyOf(err, { correlationId: requestCorrelationId() ?? 'none' });
}

type AckFn = (body?: Record<string, unknown>) => Promise<void>;

/** Acknowledges at most once (later calls are no-ops). */
function once(ack: AckFn): AckFn & { done(): boolean } {
  let acked = false;
  const fn = async (body?: Record<string, unknown>) => {
    if (acked) return;
    acked = true;
    await ack(body);
  };
  return Object.assign(fn, { done: () => acked });
}

async function onSlashCommand(deps: HandlerDeps, body: unknown, ack: AckFn, client: webApi.WebClient): Promise<void> {
  const ackOnce = once(ack);
  let answered: Answer;
  try {
    const parsed = parseSlashCommand(body, requestCorrelationId());
    const invocation = await withUser(deps, client, parsed.invocation);
    const result = await runCommand(deps.rt, invocation);
    answered = { deps, client, target: parsed.target, invocation, result, ack: ackOnce, ...(parsed.triggerId ? { triggerId: parsed.triggerId } : {}) };
  } catch (err) {
    const reply = failure(deps, err, 'slash command');
    if (!ackOnce.done()) await ackOnce(ackBody(reply));
    return;
  }
  await answerOrTell(answered);
}

async function onButton(deps: HandlerDeps, body: unknown, ack: AckFn, client: webApi.WebClient): Promise<void> {
  await ack();
  let target: SlackReplyTarget | undefined;
  let answered: Answer;
  try {
    const cid = requestCorrelationId();
    const parsed = parseBlockAction(body, cid ? { correlationId: cid } : {});
    if (parsed.kind !== 'command') return;
    target = parsed.target;
    const invocation = await withUser(deps, client, parsed.invocation);
    const result = await runCommand(deps.rt, invocation);
    answered = { deps, client, target, invocation, result, ...(parsed.triggerId ? { triggerId: parsed.triggerId } : {}) };
  } catch (err) {
    const reply = failure(deps, err, 'button click');
    if (target) await deliver(delivery(deps, client, target), reply).catch(() => {});
    return;
  }
  await answerOrTell(answered);
}

async function onFormSubmission(deps: HandlerDeps, body: unknown, ack: AckFn, client: webApi.WebClient): Promise<void> {
  const ackOnce = once(ack);
  let target: SlackReplyTarget | undefined;
  let answered: Answer;
  try {
    // The values are secrets: they go to submitForm and nowhere else (never logged).
    const parsed = parseViewSubmission(body, requestCorrelationId());
    target = parsed.target;
    const invocation = await withUser(deps, client, parsed.invocation);
    const result = await submitForm(deps.rt, invocation, parsed.form.formId, parsed.values);
    const fieldErrors = result.immediate.fieldErrors;
    if (fieldErrors && Object.keys(fieldErrors).length && !result.followUp) {
      await ackOnce({ response_action: 'errors', errors: modalErrors(fieldErrors, parsed.blockIds) });
      return;
    }
    if (result.immediate.error?.code === 'validation_failed' && !result.followUp && parsed.blockIds.length) {
      // A problem with the values as a whole: shown on the still-open form.
      await ackOnce({ response_action: 'errors', errors: modalErrors({ [parsed.blockIds[0]!]: result.immediate.text }, parsed.blockIds) });
      return;
    }
    await ackOnce(); // closes the modal
    answered = { deps, client, target, invocation, result };
  } catch (err) {
    const reply = failure(deps, err, 'form submission');
    await ackOnce();
    if (target) await deliver(delivery(deps, client, target), reply).catch(() => {});
    return;
  }
  await answerOrTell(answered);
}

export function registerHandlers(app: App, deps: HandlerDeps): void {
  // Each listener's work (which continues after the acknowledgement) is tracked for graceful shutdown.
  app.command(/^\//, ({ body, ack, client }) => deps.track(onSlashCommand(deps, body, ack as AckFn, client)));
  // Link buttons (OAuth authorize URLs): Slack opens the link and still sends the click.
  app.action(new RegExp(`^${URL_ACTION_PREFIX}`), async ({ ack }) => {
    await ack();
  });
  app.action(new RegExp(`^${COMMAND_ACTION_PREFIX}`), ({ body, ack, client }) => deps.track(onButton(deps, body, ack as AckFn, client)));
  app.view(FORM_CALLBACK_ID, ({ body, ack, client }) => deps.track(onFormSubmission(deps, body, ack as AckFn, client)));
  app.error(async (error) => {
    deps.rt.logger.error({ error: error.message, code: (error as { code?: string }).code }, 'slack: unhandled error in Bolt');
  });
}
