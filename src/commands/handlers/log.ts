import { ConnectionLog } from '../../entities/connection-log.ts';
import type { ISyncRun } from '../../entities/sync-run.ts';
import { getProvider, hasProvider } from '../../providers/registry.ts';
import { listSyncRuns, summaryText } from '../../sync/runs.ts';
import { logLine } from '../cards.ts';
import { resolveConnection } from '../resolve.ts';
import type { Command } from '../types.ts';
import { bold, ephemeral, plain, type Block } from '../view.ts';
import { CONNECTION } from '../grammar.ts';

const LINES = 15;
const RUNS = 5;
/** Conflicts shown under a run (the API's sync run has them all). */
const CONFLICTS = 3;

const shown = (v: unknown) => (v == null ? 'empty' : `"${plain(String(typeof v === 'object' ? JSON.stringify(v) : v).slice(0, 60))}"`);

/** `conflict on title (tsk_1): Patchbay "A", Patchbay Sandbox "B" → kept Patchbay's`, one line per conflict, then how many more. */
function conflictLines(r: ISyncRun): string[] {
  const remote = hasProvider(r.providerSlug) ? getProvider(r.providerSlug).definition.displayName : r.providerSlug;
  const lines = r.conflictDetails.slice(0, CONFLICTS).map(
    (c) => `    ⚔️ conflict on ${plain(c.field)} (${plain(c.remoteId)}): Patchbay ${shown(c.localValue)}, ${remote} ${shown(c.remoteValue)} → kept ${c.winner === 'local' ? 'Patchbay' : remote}'s`,
  );
  if (r.conflicts > lines.length) lines.push(`    … and ${r.conflicts - lines.length} more (GET /api/v1/connections/${r.connection}/sync-runs/${r.id})`);
  return lines;
}

const RUN_ICON: Record<string, string> = { succeeded: '✅', failed: '❌', running: '🔄', queued: '⏳' };

const log: Command = {
  name: 'log',
  usage: 'log <connection>',
  grammar: { params: [CONNECTION] },
  examples: ['log hubspot', 'log "Linear Eng"'],
  summary: 'Shows a connection’s recent log (tests, status changes, syncs) and its recent sync runs',
  permission: 'connections.logs.read',
  async run(ctx, line) {
    const c = await resolveConnection(ctx, line.args.join(' ') || undefined, { includeDisconnected: true });
    const em = ctx.rt.em();
    const rows = await em.find(ConnectionLog, { connection: c.id, workspace: ctx.workspace.id }, { orderBy: { id: 'desc' }, limit: LINES });
    const runs = (await listSyncRuns(em, ctx.workspace.id, c.id, { limit: RUNS })).slice(0, RUNS);
    if (!rows.length && !runs.length) return ephemeral(`${bold(plain(c.displayName))} has no log entries yet.`);
    const lines = rows.reverse().map(logLine);
    const title = `Log of ${plain(c.displayName)} (last ${rows.length})`;
    const blocks: Block[] = [{ type: 'header', text: title }];
    if (lines.length) blocks.push({ type: 'section', text: lines.join('\n') });
    let text = `${title}\n${lines.join('\n')}`;
    if (runs.length) {
      const runLines = runs.map((r) => {
        const when = (r.startedAt ?? r.createdAt).toISOString().slice(0, 16).replace('T', ' ');
        const took = r.startedAt && r.finishedAt ? ` (${((r.finishedAt.getTime() - r.startedAt.getTime()) / 1000).toFixed(1)} s)` : '';
        const err = r.status === 'failed' && r.errorMessage ? ` — ${plain(r.errorMessage.slice(0, 200))}` : '';
        return [`${when} ${RUN_ICON[r.status] ?? '·'} ${summaryText(r)}${took}${err}`, ...conflictLines(r)].join('\n');
      });
      blocks.push({ type: 'context', text: `Recent syncs:\n${runLines.join('\n')}` });
      text += `\nRecent syncs:\n${runLines.join('\n')}`;
    }
    return ephemeral(text, blocks);
  },
};

export default log;
