/**
 * Chat users → Members. On first contact a user is matched by email (when the platform gives
 * one) to a Member-role account only, or becomes a new Member: an email a chat platform reports
 * is not proof enough to act as an Admin or Owner. Those link themselves with a personal code
 * (src/chat/personal-link.ts), or an Owner raises the new Member with `role`. The platform role (Slack owner/admin, …) is cached on the
 * identity for a few minutes; explicit Patchbay roles win, and when the workspace trusts
 * platform roles a platform owner/admin acts as at least Admin. Owner is only ever explicit.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { writeAudit } from '../audit/audit.ts';
import { ChatIdentity, type IChatIdentity } from '../entities/chat-identity.ts';
import type { ChatPlatform, PlatformRole } from '../entities/chat-team.ts';
import { Member, type IMember, type Role } from '../entities/member.ts';
import { DEFAULT_WORKSPACE_SETTINGS, Workspace, type IWorkspace } from '../entities/workspace.ts';
import type { Runtime } from '../runtime.ts';
import { PLATFORM_NAMES } from './platforms.ts';
import { cachedTeam } from './tenancy.ts';
import { uniqueViolationOf } from '../errors.ts';

/** How long a platform role read from the platform is trusted before the bot should read it again. Default 10 minutes. */
export const PLATFORM_ROLE_TTL_MS = 10 * 60_000;

export type ChatUser = {
  platform: ChatPlatform;
  teamId: string;
  userId: string;
  userName?: string;
  email?: string;
  /** As read from the platform now; `undefined` = not read (use the cached value while fresh), `null` = no platform role. */
  platformRole?: PlatformRole | null;
};

export type ResolvedUser = {
  identity: IChatIdentity;
  /** The member as stored (explicit role). */
  member: IMember;
  /** The platform role in effect (fresh from the invocation, or cached within the TTL). */
  platformRole: PlatformRole | null;
  created: boolean;
};

/** Finds or creates the identity (and, on first contact, the member) of a chat user in a workspace. */
export async function resolveChatUser(rt: Runtime, workspaceId: string, user: ChatUser): Promise<ResolvedUser> {
  const em = rt.em();
  const where = { workspace: workspaceId, platform: user.platform, teamExternalId: user.teamId, externalUserId: user.userId };
  let identity = await em.findOne(ChatIdentity, where);
  let created = false;
  if (!identity) {
    try {
      await em.fork().transactional(async (tx) => createIdentity(tx, workspaceId, user));
      created = true;
    } catch (err) {
      if (!uniqueViolationOf(err)) throw err; // else a concurrent first contact created it
    }
    identity = await em.findOneOrFail(ChatIdentity, where);
  }
  let dirty = false;
  // A just-created identity already holds what the invocation said; updating it again would only
  // bump the chat cache's version and drop every cached user in every process.
  if (created) {
    const member = await em.findOneOrFail(Member, { id: identity.member });
    return { identity, member, platformRole: platformRoleInEffect(identity), created };
  }
  if (user.platformRole !== undefined) {
    identity.platformRole = user.platformRole;
    identity.platformRoleFetchedAt = new Date();
    dirty = true;
  }
  if (user.email && user.email !== identity.email) {
    identity.email = user.email;
    dirty = true;
  }
  if (user.userName && user.userName !== identity.displayName) {
    identity.displayName = user.userName;
    dirty = true;
  }
  if (dirty) await em.flush();
  const member = await em.findOneOrFail(Member, { id: identity.member });
  return { identity, member, platformRole: platformRoleInEffect(identity), created };
}

async function createIdentity(tx: EntityManager, workspaceId: string, user: ChatUser): Promise<void> {
  let member: IMember | null = null;
  let matchedBy: 'email' | 'created' = 'created';
  let emailTaken = false;
  if (user.email) {
    const rows = await tx.execute<Array<{ id: string; role: Role }>>('select id, role from members where workspace_id = ? and lower(email) = lower(?) limit 1', [
      workspaceId,
      user.email,
    ]);
    if (rows[0]?.role === 'member') {
      member = await tx.findOneOrFail(Member, { id: rows[0].id });
      matchedBy = 'email';
    } else if (rows[0]) {
      emailTaken = true; // an Admin's or Owner's: not theirs to claim by email
    }
  }
  if (!member) {
    const displayName = user.userName?.trim() || user.email?.split('@')[0] || `${PLATFORM_NAMES[user.platform].name} user ${user.userId}`;
    // Members' emails are unique per workspace: the new Member keeps none when the email is taken.
    member = tx.create(Member, { workspace: workspaceId, displayName, email: emailTaken ? null : (user.email ?? null), role: 'member' });
  }
  tx.create(ChatIdentity, {
    workspace: workspaceId,
    platform: user.platform,
    teamExternalId: user.teamId,
    externalUserId: user.userId,
    member: member.id,
    email: user.email ?? null,
    displayName: user.userName ?? null,
    platformRole: user.platformRole ?? null,
    platformRoleFetchedAt: user.platformRole === undefined ? null : new Date(),
  });
  await tx.flush();
  await writeAudit(tx, {
    workspaceId,
    action: 'chat.identity.link',
    targetType: 'member',
    targetId: member.id,
    outcome: 'success',
    details: { platform: user.platform, team: user.teamId, user: user.userId, matchedBy, ...(emailTaken ? { emailOfPrivilegedMember: true } : {}) },
  });
}

