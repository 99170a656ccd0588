/**
 * Reports a run started from chat in the channel that asked: one bot message ("🔄 Syncing
 * Patchbay Sandbox tasks… 3,200 pulled, 12 pushed"), edited in place every few seconds as the
 * run's jobs commit, and finally replaced by the summary with a Log button. Called by the engine
 * after every step and at the end, in whichever process runs the job (the bot's poster lives on
 * every runtime). A run without a reporter (scheduled, API) reports nothing.
 */
import { botFor } from '../chat/bots.ts';
import { isBotPlatform } from '../chat/platforms.ts';
import { bold, commandButton, inChannel, plain, type NeutralReply } from '../commands/view.ts';
import { SyncRun, type ISyncRun, type RunReporter } from '../entities/sync-run.ts';
import type { Runtime } from '../runtime.ts';
import { runSubject, summaryText } from './runs.ts';

/** Edits closer together than this are skipped (the final one never is). */
const EDIT_EVERY_MS = 3000;

const n = (x: number) => x.toLocaleString('en-US');

export function progressReply(run: Pick<ISyncRun, 'status' | 'pulled' | 'pushed' | 'errorMessage' | 'connection' | 'localObject' | 'providerSlug' | 'conflicts' | 'errors' | 'merged' | 'linked' | 'deleted' | 'startedAt' | 'finishedAt'>): NeutralReply {
  const subject = runSubject(run);
  if (run.status === 'queued' || run.status === 'running') {
    const counts = run.pulled || run.pushed ? ` ${n(run.pulled)} pulled, ${n(run.pushed)} pushed` : '';
    const text = `🔄 Syncing ${bold(subject)}…${counts}`;
    return inChannel(text);
  }
  const seconds = run.startedAt && run.finishedAt ? ` in ${((run.finishedAt.getTime() - run.startedAt.getTime()) / 1000).toFixed(1)} s` : '';
  const ok = run.status === 'succeeded';
  const text = ok
    ? `${run.conflicts || run.errors ? '⚠️' : '✅'} Synced ${summaryText(run as ISyncRun)}${seconds}.`
    : `❌ Sync of ${bold(subject)} failed${seconds}: ${plain(run.errorMessage ?? 'unknown error')}`;
  return inChannel(text, [{ type: 'section', text }, { type: 'actions', buttons: [commandButton('Log', 'log', [run.connection])] }]);
}

export async function reportRunProgress(rt: Runtime, run: ISyncRun): Promise<void> {
  const r = run.reporter;
  if (!r || !isBotPlatform(r.platform)) return;
  const bot = botFor(rt, r.platform);
  if (!bot) return;
  const final = run.status === 'succeeded' || run.status === 'failed';
  if (!final && r.lastAt && Date.now() - Date.parse(r.lastAt) < EDIT_EVERY_MS) return;
  const target = { platform: r.platform, teamId: r.teamId, channelId: r.channelId };
  const reply = progressReply(run);
  let messageRef = r.messageRef ?? null;
  if (messageRef && bot.poster.update) await bot.poster.update(target, messageRef, reply);
  else messageRef = (await bot.poster.post(target, reply)).messageRef;
  const next: RunReporter = { ...r, messageRef, lastAt: new Date().toISOString() };
  run.reporter = next;
  await rt.em().nativeUpdate(SyncRun, { id: run.id }, { reporter: next });
}
