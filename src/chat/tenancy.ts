/**
 * Which workspace a chat team drives. A team is linked only by redeeming an Owner's team link code;
 * installing an app links nothing. The terminal client links itself (it runs with database access).
 */
import { LockMode, type EntityManager } from '@mikro-orm/postgresql';
import { auditOutsideTransaction, writeAudit } from '../audit/audit.ts';
import { AlertSubscription } from '../entities/alert-subscription.ts';
import { ChatIdentity } from '../entities/chat-identity.ts';
import { ChatTeam, type ChatPlatform, type IChatTeam } from '../entities/chat-team.ts';
import { LinkCode, type ILinkCode } from '../entities/link-code.ts';
import { Member, type IMember } from '../entities/member.ts';
import { Workspace, type IWorkspace } from '../entities/workspace.ts';
import { AppError } from '../errors.ts';
import type { Runtime } from '../runtime.ts';
import { hashLinkCode, normalizeLinkCode } from './link-codes.ts';
import { countFailure, guardLinkAttempt } from './link-throttle.ts';
import { redeemPersonalCode, type PersonalLinkOutcome } from './personal-link.ts';
import { PLATFORM_NAMES } from './platforms.ts';

export type TeamRef = { platform: ChatPlatform; teamId: string; teamName?: string };
export type LinkedTeam = IChatTeam & { workspace: string };

export async function findTeam(em: EntityManager, platform: ChatPlatform, teamId: string): Promise<IChatTeam | null> {
  return await em.findOne(ChatTeam, { platform, externalId: teamId });
}

/**
 * `findTeam` through the runtime's chat cache (src/chat/resolve-cache.ts); read-only, never modify
 * the row. `sync` (the core, once per invocation) first drops the cache if anything changed; a
 * bot deciding whether to ask its platform again may skip that.
 */
export async function cachedTeam(rt: Runtime, platform: ChatPlatform, teamId: string, opts: { sync: boolean } = { sync: true }): Promise<IChatTeam | null> {
  if (opts.sync) await rt.chatCache.sync(rt.db.pool);
  const hit = rt.chatCache.team(platform, teamId);
  if (hit !== undefined) return hit;
  const gen = rt.chatCache.generation();
  const team = await findTeam(rt.em(), platform, teamId);
  rt.chatCache.putTeam(gen, platform, teamId, team);
  return team;
}

/** Linked and not uninstalled: the only state in which a team may run workspace commands. */
export function isLinked(team: IChatTeam | null): team is LinkedTeam {
  return Boolean(team && team.active && team.workspace);
}

export type TeamLinkOutcome = { kind: 'team'; team: LinkedTeam; workspace: IWorkspace; owner: IMember; relinkedFrom: string | null };
export type LinkOutcome = TeamLinkOutcome | PersonalLinkOutcome;

/**
 * Redeems a link code. A team code links the team to the code's workspace and the chat user who
 * ran it to the Owner who made the code; a team linked elsewhere moves only when `mayRelink` (the
 * user is an Owner of the workspace it is linked to now), and its alert subscriptions there stop.
 * A personal code binds the chat user to the member who made it (src/chat/personal-link.ts).
 * Wrong codes are counted and, past a few, `link` is refused for a while (src/chat/link-throttle.ts).
 */