/**
 * Everything about the acting user in one go — workspace, identity, member — from the runtime's
 * chat cache when nothing in the invocation changes the identity, else from Postgres (then cached).
 */
export async function resolveActor(rt: Runtime, workspaceId: string, user: ChatUser): Promise<ResolvedUser & { workspace: IWorkspace }> {
  const hit = rt.chatCache.user(workspaceId, user.platform, user.teamId, user.userId);
  if (hit && !changesIdentity(hit.identity, user)) return { ...hit, platformRole: platformRoleInEffect(hit.identity), created: false };
  const gen = rt.chatCache.generation();
  const workspace = await rt.em().findOneOrFail(Workspace, { id: workspaceId });
  const resolved = await resolveChatUser(rt, workspaceId, user);
  rt.chatCache.putUser(gen, workspaceId, user.platform, user.teamId, user.userId, { workspace, identity: resolved.identity, member: resolved.member });
  return { ...resolved, workspace };
}

function changesIdentity(identity: IChatIdentity, user: ChatUser): boolean {
  return (
    user.platformRole !== undefined ||
    Boolean(user.email && user.email !== identity.email) ||
    Boolean(user.userName && user.userName !== identity.displayName)
  );
}

function platformRoleInEffect(identity: IChatIdentity): PlatformRole | null {
  if (!identity.platformRole || !identity.platformRoleFetchedAt) return null;
  return Date.now() - identity.platformRoleFetchedAt.getTime() <= PLATFORM_ROLE_TTL_MS ? identity.platformRole : null;
}

/**
 * The cached platform role of a user, for bots deciding whether to call the platform again
 * (Slack `users.info`): `fresh` is false once it is older than PLATFORM_ROLE_TTL_MS.
 */
export async function cachedPlatformRole(
  rt: Runtime,
  ref: { platform: ChatPlatform; teamId: string; userId: string },
): Promise<{ role: PlatformRole | null; fetchedAt: Date; fresh: boolean } | null> {
  const team = await cachedTeam(rt, ref.platform, ref.teamId, { sync: false });
  if (!team?.workspace) return null;
  // The core caches the identity once it resolved the user: the bot then reads nothing here.
  const identity =
    rt.chatCache.user(team.workspace, ref.platform, ref.teamId, ref.userId)?.identity ??
    (await rt.em().findOne(ChatIdentity, { workspace: team.workspace, platform: ref.platform, teamExternalId: ref.teamId, externalUserId: ref.userId }));
  if (!identity?.platformRoleFetchedAt) return null;
  const fetchedAt = identity.platformRoleFetchedAt;
  return { role: identity.platformRole ?? null, fetchedAt, fresh: Date.now() - fetchedAt.getTime() <= PLATFORM_ROLE_TTL_MS };
}

export type EffectiveRole = { role: Role; /** True when the platform role raised it above the explicit role. */ elevated: boolean };

/** Explicit roles win; a trusted platform owner/admin acts as at least Admin; Owner is never granted by the platform. */
export function effectiveRole(explicit: Role, platformRole: PlatformRole | null, workspace: Pick<IWorkspace, 'settings'>): EffectiveRole {
  const trust = (workspace.settings ?? DEFAULT_WORKSPACE_SETTINGS).trustPlatformRoles ?? DEFAULT_WORKSPACE_SETTINGS.trustPlatformRoles;
  if (explicit === 'member' && trust && (platformRole === 'owner' || platformRole === 'admin')) return { role: 'admin', elevated: true };
  return { role: explicit, elevated: false };
}

/** The identity of another user of the same team (for `role @user`), created on demand so roles can be set before their first command. */
export async function identityForMention(
  rt: Runtime,
  workspaceId: string,
  ref: { platform: ChatPlatform; teamId: string; userId: string; label?: string },
): Promise<ResolvedUser> {
  return await resolveChatUser(rt, workspaceId, { platform: ref.platform, teamId: ref.teamId, userId: ref.userId, userName: ref.label });
}
