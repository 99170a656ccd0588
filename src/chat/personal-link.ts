/**
 * Redeeming a personal link code (src/chat/link-codes.ts): the chat user who runs `link <code>`
 * becomes, in this chat team, the member who created the code — with that member's own role.
 * The team must already be linked to the code's workspace (a team code does that).
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { writeAudit } from '../audit/audit.ts';
import { ChatIdentity } from '../entities/chat-identity.ts';
import { ChatTeam, type ChatPlatform } from '../entities/chat-team.ts';
import type { ILinkCode } from '../entities/link-code.ts';
import { Member, type IMember } from '../entities/member.ts';
import { Workspace, type IWorkspace } from '../entities/workspace.ts';
import { AppError } from '../errors.ts';
import { externalIdOf, PLATFORM_NAMES } from './platforms.ts';

export type PersonalLinkOutcome = { kind: 'personal'; workspace: IWorkspace; member: IMember; previousMemberId: string | null };

export type Redeemer = { platform: ChatPlatform; teamId: string; userId: string; userName?: string; email?: string };

/** Inside the redeeming transaction, with the code's row locked and checked (unused, unexpired). */
export async function redeemPersonalCode(
  tx: EntityManager,
  row: ILinkCode,
  input: Redeemer,
  refuse: (workspaceId: string, reason: string) => void,
): Promise<PersonalLinkOutcome> {
  const workspace = await tx.findOneOrFail(Workspace, { id: row.workspace });
  const team = await tx.findOne(ChatTeam, { platform: input.platform, externalId: input.teamId });
  if (!team?.active || team.workspace !== workspace.id) {
    refuse(workspace.id, 'team_not_linked');
    const teamWord = PLATFORM_NAMES[input.platform].team;
    throw new AppError(
      'invalid_transition',
      `This ${teamWord} is not linked to the Patchbay workspace '${workspace.slug}' that your personal code belongs to. An Owner links it first with a team link code; your code was not used.`,
    );
  }
  const member = await tx.findOneOrFail(Member, { id: row.createdBy });
  const where = { workspace: workspace.id, platform: input.platform, teamExternalId: input.teamId, externalUserId: input.userId };
  const existing = await tx.findOne(ChatIdentity, where);
  const previousMemberId = existing && existing.member !== member.id ? existing.member : null;
  const identity = existing ?? tx.create(ChatIdentity, { ...where, member: member.id });
  identity.member = member.id;
  identity.email = input.email ?? identity.email ?? null;
  identity.displayName = input.userName ?? identity.displayName ?? null;
  row.usedAt = new Date();
  row.usedBy = externalIdOf(input.platform, input.teamId, input.userId);
  await tx.flush();
  await writeAudit(tx, {
    workspaceId: workspace.id,
    action: 'chat.identity.link',
    targetType: 'member',
    targetId: member.id,
    outcome: 'success',
    details: { platform: input.platform, team: input.teamId, user: input.userId, matchedBy: 'personal_code', role: member.role, ...(previousMemberId ? { previousMember: previousMemberId } : {}) },
  });
  return { kind: 'personal', workspace, member, previousMemberId };
}
