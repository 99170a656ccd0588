/**
 * The sync engine's job: one step of a run. A run is a chain of short jobs in the connection's
 * queue — each handles a bounded number of pull pages, sweep batches or push batches, commits
 * and queues its successor — because graphile-worker would hand a job locked past its lease to
 * another worker. On top of the queue, each step holds a per-connection advisory lock on its own
 * database session, so even a step that outlives its lease never runs beside another: the second
 * one sees the lock, re-queues itself and stops. A killed process drops its session and the lock.
 */
import type pg from 'pg';
import { runWithContext } from '../context.ts';
import { openSession } from '../connections/provider-session.ts';
import { Connection } from '../entities/connection.ts';
import { SyncRule } from '../entities/sync-rule.ts';
import { SyncRun, type ISyncRun } from '../entities/sync-run.ts';
import { AppError } from '../errors.ts';
import type { TaskContext } from '../jobs/define-task.ts';
import { enqueue } from '../jobs/enqueue.ts';
import { getProvider } from '../providers/registry.ts';
import type { Runtime } from '../runtime.ts';
import { finishRun } from './finish.ts';
import { matchStep, needsMatch } from './initial-match.ts';
import { callWithShortWaits, splitMapping, type SyncJob } from './job-context.ts';
import { markRemoteDeleted, unseenLinks } from './links.ts';
import { reportRunProgress } from './progress.ts';
import { applyRemoteDeletionPolicy, addCounts, pullPage, type Fetched } from './pull.ts';
import { pushBatch, reconcileIntents } from './push.ts';
import { recordSyncEvents } from './record-events.ts';
import { ruleJobKey, syncQueueName } from './schedule.ts';

const STEP_BUDGET_MS = 60_000;

async function tryLock(pool: pg.Pool, connectionId: string): Promise<pg.PoolClient | null> {
  const client = await pool.connect();
  const { rows } = await client.query<{ ok: boolean }>(`select pg_try_advisory_lock(hashtext('sync:' || $1)) as ok`, [connectionId]);
  if (rows[0]?.ok) return client;
  client.release();
  return null;
}

async function unlock(client: pg.PoolClient, connectionId: string): Promise<void> {
  let broken: Error | undefined;
  await client.query(`select pg_advisory_unlock(hashtext('sync:' || $1))`, [connectionId]).catch((e: Error) => (broken = e));
  client.release(broken);
}

export async function runSyncJob(rt: Runtime, payload: { ruleId: string; runId?: string | undefined }, tctx: TaskContext): Promise<void> {
  const em = tctx.em;
  const rule = await em.findOne(SyncRule, { id: payload.ruleId });
  if (!rule) return; // deleted since it was queued
  const connection = await em.findOne(Connection, { id: rule.connection });
  if (!connection) return;
  let run: ISyncRun | null = payload.runId ? await em.findOne(SyncRun, { id: payload.runId }) : null;
  if (run && (run.status === 'succeeded' || run.status === 'failed')) return;
  if (connection.status !== 'connected' || (!rule.enabled && run?.trigger !== 'manual')) {
    // Paused, errored or disconnected connections are not synced; scheduling resumes when they recover.
    if (run) {
      const why = connection.status === 'connected' ? 'the rule is disabled' : `the connection is ${connection.status}${connection.statusReason ? ` (${connection.statusReason})` : ''}`;
      await em.nativeUpdate(SyncRun, { id: run.id }, { status: 'failed', finishedAt: new Date(), errorCode: 'invalid_transition', errorMessage: `Not run: ${why}.` });
      await reportRunProgress(rt, { ...run, status: 'failed', errorMessage: `Not run: ${why}.` }).catch((e) => tctx.logger.warn({ err: e }, 'could not report the run to chat'));
    }
    await em.nativeUpdate(SyncRule, { id: rule.id }, { nextRunAt: null });
    return;
  }

  const lock = await tryLock(rt.db.pool, connection.id);
  if (!lock) {
    // Another step of this connection still runs (e.g. past its job lease): try again shortly.
    tctx.logger.info({ ruleId: rule.id }, 'another sync step of this connection is running; re-queued');
    // preserve_run_at: a successor the running step already queued keeps its own (earlier) time.
    await enqueue(em, 'sync_run', { ruleId: rule.id, ...(run ? { runId: run.id } : {}) }, { queueName: syncQueueName(connection.id), jobKey: ruleJobKey(rule.id), jobKeyMode: 'preserve_run_at', runAt: new Date(Date.now() + 5000) });
    return;
  }
  try {
    // Re-read under the lock: a previous holder may have moved the run on.
    await em.refresh(rule);
    if (run) {
      run = await em.findOne(SyncRun, { id: run.id }, { refresh: true });
      if (!run || run.status === 'succeeded' || run.status === 'failed') return;
    } else {
      run = em.create(SyncRun, {
        workspace: rule.workspace,
        connection: connection.id,
        rule: rule.id,
        providerSlug: connection.providerSlug,
        localObject: rule.localObject,
        direction: rule.direction,
        trigger: 'schedule',
        correlationId: tctx.correlationId,
      });
      await em.flush();
    }
    const theRun = run;
    await runWithContext({ correlationId: theRun.correlationId, actor: { via: 'sync' } }, () => step(rt, tctx, theRun, rule, connection));
  } finally {
    await unlock(lock, connection.id);
  }
}

