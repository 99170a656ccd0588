import { redeemLinkCode } from '../../chat/tenancy.ts';
import { PLATFORM_NAMES } from '../../chat/platforms.ts';
import type { Role } from '../../entities/member.ts';
import { AppError } from '../../errors.ts';
import type { BaseContext, Command, CommandContext } from '../types.ts';
import { bold, code, ephemeral, inChannel, mention, plain } from '../view.ts';

const ROLE_NAMES = { owner: 'Owner', admin: 'Admin', member: 'Member' } as const;

async function link(base: BaseContext, code0: string | undefined, mayRelink: boolean) {
  if (!code0) throw new AppError('validation_failed', 'Give the link code: a team code from an Owner, or your own personal code.');
  const inv = base.invocation;
  const out = await redeemLinkCode(
    base.rt,
    { platform: inv.platform, teamId: inv.teamId, teamName: inv.teamName, userId: inv.userId, userName: inv.userName, email: inv.email },
    code0,
    { mayRelink },
  );
  const p = (s: string) => (base.prefix ? `${base.prefix} ${s}` : s);
  if (out.kind === 'personal') {
    // Only the person linking needs to see it: nothing about the team changed.
    const text = `🔗 You now act as ${bold(plain(out.member.displayName))}${out.member.email ? ` (${plain(out.member.email)})` : ''}, ${ROLE_NAMES[out.member.role as Role]} of the workspace ${bold(plain(out.workspace.name))} (${code(out.workspace.slug)}), here.`;
    return ephemeral(text, [
      { type: 'section', text },
      { type: 'context', text: `${code(p('whoami'))} shows who you act as; ${code(p('help'))} lists everything.` },
    ]);
  }
  const teamWord = PLATFORM_NAMES[inv.platform].team;
  const text = `🔗 ${mention(inv.userId)} linked this ${teamWord} to the Patchbay workspace ${bold(plain(out.workspace.name))} (${code(out.workspace.slug)}). ${mention(inv.userId)} acts as ${plain(out.owner.displayName)} (Owner).`;
  return inChannel(text, [
    { type: 'section', text },
    { type: 'context', text: `Next: ${code(p('list'))} shows the connections; ${code(p('alerts here'))} sends alerts to a channel; ${code(p('help'))} lists everything.` },
  ]);
}

const command: Command = {
  name: 'link',
  usage: 'link <code>',
  grammar: { params: [{ name: 'code', kind: 'text', required: true, description: 'A team code from an Owner, or your personal code' }] },
  examples: ['link PB-7KQ2-M9XD-4HTW'],
  summary: 'Links this chat team to a Patchbay workspace with an Owner’s code, or you to your own member with your personal code',
  async runUnlinked(base, line) {
    return await link(base, line.args[0], false);
  },
  async run(ctx: CommandContext, line) {
    // Moving a linked team to another workspace needs an Owner of the one it is linked to now.
    return await link(ctx, line.args[0], ctx.role.explicit === 'owner');
  },
};

export default command;
