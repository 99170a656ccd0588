/**
 * Slack payloads → the chat core's `Invocation`. Only the fields Patchbay reads are parsed
 * (zod, unknown fields ignored). Payload references:
 * - slash commands: https://docs.slack.dev/interactivity/implementing-slash-commands#app_command_handling
 * - block_actions: https://docs.slack.dev/reference/interaction-payloads/block_actions-payload
 * - view_submission: https://docs.slack.dev/reference/interaction-payloads/view-interactions-payload
 */
import { z } from 'zod';
import type { Invocation } from '../../src/commands/types.ts';
import { COMMAND_ACTION_PREFIX, URL_ACTION_PREFIX } from './render/buttons.ts';
import { formContextSchema, formValues, type FormContext } from './render/modal.ts';

const slashCommand = z.object({
  command: z.string().min(1),
  text: z.string().default(''),
  team_id: z.string().min(1),
  team_domain: z.string().optional(),
  enterprise_id: z.string().optional(),
  channel_id: z.string().min(1),
  user_id: z.string().min(1),
  user_name: z.string().optional(),
  trigger_id: z.string().optional(),
  response_url: z.string().optional(),
});

const user = z.object({ id: z.string().min(1), username: z.string().optional(), name: z.string().optional(), team_id: z.string().optional() });
const team = z.object({ id: z.string().min(1), domain: z.string().optional() }).nullish();

const blockActions = z.object({
  type: z.literal('block_actions'),
  team,
  user,
  channel: z.object({ id: z.string() }).nullish(),
  container: z
    .object({ type: z.string(), message_ts: z.string().optional(), channel_id: z.string().optional(), is_ephemeral: z.boolean().optional() })
    .nullish(),
  trigger_id: z.string().optional(),
  response_url: z.string().optional(),
  actions: z.array(z.object({ action_id: z.string(), value: z.string().optional(), type: z.string().optional() })).min(1),
});

const viewSubmission = z.object({
  type: z.literal('view_submission'),
  team,
  user,
  view: z.object({
    id: z.string().optional(),
    callback_id: z.string(),
    private_metadata: z.string().default(''),
    state: z.object({ values: z.record(z.string(), z.record(z.string(), z.object({ value: z.string().nullish(), selected_option: z.object({ value: z.string() }).loose().nullish() }).loose())) }),
    blocks: z.array(z.object({ type: z.string(), block_id: z.string().optional() }).loose()).default([]),
  }),
});

/** Where and how to answer, beside the invocation. */
export type SlackReplyTarget = {
  channelId: string;
  userId: string;
  /** The response URL Slack gave this command or click (5 posts in 30 minutes). */
  responseUrl?: string;
  /** The message a clicked button was on. */
  source?: { ts: string; ephemeral: boolean };
};

export type ParsedCommand = { invocation: Invocation; target: SlackReplyTarget; triggerId?: string };

const nameOf = (u: z.infer<typeof user>) => u.username ?? u.name;

/**
 * Slash command text with `should_escape` (manifest) has mentions as `<@U123|name>` and the
 * user's own `&`, `<`, `>` as entities; the core reads plain text with mentions.
 */
export function unescapeSlack(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

export function parseSlashCommand(body: unknown, correlationId?: string): ParsedCommand {
  const c = slashCommand.parse(body);
  return {
    invocation: {
      platform: 'slack',
      teamId: c.team_id,
      ...(c.team_domain ? { teamName: c.team_domain } : {}),
      userId: c.user_id,
      ...(c.user_name ? { userName: c.user_name } : {}),
      channelId: c.channel_id,
      text: unescapeSlack(c.text),
      prefix: c.command,
      ...(correlationId ? { correlationId } : {}),
    },
    target: { channelId: c.channel_id, userId: c.user_id, ...(c.response_url ? { responseUrl: c.response_url } : {}) },
    ...(c.trigger_id ? { triggerId: c.trigger_id } : {}),
  };
}

export type ParsedAction = ParsedCommand & { kind: 'command' } | { kind: 'url' };

/** A click on a Patchbay button: a command button re-runs its command line; a link button needs nothing more. */
export function parseBlockAction(body: unknown, opts: { prefix?: string; correlationId?: string } = {}): ParsedAction {
  const a = blockActions.parse(body);
  const action = a.actions[0]!;
  if (action.action_id.startsWith(URL_ACTION_PREFIX)) return { kind: 'url' };
  if (!action.action_id.startsWith(COMMAND_ACTION_PREFIX) || action.value === undefined) {
    throw new Error(`not a Patchbay button: ${action.action_id.slice(0, 40)}`);
  }
  const teamId = a.team?.id ?? a.user.team_id;
  const channelId = a.channel?.id ?? a.container?.channel_id;
  if (!teamId || !channelId) throw new Error('block_actions payload without a team or channel');
  const ts = a.container?.type === 'message' ? a.container.message_ts : undefined;
  const userName = nameOf(a.user);
  return {
    kind: 'command',
    invocation: {
      platform: 'slack',
      teamId,
      ...(a.team?.domain ? { teamName: a.team.domain } : {}),
      userId: a.user.id,
      ...(userName ? { userName } : {}),
      channelId,
      text: action.value,
      ...(ts ? { messageRef: ts } : {}),
      ...(opts.prefix ? { prefix: opts.prefix } : {}),
      ...(opts.correlationId ? { correlationId: opts.correlationId } : {}),
    },
    target: {
      channelId,
      userId: a.user.id,
      ...(a.response_url ? { responseUrl: a.response_url } : {}),
      ...(ts ? { source: { ts, ephemeral: Boolean(a.container?.is_ephemeral) } } : {}),
    },
    ...(a.trigger_id ? { triggerId: a.trigger_id } : {}),
  };
}

export type ParsedSubmission = {
  invocation: Invocation;
  target: SlackReplyTarget;
  form: FormContext;
  values: Record<string, string>;
  /** The modal's input block ids, in order (where field errors can be shown). */
  blockIds: string[];
};

/** A response URL works for 30 minutes (and 5 posts); one older than this is not used. */
export const RESPONSE_URL_LIFETIME_SECONDS = 29 * 60;

/**
 * A submitted Patchbay modal. The values are secrets: never log them. A form submitted after its
 * command's response URL expired replies through the bot instead (chat.postMessage/postEphemeral).
 */
export function parseViewSubmission(body: unknown, correlationId?: string, nowSec = Math.floor(Date.now() / 1000)): ParsedSubmission {
  const s = viewSubmission.parse(body);
  const form = formContextSchema.parse(JSON.parse(s.view.private_metadata || '{}'));
  // Forms opened before openedAt existed carry none: trusted as before.
  const fresh = form.openedAt === undefined || nowSec - form.openedAt < RESPONSE_URL_LIFETIME_SECONDS;
  const teamId = s.team?.id ?? s.user.team_id;
  if (!teamId) throw new Error('view_submission payload without a team');
  const userName = nameOf(s.user);
  return {
    invocation: {
      platform: 'slack',
      teamId,
      userId: s.user.id,
      ...(userName ? { userName } : {}),
      channelId: form.channelId,
      text: '',
      ...(form.messageRef ? { messageRef: form.messageRef } : {}),
      ...(form.prefix ? { prefix: form.prefix } : {}),
      ...(correlationId ? { correlationId } : {}),
    },
    target: { channelId: form.channelId, userId: s.user.id, ...(form.responseUrl && fresh ? { responseUrl: form.responseUrl } : {}) },
    form,
    values: formValues(s.view.state.values),
    blockIds: s.view.blocks.filter((b) => b.type === 'input' && b.block_id).map((b) => b.block_id!),
  };
}