async function step(rt: Runtime, tctx: TaskContext, run: ISyncRun, rule: SyncJob['rule'], connection: SyncJob['connection']): Promise<void> {
  const em = tctx.em;
  const provider = getProvider(connection.providerSlug);
  const adapter = provider.adapters.find((a) => a.remoteObject === rule.remoteObject && a.localObject === rule.localObject);
  const logger = tctx.logger.child({ runId: run.id, ruleId: rule.id, connectionId: connection.id });
  let session: Awaited<ReturnType<typeof openSession>>;
  try {
    session = await openSession(rt, rule.workspace, connection);
  } catch (err) {
    // No session, no run (e.g. credentials that no key decrypts): the run fails and says why.
    const message = err instanceof AppError ? err.message : 'The connection could not be opened; see the server log.';
    logger.error({ err }, 'sync run could not open a provider session');
    await em.nativeUpdate(SyncRun, { id: run.id }, { status: 'failed', startedAt: run.startedAt ?? new Date(), finishedAt: new Date(), errorCode: err instanceof AppError ? err.code : 'internal_error', errorMessage: message });
    return;
  }
  const split = splitMapping(rule);
  const first = run.status === 'queued';
  if (first) {
    run.status = 'running';
    run.startedAt = new Date();
    // A feed without deletes is reconciled in full now and then (mark-and-sweep).
    const reconcile = adapter && !adapter.reportsDeletes && rule.direction !== 'out' && (!rule.lastFullPullAt || Date.now() - rule.lastFullPullAt.getTime() > rt.config.SYNC_RECONCILE_HOURS * 3_600_000);
    if (reconcile && rule.pullCursor != null) {
      rule.pullCursor = null;
      await em.nativeUpdate(SyncRule, { id: rule.id }, { pullCursor: null });
    }
    run.mode = rule.pullCursor == null && rule.direction !== 'out' ? 'full' : 'incremental';
    // A rule's first run matches the records both sides already have before anything is pulled or pushed.
    run.phase = needsMatch(rule) ? 'match' : rule.direction === 'out' ? 'push' : 'pull';
  }
  run.jobs += 1;
  await em.nativeUpdate(SyncRun, { id: run.id }, { status: run.status, startedAt: run.startedAt, mode: run.mode, phase: run.phase, jobs: run.jobs });
  // A run started from chat shows "Syncing…" at once, however short it turns out (edited in place after).
  if (first) await reportRunProgress(rt, run).catch((e) => logger.warn({ err: e }, 'could not report progress to chat'));

  const job: SyncJob = {
    rt,
    em,
    logger,
    run,
    rule,
    connection,
    provider,
    adapter: adapter!,
    session,
    ...split,
    quiet: run.mode === 'full' && !rule.initialImportAt,
    call: callWithShortWaits(session, rt.config.SYNC_MAX_INLINE_WAIT_SECONDS, logger, (seconds) => {
      run.warnings = [...new Set([...run.warnings, `${provider.definition.displayName} rate-limited the sync; waited ${seconds} s inside the run`])];
    }),
    graceMs: rt.config.SYNC_CONFLICT_GRACE_SECONDS * 1000,
  };
  try {
    if (!adapter) {
      throw new AppError('sync_mapping_mismatch', `${provider.definition.displayName} no longer syncs ${rule.remoteObject}; delete this rule.`);
    }
    // Creates left unfinished by a stopped process are settled before the pull could see their records.
    if (first && rule.direction !== 'in') await reconcileIntents(job);
    const deadline = Date.now() + STEP_BUDGET_MS;
    let prefetched: Promise<Fetched> | undefined;
    for (let steps = 0; steps < rt.config.SYNC_STEPS_PER_JOB && Date.now() < deadline && run.phase !== 'done'; steps++) {
      if (run.phase === 'match') {
        if (await matchStep(job)) await setPhase(job, rule.direction === 'out' ? 'push' : 'pull');
      } else if (run.phase === 'pull') {
        // The last page of this job fetches nothing ahead: the next job starts from the stored cursor.
        const last = steps + 1 >= rt.config.SYNC_STEPS_PER_JOB;
        const { done, next } = await pullPage(job, prefetched, !last);
        prefetched = next;
        if (done) await setPhase(job, run.mode === 'full' && (!adapter.reportsDeletes || adapter.fullPullListsAll) ? 'sweep' : rule.direction === 'in' ? 'done' : 'push');
      } else if (run.phase === 'sweep') {
        if (await sweepBatch(job)) await setPhase(job, rule.direction === 'in' ? 'done' : 'push');
      } else if (run.phase === 'push') {
        if ((await pushBatch(job)).done) await setPhase(job, 'done');
      }
    }
  } catch (err) {
    logger.warn({ err }, 'sync run failed');
    await finishRun(job, err);
    return;
  }
  if (run.phase === 'done') {
    await finishRun(job);
    return;
  }
  // More to do: the next step of this run, in the connection's queue.
  await enqueue(em, 'sync_run', { ruleId: rule.id, runId: run.id }, { queueName: syncQueueName(connection.id), jobKey: ruleJobKey(rule.id) });
  await reportRunProgress(rt, run).catch((e) => logger.warn({ err: e }, 'could not report progress to chat'));
}