export async function redeemLinkCode(
  rt: Runtime,
  input: TeamRef & { userId: string; userName?: string; email?: string },
  code: string,
  opts: { mayRelink: boolean },
): Promise<LinkOutcome> {
  const teamWord = PLATFORM_NAMES[input.platform].team;
  const normalized = normalizeLinkCode(code);
  if (!/^PB[A-Z0-9]{12}$/.test(normalized)) {
    throw new AppError('validation_failed', 'That is not a link code: codes look like PB-XXXX-XXXX-XXXX.');
  }
  await guardLinkAttempt(rt, input);
  let refused: { workspaceId: string; reason: string } | undefined;
  let wrong = false;
  try {
    return await rt.em().transactional(async (tx): Promise<LinkOutcome> => {
      const row = await tx.findOne(LinkCode, { codeHash: hashLinkCode(normalized) }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!row) {
        wrong = true;
        throw new AppError('validation_failed', 'That link code is not valid. Check it, or ask for a new one.');
      }
      if (row.usedAt) {
        refused = { workspaceId: row.workspace, reason: 'used' };
        throw new AppError('invalid_transition', 'That link code has already been used. Ask for a new one.');
      }
      if (row.expiresAt.getTime() <= Date.now()) {
        refused = { workspaceId: row.workspace, reason: 'expired' };
        throw new AppError('invalid_transition', 'That link code has expired (codes last 30 minutes). Ask for a new one.');
      }
      if (row.kind === 'personal') {
        return await redeemPersonalCode(tx, row, input, (workspaceId, reason) => (refused = { workspaceId, reason }));
      }
      return await linkTeam(tx, row, input, opts, (workspaceId, reason) => (refused = { workspaceId, reason }), teamWord);
    });
  } catch (err) {
    if (wrong) await countFailure(rt, input, 'wrong_code');
    if (refused) {
      await auditOutsideTransaction(rt, {
        workspaceId: refused.workspaceId,
        action: 'chat.link',
        targetType: 'chat_team',
        targetId: null,
        outcome: 'refused',
        details: { reason: refused.reason, platform: input.platform, team: input.teamId },
      });
    }
    throw err;
  }
}

