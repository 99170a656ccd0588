import { connectionButtons, connectionFacts, connectionTitle } from '../cards.ts';
import type { Command } from '../types.ts';
import { code, ephemeral, type Block } from '../view.ts';

/** More than this and the reply gets unwieldy on every platform (Slack allows 50 blocks). */
const MAX_SHOWN = 15;

const list: Command = {
  name: 'list',
  usage: 'list [--all]',
  grammar: { params: [{ name: 'all', kind: 'flag', description: 'Include disconnected connections' }] },
  examples: ['list', 'list --all'],
  summary: 'Lists the connections with their status and actions (`--all` includes disconnected ones)',
  permission: 'connections.read',
  async run(ctx, line) {
    const rows = await ctx.connections.list(ctx.caller, { includeDisconnected: line.flags.has('all') });
    if (!rows.length) {
      const text = `No connections yet. Connect one with ${code(ctx.cmd('connect <provider>'))}; ${code(ctx.cmd('providers'))} lists what is available.`;
      return ephemeral(text);
    }
    const blocks: Block[] = [{ type: 'header', text: `Connections (${rows.length})` }];
    const lines: string[] = [];
    for (const c of rows.slice(0, MAX_SHOWN)) {
      blocks.push({ type: 'section', text: `${connectionTitle(c)}\n${connectionFacts(c)}` });
      const buttons = connectionButtons(c, ctx.member.role);
      if (buttons.length) blocks.push({ type: 'actions', buttons });
      lines.push(`${connectionTitle(c)} — ${connectionFacts(c)}`);
    }
    if (rows.length > MAX_SHOWN) {
      blocks.push({ type: 'context', text: `…and ${rows.length - MAX_SHOWN} more. ${code(ctx.cmd('status <connection>'))} shows any one of them.` });
    }
    return ephemeral(lines.join('\n'), blocks);
  },
};

export default list;