async function setPhase(job: SyncJob, phase: ISyncRun['phase']): Promise<void> {
  job.run.phase = phase;
  await job.em.nativeUpdate(SyncRun, { id: job.run.id }, { phase });
}

/**
 * After a complete full pull of a feed that reports no deletes (or of one whose full pull lists
 * everything, `fullPullListsAll`): linked records the pull did not see were deleted at the provider. Runs only when the whole pull succeeded (a failed run never
 * reaches this phase), in batches.
 */
async function sweepBatch(job: SyncJob): Promise<boolean> {
  const batch = 200;
  const gone = await unseenLinks(job.em, job.rule.id, job.run.id, batch);
  if (!gone.length) return true;
  await job.em.transactional(async (tx) => {
    await tx.execute(`select set_config('patchbay.sync_connection', ?, true)`, [job.connection.id]);
    const removed = await applyRemoteDeletionPolicy(tx, job, gone.map((l) => l.localId));
    if (job.rule.deletePolicy === 'ignore') await markRemoteDeleted(tx, job.rule.id, gone.map((l) => l.localId));
    if (!job.quiet) await recordSyncEvents(tx, job.rule.localObject, job.rule.workspace, { connectionId: job.connection.id, syncRuleId: job.rule.id }, removed.changes);
    await addCounts(tx, job, { deleted: removed.count });
  });
  return gone.length < batch;
}
