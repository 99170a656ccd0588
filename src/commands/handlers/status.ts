import { ConnectionLog } from '../../entities/connection-log.ts';
import { webhookSummary } from '../../inbound/summary.ts';
import { connectionCard, connectionTitle } from '../cards.ts';
import { resolveConnection } from '../resolve.ts';
import type { Command } from '../types.ts';
import { ephemeral, plain } from '../view.ts';
import { CONNECTION } from '../grammar.ts';

const status: Command = {
  name: 'status',
  usage: 'status <connection>',
  grammar: { params: [CONNECTION] },
  examples: ['status hubspot', 'status "Linear Eng"'],
  summary: 'Shows one connection’s full card: status, account, last sync, recent log, actions',
  permission: 'connections.read',
  async run(ctx, line) {
    const c = await resolveConnection(ctx, line.args.join(' ') || undefined, { includeDisconnected: true });
    const logs = await ctx.rt.em().find(ConnectionLog, { connection: c.id, workspace: ctx.workspace.id }, { orderBy: { id: 'desc' }, limit: 3 });
    const webhooks = await webhookSummary(ctx.rt.em(), c.id);
    return ephemeral(`${connectionTitle(c)}${c.statusReason ? ` — ${plain(c.statusReason)}` : ''}`, connectionCard(c, logs, ctx.member.role, { webhooks }));
  },
};

export default status;
