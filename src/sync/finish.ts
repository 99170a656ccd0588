/**
 * The end of a run, in one transaction: the run's outcome, one summary line in the connection
 * log (plus one per mapping mismatch), `sync_completed` and the run's `sync_conflict` events
 * (together, so alerts batch them), the connection's last sync time and record count, the
 * per-provider totals behind /metrics, and the rule's next run. Failures are counted per rule;
 * too many in a row move the connection to errored.
 */
import { systemActor } from '../connections/actor.ts';
import { writeConnectionLog } from '../connections/log.ts';
import { definedPauseOf, markErrored, pauseForRateLimit } from '../connections/system-transitions.ts';
import { Connection } from '../entities/connection.ts';
import { SyncRule } from '../entities/sync-rule.ts';
import { SyncRun } from '../entities/sync-run.ts';
import { AppError } from '../errors.ts';
import { COMPLETED_CONFLICTS_MAX } from '../events/catalog/sync.ts';
import { recordEvent } from '../events/record.ts';
import { scrubText } from '../logger.ts';
import type { SyncJob } from './job-context.ts';
import { linkedCount } from './links.ts';
import { reportRunProgress } from './progress.ts';
import { summaryText, syncRunView } from './runs.ts';
import { enqueue } from '../jobs/enqueue.ts';
import { pollSeconds, ruleJobKey, scheduleRule, syncQueueName } from './schedule.ts';
import { webhooksLive } from '../inbound/registrations.ts';

async function addTotals(job: SyncJob, tx: SyncJob['em'], ok: boolean): Promise<void> {
  const r = job.run;
  const rows = [
    [ok ? 'runs_succeeded' : 'runs_failed', 1],
    ['records_pulled', r.pulled],
    ['records_pushed', r.pushed],
    ['conflicts', r.conflicts],
  ] as const;
  await tx.execute(
    `insert into "sync_totals" ("provider_slug", "metric", "value")
     select ?, m, v from unnest(?::text[], ?::bigint[]) as t(m, v)
     on conflict ("provider_slug", "metric") do update set "value" = "sync_totals"."value" + excluded."value"`,
    [job.provider.definition.slug, `{${rows.map((x) => x[0]).join(',')}}`, `{${rows.map((x) => x[1]).join(',')}}`],
  );
}

/** Backoff after failed runs: 15 s, 30 s, 60 s … never later than the rule's own interval. */
function retryDelaySeconds(job: SyncJob, failures: number): number {
  return Math.min(pollSeconds(job.rule), 15 * 2 ** Math.max(0, failures - 1));
}

