import { authorizeOrAudit } from '../access/authorize.ts';
import { auditOutsideTransaction, writeAudit } from '../audit/audit.ts';
import { Member, type IMember, type Role } from '../entities/member.ts';
import { AppError, notFound } from '../errors.ts';
import type { Runtime } from '../runtime.ts';

export type MemberCaller = { workspaceId: string; member: IMember };

/** Changes a member's role (Owner only). The last Owner cannot be demoted. Audited either way. */
export async function changeRole(rt: Runtime, caller: MemberCaller, memberId: string, role: Role): Promise<IMember> {
  const audit = { workspaceId: caller.workspaceId, action: 'member.role', targetType: 'member', targetId: memberId };
  await authorizeOrAudit(rt, {
    workspaceId: caller.workspaceId,
    role: caller.member.role,
    action: 'members.manage',
    targetType: 'member',
    targetId: memberId,
    what: 'Changing roles',
    details: { newRole: role },
  });
  try {
    return await rt.em().transactional(async (tx) => {
      const target = await tx.findOne(Member, { id: memberId, workspace: caller.workspaceId });
      if (!target) throw notFound('Member', memberId);
      const before = target.role;
      if (before === 'owner' && role !== 'owner') {
        const owners = await tx.count(Member, { workspace: caller.workspaceId, role: 'owner' });
        if (owners <= 1) {
          throw new AppError('invalid_transition', `${target.displayName} is the only Owner; make someone else Owner first.`);
        }
      }
      target.role = role;
      await tx.flush();
      await writeAudit(tx, { ...audit, outcome: 'success', details: { from: before, to: role } });
      return target;
    });
  } catch (err) {
    if (err instanceof AppError && err.code === 'invalid_transition') {
      await auditOutsideTransaction(rt, { ...audit, outcome: 'refused', details: { reason: 'last_owner' } });
    }
    throw err;
  }
}
