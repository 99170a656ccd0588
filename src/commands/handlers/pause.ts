import { connectionButtons, connectionTitle } from '../cards.ts';
import { CONNECTION } from '../grammar.ts';
import { resolveConnection } from '../resolve.ts';
import type { Command } from '../types.ts';
import { bold, inChannel, mention, plain } from '../view.ts';

const pause: Command = {
  name: 'pause',
  usage: 'pause <connection> [reason…]',
  grammar: { params: [CONNECTION, { name: 'reason', kind: 'text', rest: true, description: 'Why (shown with the connection)' }] },
  examples: ['pause hubspot', 'pause "Linear Eng" migrating the workspace'],
  summary: 'Pauses a connection: syncs and webhooks stop until it is resumed',
  permission: 'connections.pause',
  async run(ctx, line) {
    const [name, ...reason] = line.args;
    const c = await resolveConnection(ctx, name);
    const updated = await ctx.connections.pause(ctx.caller, c.id, reason.join(' ') || undefined);
    const text = `⏸ ${mention(ctx.invocation.userId)} paused ${bold(plain(updated.displayName))}.${reason.length ? ` Reason: ${plain(reason.join(' '))}` : ''}`;
    return inChannel(text, [
      { type: 'section', text: `${text}\n${connectionTitle(updated)}` },
      { type: 'actions', buttons: connectionButtons(updated) },
    ]);
  },
};

export default pause;
