/**
 * The chat core's entry points. Every platform (bots/slack, bots/discord, bots/teams, the
 * terminal client) only translates its payloads into an `Invocation` and renders the
 * `NeutralReply`s that come back.
 *
 * Contract
 * - `runCommand(rt, invocation) → Promise<CommandResult>` runs one command line, typed or from a
 *   clicked button (a button's action is a command line: `commandLine(button.action)`).
 *   It resolves in milliseconds — no provider is called before it resolves — so a platform can
 *   await it inside its acknowledgement deadline (Slack: 3 s) and acknowledge with `immediate`.
 * - `followUp`, when present, carries the result of slow work (provider tests, revokes,
 *   credential checks). It never rejects (errors become replies). Deliver it after the
 *   acknowledgement: edit the acknowledgement where the platform can, else post it.
 * - `submitForm(rt, invocation, formId, values) → Promise<CommandResult>` receives a form's values
 *   (`invocation.text` is ignored). Invalid values come back at once with `fieldErrors` and
 *   nothing done; secrets in `values` are never logged, stored in clear or echoed.
 * - Every call re-resolves the team, the user and their role: a forwarded message or a member
 *   clicking an admin's button gains nothing. Until the team is linked only `help` and `link` run.
 * - Every invocation runs in its own request context (correlation id; actor = the member, `via`
 *   the platform, `externalId` = `platform:team:user`), so audit entries and events record the
 *   platform identity.
 */
import { authorizeOrAudit } from '../access/authorize.ts';
import type { Action } from '../access/permissions.ts';
import { effectiveRole, resolveActor } from '../chat/identity.ts';
import { linkInstructions } from '../chat/link-codes.ts';
import { externalIdOf, PLATFORM_NAMES } from '../chat/platforms.ts';
import { cachedTeam, isLinked } from '../chat/tenancy.ts';
import { ConnectionService } from '../connections/service.ts';
import { newCorrelationId, runWithContext, type Actor } from '../context.ts';
import { AppError } from '../errors.ts';
import { suggestSlugs } from '../providers/registry.ts';
import type { Runtime } from '../runtime.ts';
import { chatReplyOf } from './chat-reply.ts';
import { parseLine, type ParsedLine } from './parse.ts';
import { commands, findCommand, findFormHandler } from './registry.ts';
import type { BaseContext, Command, CommandContext, CommandOutcome, CommandResult, Invocation } from './types.ts';
import { code, ephemeral, plain, type NeutralReply } from './view.ts';

export type { CommandResult, Invocation } from './types.ts';

/** What users type before a command when the platform does not say. */
export const DEFAULT_PREFIX = '/integrations';

export async function runCommand(rt: Runtime, invocation: Invocation): Promise<CommandResult> {
  return await withInvocation(rt, invocation, async (base, link, state) => {
    const line: ParsedLine = parseLine(invocation.text);
    if (!line.name) line.name = 'help';
    const command = findCommand(line.name);
    if (!command) return unknownCommand(line.name, base.prefix);
    state.command = command;
    if (!isLinked(base.team)) return command.runUnlinked ? await command.runUnlinked(base, line) : notLinked(base);
    const ctx = await link();
    if (command.permission) await ctx.authorize(command.permission, command.name);
    return await command.run(ctx, line);
  });
}

export async function submitForm(rt: Runtime, invocation: Invocation, formId: string, values: Record<string, unknown>): Promise<CommandResult> {
  return await withInvocation(rt, invocation, async (base, link, state) => {
    const [prefix = '', ...rest] = formId.split(':');
    const handler = findFormHandler(prefix);
    if (!handler) throw new AppError('validation_failed', 'This form is no longer supported; run the command again.');
    state.command = findCommand(prefix);
    if (!isLinked(base.team)) return notLinked(base);
    const ctx = await link();
    await ctx.authorize(handler.permission, formId);
    const clean: Record<string, string> = {};
    for (const [k, v] of Object.entries(values ?? {})) {
      if (typeof v === 'string' && v.trim() !== '') clean[k] = v.trim();
    }
    return await handler.submit(ctx, rest.join(':'), clean);
  });
}

type Step = (base: BaseContext, link: () => Promise<CommandContext>, state: { command?: Command }) => Promise<CommandOutcome>;

