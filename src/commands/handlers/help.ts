import { requiredRole } from '../../access/permissions.ts';
import { linkInstructions } from '../../chat/link-codes.ts';
import { PLATFORM_NAMES } from '../../chat/platforms.ts';
import { isLinked } from '../../chat/tenancy.ts';
import { AppError } from '../../errors.ts';
import { usageText } from '../chat-reply.ts';
import type { BaseContext, Command } from '../types.ts';
import { bold, code, ephemeral, plain, type Block } from '../view.ts';

const ROLE_NAMES = { owner: 'Owner', admin: 'Admin', member: 'Member' } as const;

function p(base: BaseContext, text: string): string {
  return base.prefix ? `${base.prefix} ${text}` : text;
}

function overview(base: BaseContext, linked: boolean) {
  const shown = linked ? base.commands : base.commands.filter((c) => c.runUnlinked);
  const lines = shown.map((c) => {
    const role = c.permission ? ` (${ROLE_NAMES[requiredRole(c.permission)]})` : '';
    return `${code(p(base, c.usage))} — ${c.summary}${role}`;
  });
  const blocks: Block[] = [{ type: 'header', text: 'Patchbay commands' }];
  if (!linked) {
    const teamWord = PLATFORM_NAMES[base.invocation.platform].team;
    blocks.push({ type: 'section', text: `🔗 This ${teamWord} is not linked to a Patchbay workspace yet. ${linkInstructions(base.prefix)}` });
  }
  blocks.push({ type: 'section', text: lines.join('\n') });
  if (linked) {
    blocks.push({
      type: 'context',
      text: [
        `Name a connection by its display name or provider (${code(p(base, 'pause linear'))}, ${code(p(base, 'status "Sales CRM"'))}).`,
        `${code(p(base, 'help <command>'))} shows a command's grammar and examples.`,
      ].join(' '),
    });
  }
  const text = `Patchbay commands: ${shown.map((c) => c.name).join(', ')}. ${code(p(base, 'help <command>'))} for details.`;
  return ephemeral(text, blocks);
}

function detail(base: BaseContext, name: string) {
  const c = base.commands.find((x) => x.name === name.toLowerCase());
  if (!c) throw new AppError('not_found', `There is no command '${plain(name)}'. ${code(p(base, 'help'))} lists them all.`);
  const role = c.permission ? `Needs the ${ROLE_NAMES[requiredRole(c.permission)]} role or above.` : 'Anyone linked to the workspace can run it.';
  const text = `${bold(c.name)} — ${c.summary}\n${usageText(c, base.prefix)}\n${role}`;
  return ephemeral(text);
}

const help: Command = {
  name: 'help',
  usage: 'help [command]',
  grammar: { params: [{ name: 'command', kind: 'command', description: 'The command to explain' }] },
  examples: ['help', 'help alerts'],
  summary: 'Lists the commands, or shows one command’s grammar and examples',
  async run(ctx, line) {
    return line.args[0] ? detail(ctx, line.args[0]) : overview(ctx, true);
  },
  async runUnlinked(base, line) {
    return line.args[0] ? detail(base, line.args[0]) : overview(base, isLinked(base.team));
  },
};

export default help;
