import { channelSubscriptions, subscribeChannel, unsubscribeChannel, type ChannelRef } from '../../alerts/subscriptions.ts';
import { ALERT_KINDS, type AlertKind } from '../../entities/alert-subscription.ts';
import { Connection } from '../../entities/connection.ts';
import { AppError } from '../../errors.ts';
import { resolveConnection } from '../resolve.ts';
import type { Command, CommandContext } from '../types.ts';
import { bold, code, ephemeral, inChannel, mention, plain, type NeutralReply } from '../view.ts';
import { CONNECTION } from '../grammar.ts';

const KIND_TEXT: Record<AlertKind, string> = {
  errors: 'a connection errors, or a realtime rule\'s webhook cannot be registered',
  pauses: 'a provider rate limit pauses a connection',
  conflicts: 'a sync hits a conflict',
  webhooks: 'an outbound webhook is paused (after failing too often) or disabled, and when it is enabled again',
  hooks: 'a custom hook receives a body (shown as literal text; at most one post per hook every few seconds, the rest summarized)',
};

/** `errors pauses for "Linear Eng"` → kinds and the connection name. */
function parseArgs(args: string[]): { kinds: AlertKind[]; connection?: string } {
  const forAt = args.findIndex((a) => a.toLowerCase() === 'for');
  const kindArgs = forAt >= 0 ? args.slice(0, forAt) : args;
  const connection = forAt >= 0 ? args.slice(forAt + 1).join(' ') : undefined;
  if (forAt >= 0 && !connection) throw new AppError('validation_failed', 'Name the connection after `for`.');
  const kinds = new Set<AlertKind>();
  for (const raw of kindArgs.flatMap((a) => a.split(','))) {
    const k = raw.trim().toLowerCase();
    if (!k) continue;
    if (k === 'all') ALERT_KINDS.forEach((x) => kinds.add(x));
    else if ((ALERT_KINDS as readonly string[]).includes(k)) kinds.add(k as AlertKind);
    else if ((ALERT_KINDS as readonly string[]).includes(`${k}s`)) kinds.add(`${k}s` as AlertKind);
    else throw new AppError('validation_failed', `Unknown alert kind '${plain(raw)}'. Kinds: ${ALERT_KINDS.join(', ')}, all.`);
  }
  // Without kinds, the operational alerts: hook bodies are a data feed a channel asks for by name (`hooks`, or `all`).
  return { kinds: kinds.size ? [...kinds] : ALERT_KINDS.filter((k) => k !== 'hooks'), ...(connection ? { connection } : {}) };
}

function channelRef(ctx: CommandContext): ChannelRef {
  if (ctx.invocation.platform === 'cli') {
    throw new AppError('validation_failed', 'Alerts are posted to a chat channel: run `alerts here` in Slack, Discord or Teams, in the channel that should receive them.');
  }
  return { workspaceId: ctx.workspace.id, platform: ctx.invocation.platform, teamId: ctx.invocation.teamId, channelId: ctx.invocation.channelId };
}

async function describe(ctx: CommandContext): Promise<NeutralReply> {
  const ref = channelRef(ctx);
  const subs = await channelSubscriptions(ctx.rt.em(), ref);
  if (!subs.length) {
    return ephemeral(`This channel receives no alerts. ${code(ctx.cmd('alerts here'))} subscribes it (kinds: ${ALERT_KINDS.join(', ')}).`);
  }
  const names = new Map<string, string>();
  for (const s of subs) {
    if (s.connection && !names.has(s.connection)) {
      const c = await ctx.rt.em().findOne(Connection, { id: s.connection });
      names.set(s.connection, c?.displayName ?? s.connection);
    }
  }
  const lines = subs.map((s) => `• ${s.kinds.join(', ')} — ${s.connection ? `for ${bold(plain(names.get(s.connection)!))}` : 'for every connection'}`);
  return ephemeral(`This channel receives:\n${lines.join('\n')}\n${code(ctx.cmd('alerts off'))} stops them.`);
}