async function linkTeam(
  tx: EntityManager,
  row: ILinkCode,
  input: TeamRef & { userId: string; userName?: string; email?: string },
  opts: { mayRelink: boolean },
  refuse: (workspaceId: string, reason: string) => void,
  teamWord: string,
): Promise<TeamLinkOutcome> {
  const workspace = await tx.findOneOrFail(Workspace, { id: row.workspace });
  const owner = await tx.findOneOrFail(Member, { id: row.createdBy });
  let team = await tx.findOne(ChatTeam, { platform: input.platform, externalId: input.teamId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  const previous = isLinked(team) ? team.workspace : null;
  if (previous === workspace.id) {
    throw new AppError('conflict', `This ${teamWord} is already linked to workspace '${workspace.slug}'. The code was not used.`);
  }
  if (previous && !opts.mayRelink) {
    refuse(previous, 'relink_forbidden');
    throw new AppError('forbidden', `This ${teamWord} is linked to another Patchbay workspace; only an Owner there can move it.`, {
      details: { requiredRole: 'owner' },
    });
  }
  if (!team) team = tx.create(ChatTeam, { platform: input.platform, externalId: input.teamId });
  team.workspace = workspace.id;
  team.name = input.teamName ?? team.name ?? null;
  team.linkedBy = owner.id;
  team.linkedAt = new Date();
  team.active = true;
  team.deactivatedAt = null;
  row.usedAt = new Date();
  row.usedBy = `${input.platform}:${input.teamId}`;
  await tx.flush();
  if (previous) {
    await tx.nativeUpdate(
      AlertSubscription,
      { platform: input.platform, teamExternalId: input.teamId, workspace: previous, active: true },
      { active: false, deactivatedAt: new Date(), deactivatedReason: `The ${teamWord} was linked to another workspace.` },
    );
  }
  const where = { workspace: workspace.id, platform: input.platform, teamExternalId: input.teamId, externalUserId: input.userId };
  const identity = (await tx.findOne(ChatIdentity, where)) ?? tx.create(ChatIdentity, { ...where, member: owner.id });
  identity.member = owner.id;
  identity.email = input.email ?? identity.email ?? null;
  identity.displayName = input.userName ?? identity.displayName ?? null;
  await tx.flush();
  await writeAudit(tx, {
    workspaceId: workspace.id,
    action: 'chat.link',
    targetType: 'chat_team',
    targetId: team.id,
    outcome: 'success',
    details: { platform: input.platform, team: input.teamId, linkedAs: owner.id, ...(previous ? { relinkedFrom: previous } : {}) },
  });
  return { kind: 'team', team: team as LinkedTeam, workspace, owner, relinkedFrom: previous };
}

/**
 * The terminal client's team: one per workspace, linked on first use (the CLI runs with the
 * database's credentials, so it is trusted like an Owner), and its identity for the chosen member.
 */
export async function ensureCliTeam(rt: Runtime, workspace: IWorkspace, member: IMember): Promise<{ teamId: string; userId: string }> {
  const teamId = workspace.id;
  const userId = member.id;
  await rt.em().transactional(async (tx) => {
    let team = await tx.findOne(ChatTeam, { platform: 'cli', externalId: teamId });
    if (!isLinked(team)) {
      team ??= tx.create(ChatTeam, { platform: 'cli', externalId: teamId, name: 'terminal' });
      team.workspace = workspace.id;
      team.linkedBy = member.id;
      team.linkedAt = new Date();
      team.active = true;
      await tx.flush();
      await writeAudit(tx, { workspaceId: workspace.id, action: 'chat.link', targetType: 'chat_team', targetId: team.id, outcome: 'success', details: { platform: 'cli' } });
    }
    const where = { workspace: workspace.id, platform: 'cli' as const, teamExternalId: teamId, externalUserId: userId };
    const identity = (await tx.findOne(ChatIdentity, where)) ?? tx.create(ChatIdentity, { ...where, member: member.id });
    identity.member = member.id;
    identity.email = member.email ?? null;
    identity.displayName = member.displayName;
    await tx.flush();
  });
  return { teamId, userId };
}

/**
 * Records an installed (not yet linked) team, e.g. after a Slack OAuth install. Secrets are
 * stored as vault ciphertext. Linking still needs a code.
 * `refresh`: only new tokens for an installation that is still active (a rotated token). An
 * uninstall may have landed while the refresh was in flight: then nothing is written and null
 * comes back, so a refresh never brings an uninstalled team (or its dead tokens) back.
 */
export async function recordInstallation(
  rt: Runtime,
  ref: TeamRef,
  data: { installation?: Record<string, unknown>; secrets?: Record<string, unknown> },
  opts: { refresh?: boolean } = {},
): Promise<IChatTeam | null> {
  return await rt.em().transactional(async (tx) => {
    const where = { platform: ref.platform, externalId: ref.teamId };
    const found = await tx.findOne(ChatTeam, where, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (opts.refresh && !found?.active) {
      rt.logger.warn({ platform: ref.platform, team: ref.teamId }, 'refreshed tokens of an uninstalled team discarded');
      return null;
    }
    const team = found ?? tx.create(ChatTeam, where);
    team.name = ref.teamName ?? team.name ?? null;
    team.active = true;
    team.deactivatedAt = null;
    if (data.installation) team.installation = data.installation;
    if (data.secrets) team.secrets = rt.vault.encrypt(data.secrets);
    await tx.flush();
    return team;
  });
}

/**
 * The app was uninstalled or its tokens revoked: the team stops answering (it must be linked
 * again) and its alert subscriptions stop, each with the reason.
 */
export async function deactivateTeam(rt: Runtime, platform: ChatPlatform, teamId: string, reason: string): Promise<void> {
  await rt.em().transactional(async (tx) => {
    const team = await tx.findOne(ChatTeam, { platform, externalId: teamId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!team) return;
    const workspaceId = team.workspace;
    team.active = false;
    team.deactivatedAt = new Date();
    team.workspace = null;
    await tx.flush();
    const stopped = await tx.nativeUpdate(
      AlertSubscription,
      { platform, teamExternalId: teamId, active: true },
      { active: false, deactivatedAt: new Date(), deactivatedReason: reason },
    );
    rt.logger.warn({ platform, team: teamId, subscriptions: stopped, reason }, 'chat team deactivated; its alert subscriptions stopped');
    if (workspaceId) {
      await writeAudit(tx, { workspaceId, action: 'chat.unlink', targetType: 'chat_team', targetId: team.id, outcome: 'success', details: { platform, team: teamId, reason } });
    }
  });
}
