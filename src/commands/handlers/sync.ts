import { setTimeout as sleep } from 'node:timers/promises';
import { isBotPlatform } from '../../chat/platforms.ts';
import { SyncRun, type ISyncRun } from '../../entities/sync-run.ts';
import { AppError } from '../../errors.ts';
import { progressReply } from '../../sync/progress.ts';
import { runSubject } from '../../sync/runs.ts';
import { requestRun } from '../../sync/schedule.ts';
import { resolveRules } from '../resolve-rule.ts';
import { resolveConnection } from '../resolve.ts';
import type { Command, CommandContext } from '../types.ts';
import { bold, ephemeral, inChannel, plain, type Block, type NeutralReply } from '../view.ts';

/** How long the terminal waits for a run before it points at `log` instead. */
const TERMINAL_WAIT_MS = 10 * 60_000;

/** The terminal has no message to edit: it waits for the runs and prints their summaries. */
async function waitForRuns(ctx: CommandContext, runs: ISyncRun[]): Promise<NeutralReply> {
  const deadline = Date.now() + TERMINAL_WAIT_MS;
  const done: NeutralReply[] = [];
  for (const r of runs) {
    for (;;) {
      const row = await ctx.rt.em().findOne(SyncRun, { id: r.id });
      if (!row || row.status === 'succeeded' || row.status === 'failed') {
        if (row) done.push(progressReply(row));
        break;
      }
      if (Date.now() > deadline) {
        done.push(ephemeral(`⏳ ${bold(runSubject(row))} is still syncing (${row.pulled} pulled so far). See \`${ctx.cmd(`log ${row.connection}`)}\` later.`));
        break;
      }
      await sleep(500);
    }
  }
  const text = done.map((d) => d.text).join('\n');
  return inChannel(text, done.flatMap((d) => d.blocks) as Block[]);
}

const sync: Command = {
  name: 'sync',
  usage: 'sync <connection> [rule]',
  examples: ['sync sandbox', 'sync hubspot contacts', 'sync "Linear Eng" 2'],
  summary: 'Runs a connection’s sync rules now and shows their progress here',
  permission: 'connections.sync',
  async run(ctx, line) {
    const [name, ...rest] = line.args;
    const c = await resolveConnection(ctx, name);
    if (c.status !== 'connected') {
      const fix = c.status === 'paused' ? `resume it first: \`${ctx.cmd(`resume ${c.id}`)}\`` : c.status === 'errored' ? `fix it first: \`${ctx.cmd(`reconnect ${c.id}`)}\`` : `connect it again first`;
      throw new AppError('invalid_transition', `${plain(c.displayName)} is ${c.status}, so it cannot sync — ${fix}.`);
    }
    const rules = await resolveRules(ctx, c, rest.join(' ') || undefined);
    const inv = ctx.invocation;
    const reporter = isBotPlatform(inv.platform) ? { platform: inv.platform, teamId: inv.teamId, channelId: inv.channelId } : null;
    const started: ISyncRun[] = [];
    const lines: string[] = [];
    for (const rule of rules) {
      const { run, alreadyRunning } = await requestRun(ctx.rt.em(), ctx.workspace.id, rule.id, { trigger: 'manual', requestedBy: ctx.member.id, reporter });
      started.push(run);
      lines.push(alreadyRunning ? `⏳ ${bold(runSubject(run))} is already syncing; its progress is shown where it was started.` : `🔄 Started syncing ${bold(runSubject(run))}.`);
    }
    if (!reporter) {
      // The terminal: say it started now, print the summaries when the runs end.
      return { immediate: ephemeral(lines.join('\n')), followUp: waitForRuns(ctx, started) };
    }
    return ephemeral(`${lines.join('\n')} Progress appears in this channel.`);
  },
};

export default sync;