async function withInvocation(rt: Runtime, inv: Invocation, step: Step): Promise<CommandResult> {
  const correlationId = newCorrelationId(inv.correlationId);
  const actor: Actor = { via: inv.platform, externalId: externalIdOf(inv.platform, inv.teamId, inv.userId), memberId: null };
  const prefix = inv.prefix ?? DEFAULT_PREFIX;
  const state: { command?: Command } = {};
  return await runWithContext({ correlationId, actor }, async () => {
    const replyOf = (err: unknown) => {
      logIfUnexpected(rt, err, inv);
      return chatReplyOf(err, { command: state.command, prefix, correlationId });
    };
    try {
      const team = await cachedTeam(rt, inv.platform, inv.teamId);
      const base: BaseContext = { rt, invocation: inv, prefix, correlationId, commands, team };
      const outcome = await step(base, () => commandContext(base, actor), state);
      if (!('immediate' in outcome)) return { immediate: outcome, correlationId };
      return {
        immediate: outcome.immediate,
        ...(outcome.followUp ? { followUp: outcome.followUp.catch(replyOf) } : {}),
        correlationId,
      };
    } catch (err) {
      return { immediate: replyOf(err), correlationId };
    }
  });
}

function logIfUnexpected(rt: Runtime, err: unknown, inv: Invocation): void {
  if (err instanceof AppError && err.code !== 'internal_error') return;
  // The command line can hold names but never secrets (those only travel in form values, never logged).
  rt.logger.error({ err, platform: inv.platform, team: inv.teamId, command: inv.text.split(/\s+/)[0] }, 'chat command failed unexpectedly');
}

async function commandContext(base: BaseContext, actor: Actor): Promise<CommandContext> {
  const { rt, invocation: inv } = base;
  const team = base.team;
  if (!isLinked(team)) throw new AppError('internal_error', 'team is not linked');
  // One resolution per invocation (cached across invocations): team → workspace → identity → member.
  const resolved = await resolveActor(rt, team.workspace, {
    platform: inv.platform,
    teamId: inv.teamId,
    userId: inv.userId,
    userName: inv.userName,
    email: inv.email,
    platformRole: inv.platformRole,
  });
  const workspace = resolved.workspace;
  const eff = effectiveRole(resolved.member.role, resolved.platformRole, workspace);
  // The service authorizes on `member.role`: hand it the effective role, never persisted.
  const member = { ...resolved.member, role: eff.role } as typeof resolved.member;
  actor.memberId = member.id;
  const caller = { workspaceId: workspace.id, member };
  return {
    ...base,
    team,
    workspace,
    member,
    role: { ...eff, explicit: resolved.member.role },
    platformRole: resolved.platformRole,
    identity: resolved.identity,
    caller,
    connections: new ConnectionService(rt),
    cmd: (text: string) => (base.prefix ? `${base.prefix} ${text}` : text),
    async authorize(action: Action, targetId?: string | null) {
      await authorizeOrAudit(rt, {
        workspaceId: workspace.id,
        role: eff.role,
        action,
        targetType: 'chat_command',
        targetId: targetId ?? null,
        details: { explicitRole: resolved.member.role, platformRole: resolved.platformRole },
      });
    },
  };
}

function notLinked(base: BaseContext): NeutralReply {
  const teamWord = PLATFORM_NAMES[base.invocation.platform].team;
  const text = `This ${teamWord} is not linked to a Patchbay workspace yet, so only ${code('help')} and ${code('link')} work here.`;
  return ephemeral(`${text} ${linkInstructions(base.prefix)}`, [
    { type: 'section', text: `🔗 ${text}` },
    { type: 'section', text: linkInstructions(base.prefix) },
  ]);
}

function unknownCommand(name: string, prefix: string): NeutralReply {
  const p = prefix ? `${prefix} ` : '';
  const suggestions = suggestSlugs(name, commands.map((c) => c.name));
  const shown = name.length > 40 ? `${name.slice(0, 40)}…` : name;
  const hint = suggestions.length ? ` Did you mean ${suggestions.map((s) => code(p + s)).join(' or ')}?` : '';
  // What the user typed is shown as typed: never a link or a mention.
  const text = `🤔 Unknown command '${plain(shown)}'.${hint} ${code(`${p}help`)} lists every command.`;
  const reply = ephemeral(text, [
    { type: 'section', text },
    { type: 'context', text: `Commands: ${commands.map((c) => c.name).join(' · ')}` },
  ]);
  return { ...reply, error: { code: 'not_found' } }; // an error like any other: the terminal exits non-zero
}
