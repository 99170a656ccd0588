import { identityForMention } from '../../chat/identity.ts';
import { ROLES, type Role } from '../../entities/member.ts';
import { AppError } from '../../errors.ts';
import { changeRole } from '../../workspaces/members.ts';
import { parseMention } from '../parse.ts';
import type { Command } from '../types.ts';
import { inChannel, mention } from '../view.ts';

const ROLE_NAMES: Record<Role, string> = { owner: 'an Owner', admin: 'an Admin', member: 'a Member' };

const role: Command = {
  name: 'role',
  usage: 'role @user <owner|admin|member>',
  grammar: {
    params: [
      { name: 'user', kind: 'user', required: true, description: 'The person whose role changes' },
      { name: 'role', kind: 'choice', required: true, choices: ROLES, description: 'Their new Patchbay role' },
    ],
  },
  examples: ['role @ada admin', 'role @sam member'],
  summary: 'Sets someone’s Patchbay role (Owner only; the last Owner cannot be demoted)',
  permission: 'members.manage',
  async run(ctx, line) {
    const [who, wanted] = line.args;
    const target = who ? parseMention(who) : null;
    if (!target) throw new AppError('validation_failed', 'Mention the person whose role changes (type @ and pick them).');
    const r = wanted?.toLowerCase();
    if (!r || !(ROLES as readonly string[]).includes(r)) throw new AppError('validation_failed', `Give the role: ${ROLES.join(', ')}.`);
    const inv = ctx.invocation;
    const resolved = await identityForMention(ctx.rt, ctx.workspace.id, { platform: inv.platform, teamId: inv.teamId, userId: target.userId, label: target.label });
    const before = resolved.member.role as Role;
    const updated = await changeRole(ctx.rt, ctx.caller, resolved.member.id, r as Role);
    const now = updated.role as Role;
    const text =
      before === now
        ? `${mention(target.userId)} is already ${ROLE_NAMES[now]}.`
        : `👤 ${mention(inv.userId)} made ${mention(target.userId)} ${ROLE_NAMES[now]} (was ${ROLE_NAMES[before]}).`;
    return inChannel(text);
  },
};

export default role;