export async function finishRun(job: SyncJob, error?: unknown): Promise<void> {
  const { rt, run, rule, connection } = job;
  const ok = !error;
  const err = error instanceof AppError ? error : error ? new AppError('internal_error', 'The sync failed unexpectedly; see the server log with the reference.') : null;
  const message = err ? scrubText(err.message) : null;
  // A long rate limit pauses the connection (alerted once) and is not the rule's failure.
  const rateLimited = err?.code === 'rate_limited';
  const authFailed = err?.code === 'provider_auth_failed';
  const failures = ok ? 0 : rateLimited ? rule.consecutiveFailures : rule.consecutiveFailures + 1;
  const initialImport = ok && run.mode === 'full' && !rule.initialImportAt;
  const now = new Date();

  // The connection's new status first: whoever sees the run finished sees why it stopped.
  const actor = systemActor(rule.workspace, 'sync');
  if (rateLimited) {
    await pauseForRateLimit(rt, actor, connection.id, err.retryAfterSeconds ?? 60, err.message, definedPauseOf(err)).catch((e) => job.logger.warn({ err: e }, 'could not pause for the rate limit'));
  } else if (!ok && !authFailed && failures >= rt.config.SYNC_MAX_FAILED_RUNS) {
    await markErrored(rt, actor, connection.id, `${failures} sync runs in a row failed; the last: ${message}`);
  }
  await job.em.transactional(async (tx) => {
    run.status = ok ? 'succeeded' : 'failed';
    run.phase = ok ? 'done' : run.phase;
    run.finishedAt = now;
    run.errorCode = err?.code ?? null;
    run.errorMessage = message;
    await tx.nativeUpdate(SyncRun, { id: run.id }, { status: run.status, phase: run.phase, finishedAt: now, errorCode: run.errorCode, errorMessage: message, warnings: run.warnings });
    const ruleUpdate: Record<string, unknown> = { lastRunAt: now, consecutiveFailures: failures };
    if (initialImport) ruleUpdate.initialImportAt = now;
    if (ok && run.mode === 'full') ruleUpdate.lastFullPullAt = now;
    await tx.nativeUpdate(SyncRule, { id: rule.id }, ruleUpdate);
    if (ok) await tx.nativeUpdate(Connection, { id: connection.id }, { lastSyncAt: now, lastSyncCount: await linkedCount(tx, connection.id), consecutiveFailures: 0 });

    const ref = { workspaceId: rule.workspace, connectionId: connection.id };
    const seconds = ((now.getTime() - (run.startedAt ?? now).getTime()) / 1000).toFixed(1);
    const summary = `Sync ${ok ? 'finished' : 'failed'} — ${summaryText(run)} (${seconds} s)${message ? `: ${message}` : ''}`;
    await writeConnectionLog(tx, ref, { level: ok ? (run.errors || run.conflicts ? 'warn' : 'info') : 'error', kind: 'sync', message: summary, data: { runId: run.id, ruleId: rule.id, ...syncRunView(run).counts } }, { flush: false });
    for (const w of run.warnings) await writeConnectionLog(tx, ref, { level: 'warn', kind: 'sync_warning', message: w, data: { runId: run.id, ruleId: rule.id } }, { flush: false });
    await tx.flush();

    const snapshot = syncRunView(run);
    const conflicts = run.conflictDetails.map((c) => ({
      object: rule.localObject,
      localId: c.localId,
      remoteId: c.remoteId,
      name: c.name ?? null,
      field: c.field,
      localValue: c.localValue,
      remoteValue: c.remoteValue,
      winner: c.winner,
      localChangedAt: c.localAt,
      remoteChangedAt: c.remoteAt,
    }));
    for (const data of conflicts) await recordEvent(tx, { workspaceId: rule.workspace, type: 'sync_conflict', entityId: run.id, snapshot, data });
    // Last, with the conflicts listed: the alert pipeline posts one message per run from it.
    await recordEvent(tx, { workspaceId: rule.workspace, type: 'sync_completed', entityId: run.id, snapshot, data: { initialImport, conflicts: conflicts.slice(0, COMPLETED_CONFLICTS_MAX) } });
    await addTotals(job, tx, ok);
    const stillRuns = rule.enabled && !authFailed && failures < rt.config.SYNC_MAX_FAILED_RUNS;
    // A run asked for while this one was starting waits for its job: give it the rule's job now.
    const waiting = await tx.findOne(SyncRun, { rule: rule.id, status: 'queued', id: { $ne: run.id } }, { orderBy: { createdAt: 'asc' } });
    if (waiting) {
      await enqueue(tx, 'sync_run', { ruleId: rule.id, runId: waiting.id }, { queueName: syncQueueName(connection.id), jobKey: ruleJobKey(rule.id) });
    } else if (stillRuns) {
      // After a long rate limit: once the pause's own job has resumed the connection; the run picks up at the committed cursor.
      const reconcile = rule.frequency === 'realtime' && (await webhooksLive(tx, connection.id)) ? rt.config.REALTIME_RECONCILE_MINUTES * 60 : undefined;
      const delay = rateLimited ? (err.retryAfterSeconds ?? 60) + 5 : ok ? pollSeconds(rule, reconcile) : retryDelaySeconds(job, failures);
      await scheduleRule(tx, rule, new Date(now.getTime() + delay * 1000));
    }
  });

  await reportRunProgress(rt, run).catch((e) => job.logger.warn({ err: e }, 'could not report the run to chat'));
}
