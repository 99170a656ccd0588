import { ConnectionLog } from '../../entities/connection-log.ts';
import { logLine } from '../cards.ts';
import { resolveConnection } from '../resolve.ts';
import type { Command } from '../types.ts';
import { bold, ephemeral, plain } from '../view.ts';

const LINES = 15;

const log: Command = {
  name: 'log',
  usage: 'log <connection>',
  examples: ['log hubspot', 'log "Linear Eng"'],
  summary: 'Shows a connection’s recent log: tests, status changes, syncs',
  permission: 'connections.logs.read',
  async run(ctx, line) {
    const c = await resolveConnection(ctx, line.args.join(' ') || undefined, { includeDisconnected: true });
    const rows = await ctx.rt.em().find(ConnectionLog, { connection: c.id, workspace: ctx.workspace.id }, { orderBy: { id: 'desc' }, limit: LINES });
    if (!rows.length) return ephemeral(`${bold(plain(c.displayName))} has no log entries yet.`);
    const lines = rows.reverse().map(logLine);
    const title = `Log of ${plain(c.displayName)} (last ${rows.length})`;
    return ephemeral(`${title}\n${lines.join('\n')}`, [
      { type: 'header', text: title },
      { type: 'section', text: lines.join('\n') },
    ]);
  },
};

export default log;
