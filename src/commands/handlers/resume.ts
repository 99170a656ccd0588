import { connectionButtons, connectionTitle } from '../cards.ts';
import { resolveConnection } from '../resolve.ts';
import type { Command } from '../types.ts';
import { bold, inChannel, mention, plain, type Block } from '../view.ts';
import { CONNECTION } from '../grammar.ts';

const resume: Command = {
  name: 'resume',
  usage: 'resume <connection>',
  grammar: { params: [CONNECTION] },
  examples: ['resume hubspot', 'resume "Linear Eng"'],
  summary: 'Resumes a paused connection (also one paused by a rate limit, with a warning)',
  permission: 'connections.resume',
  async run(ctx, line) {
    const c = await resolveConnection(ctx, line.args.join(' ') || undefined);
    const { connection, warning } = await ctx.connections.resume(ctx.caller, c.id);
    const text = `▶️ ${mention(ctx.invocation.userId)} resumed ${bold(plain(connection.displayName))}.`;
    const blocks: Block[] = [{ type: 'section', text: `${text}\n${connectionTitle(connection)}` }];
    if (warning) blocks.push({ type: 'context', text: `⚠️ ${plain(warning)}` });
    blocks.push({ type: 'actions', buttons: connectionButtons(connection) });
    return inChannel(warning ? `${text} ${plain(warning)}` : text, blocks);
  },
};

export default resume;
