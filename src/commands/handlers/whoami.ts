import { PLATFORM_NAMES } from '../../chat/platforms.ts';
import type { Command } from '../types.ts';
import { bold, code, ephemeral, plain } from '../view.ts';

const NAMES = { owner: 'Owner', admin: 'Admin', member: 'Member' } as const;

const whoami: Command = {
  name: 'whoami',
  usage: 'whoami',
  grammar: { params: [] },
  examples: ['whoami'],
  summary: 'Shows which Patchbay member you act as, and with what role',
  async run(ctx) {
    const m = ctx.member;
    const platform = PLATFORM_NAMES[ctx.invocation.platform];
    const because = ctx.role.elevated
      ? ` You act as ${bold(NAMES[ctx.role.role])} because you are a ${platform.team} ${ctx.platformRole} and this workspace trusts platform roles (your own role is ${NAMES[ctx.role.explicit]}).`
      : '';
    const text = `You are ${bold(plain(m.displayName))}${m.email ? ` (${plain(m.email)})` : ''}, ${NAMES[ctx.role.explicit]} of the workspace ${bold(plain(ctx.workspace.name))} (${code(ctx.workspace.slug)}).${because}`;
    return ephemeral(text, [
      {
        type: 'section',
        text,
        fields: [
          { label: 'Role in effect', value: NAMES[ctx.role.role] },
          { label: 'Chat identity', value: `${ctx.invocation.platform}:${ctx.invocation.teamId}:${ctx.invocation.userId}` },
        ],
      },
    ]);
  },
};

export default whoami;