const alerts: Command = {
  name: 'alerts',
  usage: 'alerts [here [errors|pauses|conflicts|webhooks|hooks|all …] [for <connection>] | off [for <connection>]]',
  grammar: {
    verbs: [
      { name: 'show', words: [], summary: 'Shows the alerts this channel receives', params: [] },
      {
        name: 'here',
        summary: 'Subscribes this channel to alerts (Admin)',
        params: [
          { name: 'kinds', kind: 'choice', multiple: true, choices: [...ALERT_KINDS, 'all'], description: `Which: ${[...ALERT_KINDS, 'all'].join(', ')} (several, space-separated)` },
          { ...CONNECTION, required: false, keyword: 'for', description: 'Only for this connection' },
        ],
      },
      { name: 'off', summary: 'Stops this channel’s alerts (Admin)', params: [{ ...CONNECTION, required: false, keyword: 'for', description: 'Only those for this connection' }] },
    ],
  },
  examples: ['alerts', 'alerts here', 'alerts here errors pauses', 'alerts here errors for hubspot', 'alerts off', 'alerts off for hubspot'],
  summary: 'Shows, subscribes or stops this channel’s alerts (errors, rate-limit pauses, …)',
  async run(ctx, line) {
    const [sub, ...rest] = line.args;
    const verb = sub?.toLowerCase();
    if (!verb) {
      await ctx.authorize('connections.read', 'alerts');
      return await describe(ctx);
    }
    if (verb !== 'here' && verb !== 'off') throw new AppError('validation_failed', `Unknown alerts subcommand '${plain(sub ?? '')}': use \`here\` or \`off\`.`);
    await ctx.authorize('alerts.manage', `alerts ${verb}`);
    const ref = channelRef(ctx);
    const { kinds, connection } = parseArgs(rest);
    if (connection && verb === 'here' && kinds.length === 1 && (kinds[0] === 'webhooks' || kinds[0] === 'hooks')) {
      // Webhook endpoints and custom hooks belong to the workspace: their alerts go to channels subscribed for every connection.
      const what = kinds[0] === 'webhooks' ? 'Webhook alerts concern' : 'Custom hooks belong to';
      throw new AppError('validation_failed', `${what} the whole workspace, not one connection: use ${code(ctx.cmd(`alerts here ${kinds[0]}`))} without \`for\`.`);
    }
    const target = connection ? await resolveConnection(ctx, connection) : null;
    const who = mention(ctx.invocation.userId);
    const scope = target ? `for ${bold(plain(target.displayName))}` : 'for every connection';
    if (verb === 'here') {
      const { updated } = await subscribeChannel(ctx.rt, ref, { kinds, connectionId: target?.id ?? null, memberId: ctx.member.id });
      const text = `🔔 ${who} ${updated ? 'changed this channel’s alerts to' : 'subscribed this channel to'} ${bold(kinds.join(', '))} ${scope}.`;
      return inChannel(text, [
        { type: 'section', text },
        {
          type: 'context',
          // Webhook endpoints and hooks belong to the workspace: only channels subscribed for every connection hear of them.
          text: `Posted when ${kinds.filter((k) => !(target && (k === 'webhooks' || k === 'hooks'))).map((k) => KIND_TEXT[k]).join('; ')}. ${code(ctx.cmd('alerts off'))} stops them.`,
        },
      ]);
    }
    const stopped = await unsubscribeChannel(ctx.rt, ref, {
      ...(target ? { connectionId: target.id } : {}),
      reason: `Turned off by ${ctx.member.displayName} (${ctx.invocation.platform}).`,
    });
    if (!stopped.length) return ephemeral(`This channel has no alert subscription ${scope}.`);
    return inChannel(`🔕 ${who} turned off this channel’s alerts ${scope}.`);
  },
};

export default alerts;
