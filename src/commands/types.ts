/** The chat core's contracts: what a platform sends in, what a command sees, what comes back. */
import type { Action } from '../access/permissions.ts';
import type { EffectiveRole } from '../chat/identity.ts';
import type { LinkedTeam } from '../chat/tenancy.ts';
import type { Caller, ConnectionService } from '../connections/service.ts';
import type { IChatIdentity } from '../entities/chat-identity.ts';
import type { ChatPlatform, IChatTeam, PlatformRole } from '../entities/chat-team.ts';
import type { IMember, Role } from '../entities/member.ts';
import type { IWorkspace } from '../entities/workspace.ts';
import type { Runtime } from '../runtime.ts';
import type { Grammar } from './grammar.ts';
import type { ParsedLine } from './parse.ts';
import type { NeutralReply } from './view.ts';

/** One command line (typed, or a clicked button's action) as a platform received it. */
export type Invocation = {
  platform: ChatPlatform;
  /** Slack team id, Discord guild id, Teams tenant id; the workspace id for the terminal. */
  teamId: string;
  teamName?: string;
  /** The platform's user id (used in `<@userId>` mentions). */
  userId: string;
  userName?: string;
  /** When the platform gives it (Slack `users:read.email`): matched to a Member on first contact. */
  email?: string;
  /**
   * The user's role on the platform as read now (Slack `users.info` is_owner/is_admin). Omit when
   * not read: the value cached on the identity is used while fresh (PLATFORM_ROLE_TTL_MS).
   */
  platformRole?: PlatformRole | null;
  channelId: string;
  /** The command line after the slash command, e.g. `pause linear` (a leading `/integrations` is ignored). */
  text: string;
  /** The message a clicked button was on (Slack ts, Discord message id, Teams activity id), for replies that replace it. */
  messageRef?: string;
  /** How the platform's users invoke the app, shown in usage texts. Default `/integrations`. */
  prefix?: string;
  /** The platform request's correlation id, when it has one (else a new one). */
  correlationId?: string;
};

/**
 * What `runCommand` and `submitForm` return. `immediate` is ready within milliseconds and is
 * what the platform acknowledges with. `followUp`, when present, settles later with the result
 * of slow work (provider calls) and never rejects; deliver it by editing the acknowledgement
 * where the platform can (Slack `chat.update`/response_url, Discord edit original response),
 * otherwise as a new message.
 */
export type CommandResult = {
  immediate: NeutralReply;
  followUp?: Promise<NeutralReply>;
  /** Carried by every audit entry, event and log line of this invocation; shown in internal-error replies. */
  correlationId: string;
};

/** What a command's `run` returns: a reply, or a reply now and one later. */
export type CommandOutcome = NeutralReply | { immediate: NeutralReply; followUp?: Promise<NeutralReply> };

/** What every command sees, linked team or not. */
export type BaseContext = {
  rt: Runtime;
  invocation: Invocation;
  /** e.g. `/integrations`; '' when the platform has no prefix. */
  prefix: string;
  correlationId: string;
  commands: readonly Command[];
  team: IChatTeam | null;
};

/** What a command sees in a linked team: who is acting, as what, and the services it may call. */
export type CommandContext = BaseContext & {
  team: LinkedTeam;
  workspace: IWorkspace;
  /** The acting member with the effective role (explicit role, raised by a trusted platform role). */
  member: IMember;
  role: EffectiveRole & { explicit: Role };
  platformRole: PlatformRole | null;
  identity: IChatIdentity;
  caller: Caller;
  connections: ConnectionService;
  /** Throws `forbidden` naming the role when the acting member may not, and audits the refusal. */
  authorize(action: Action, targetId?: string | null): Promise<void>;
  /** Prefix + command text for usage lines, e.g. `/integrations pause linear`. */
  cmd(text: string): string;
};

export type Command = {
  name: string;
  /** Grammar after the prefix, e.g. `pause <connection> [reason…]`. */
  usage: string;
  /** The usage as typed params (and verbs), for platforms with typed options (Discord); see grammar.ts. */
  grammar?: Grammar;
  /** Full command lines after the prefix. */
  examples: string[];
  summary: string;
  /** Checked (and refusals audited) before `run`; absent when the command checks per subcommand. */
  permission?: Action;
  run(ctx: CommandContext, line: ParsedLine): Promise<CommandOutcome>;
  /** Present only on commands that also work before the team is linked (`help`, `link`). */
  runUnlinked?(ctx: BaseContext, line: ParsedLine): Promise<CommandOutcome>;
};

/** A form's submission handler, chosen by the form id's prefix (`connect:linear` → `connect`). */
export type FormHandler = {
  prefix: string;
  permission: Action;
  submit(ctx: CommandContext, arg: string, values: Record<string, string>): Promise<CommandOutcome>;
};
