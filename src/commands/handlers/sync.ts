import { setTimeout as sleep } from 'node:timers/promises';
import { isBotPlatform } from '../../chat/platforms.ts';
import type { ConnectionView } from '../../connections/view.ts';
import { SyncRun, type ISyncRun } from '../../entities/sync-run.ts';
import { AppError } from '../../errors.ts';
import { progressReply } from '../../sync/progress.ts';
import { runSubject } from '../../sync/runs.ts';
import { runRule } from '../../sync/rules.ts';
import { resolveRules, rulesOf } from '../resolve-rule.ts';
import { resolveConnection } from '../resolve.ts';
import type { Command, CommandContext } from '../types.ts';
import { bold, code, commandButton, ephemeral, inChannel, plain, type Block, type NeutralReply } from '../view.ts';
import { handleOf, ruleTitle } from './rules.ts';
import { CONNECTION } from '../grammar.ts';

/** How long the terminal waits for a run before it points at `log` instead. */
const TERMINAL_WAIT_MS = 10 * 60_000;
/** A run no worker has started after this long: the terminal stops waiting and says why it may be queued. */
const TERMINAL_QUEUED_WAIT_MS = 30_000;

/** The terminal has no message to edit: it waits for the runs and prints their summaries. */
async function waitForRuns(ctx: CommandContext, runs: ISyncRun[]): Promise<NeutralReply> {
  const started = Date.now();
  const deadline = started + TERMINAL_WAIT_MS;
  const done: NeutralReply[] = [];
  for (const r of runs) {
    for (;;) {
      const row = await ctx.rt.em().findOne(SyncRun, { id: r.id }, { refresh: true });
      if (!row || row.status === 'succeeded' || row.status === 'failed') {
        if (row) done.push(progressReply(row));
        break;
      }
      // Runs happen in the workers of `npm start` or `npm run worker`, never in this command.
      const unstarted = row.status === 'queued' && Date.now() - started > TERMINAL_QUEUED_WAIT_MS;
      if (unstarted || Date.now() > deadline) {
        const text = unstarted
          ? `⏳ ${bold(runSubject(row))} is still queued: runs start in the workers of ${code('npm start')} or ${code('npm run worker')} — is one running? It runs once one does; its summary will be in the log.`
          : `⏳ ${bold(runSubject(row))} is still syncing (${row.pulled} pulled so far). Its summary will be in the log.`;
        done.push(inChannel(text, [{ type: 'section', text }, { type: 'actions', buttons: [commandButton('Log', 'log', [row.connection])] }]));
        break;
      }
      await sleep(500);
    }
  }
  const text = done.map((d) => d.text).join('\n');
  return inChannel(text, done.flatMap((d) => d.blocks) as Block[]);
}

/** A connection that is not connected cannot sync: say why, with the button that fixes it. */
function cannotSync(c: ConnectionView): NeutralReply {
  const why = c.status === 'paused' ? 'Resume it first.' : c.status === 'errored' ? `Reconnect it first${c.statusReason ? ` (${plain(c.statusReason)})` : ''}.` : 'Connect it again first.';
  const text = `⏸ ${bold(plain(c.displayName))} is ${c.status}, so it cannot sync. ${why}`;
  const fix =
    c.status === 'paused'
      ? commandButton('Resume', 'resume', [c.id], { style: 'primary' })
      : c.status === 'errored'
        ? commandButton('Reconnect', 'reconnect', [c.id], { style: 'primary' })
        : commandButton('Connect again', 'connect', [c.provider]);
  return { ...ephemeral(text, [{ type: 'section', text }, { type: 'actions', buttons: [fix] }]), error: { code: 'invalid_transition' } };
}

const sync: Command = {
  name: 'sync',
  usage: 'sync <connection> [rule]',
  grammar: { params: [CONNECTION, { name: 'rule', kind: 'text', description: 'One rule: its number, or the object it syncs' }] },
  examples: ['sync sandbox', 'sync hubspot contacts', 'sync "Linear Eng" 2'],
  summary: 'Runs a connection’s sync rules now and shows their progress here',
  permission: 'connections.sync',
  async run(ctx, line) {
    const [name, ...rest] = line.args;
    const c = await resolveConnection(ctx, name);
    if (c.status !== 'connected') return cannotSync(c);
    const named = rest.join(' ').trim() || undefined;
    const chosen = await resolveRules(ctx, c, named);
    const all = await rulesOf(ctx, c.id);
    const position = (id: string) => all.findIndex((r) => r.id === id) + 1;
    const h = await handleOf(ctx, c);
    const paused = chosen.filter((r) => !r.enabled);
    const resumeHint = (id: string) => code(ctx.cmd(`rules ${h} resume ${position(id)}`));
    if (paused.length === chosen.length) {
      const which = named ? `Sync rule ${position(chosen[0]!.id)} (${ruleTitle(chosen[0]!, c.provider)}) is` : `Every sync rule of ${bold(plain(c.displayName))} is`;
      throw new AppError('invalid_transition', `${which} paused, so nothing ran. Resume it first: ${resumeHint(paused[0]!.id)}.`);
    }
    const inv = ctx.invocation;
    const reporter = isBotPlatform(inv.platform) ? { platform: inv.platform, teamId: inv.teamId, channelId: inv.channelId } : null;
    const started: ISyncRun[] = [];
    const lines: string[] = [];
    for (const rule of chosen.filter((r) => r.enabled)) {
      // Through the rules service: the run is audited (sync_rule.run) like one started from the API.
      const { run, alreadyRunning } = await runRule(ctx.rt, ctx.caller, c.id, rule.id, { reporter });
      started.push(run);
      const here = !reporter || run.reporter?.channelId === reporter.channelId;
      lines.push(
        alreadyRunning
          ? `⏳ ${bold(runSubject(run))} is already syncing; ${here ? 'its progress appears here' : 'its progress is shown where it was started'}.`
          : `🔄 Started syncing ${bold(runSubject(run))}${reporter ? '; progress appears in this channel' : ''}.`,
      );
    }
    for (const r of paused) lines.push(`⏸ Skipped rule ${position(r.id)} (${ruleTitle(r, c.provider)}): it is paused (${resumeHint(r.id)}).`);
    if (!reporter) {
      // The terminal: say it started now, print the summaries when the runs end.
      return { immediate: ephemeral(lines.join('\n')), followUp: waitForRuns(ctx, started) };
    }
    return ephemeral(lines.join('\n'));
  },
};

export default sync;
