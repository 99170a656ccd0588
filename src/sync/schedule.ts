/**
 * When runs happen. Every run of a connection's rules goes through one graphile-worker queue per
 * connection (one job at a time per connection); a rule's queued job has a key, so asking twice
 * queues one run. A run is a chain of short jobs (src/sync/engine.ts), each queueing the next.
 */
import { LockMode, type EntityManager } from '@mikro-orm/postgresql';
import { correlationId } from '../context.ts';
import { Connection } from '../entities/connection.ts';
import { SyncRule, type ISyncRule } from '../entities/sync-rule.ts';
import { SyncRun, type ISyncRun, type RunReporter } from '../entities/sync-run.ts';
import { notFound } from '../errors.ts';
import { enqueue } from '../jobs/enqueue.ts';

export const syncQueueName = (connectionId: string) => `sync:${connectionId}`;
export const ruleJobKey = (ruleId: string) => `sync_run:${ruleId}`;

/** Seconds a realtime rule waits between polls while no webhook of the provider drives it. */
export const REALTIME_FALLBACK_POLL_SECONDS = 300;

/**
 * How long a rule waits between polls: its interval; for `realtime`, the reconciliation interval
 * when the provider's webhooks drive it (`reconcileSeconds`), else 5 minutes.
 */
export function pollSeconds(rule: Pick<ISyncRule, 'frequency' | 'intervalSeconds'>, reconcileSeconds?: number): number {
  if (rule.frequency !== 'realtime') return rule.intervalSeconds;
  return reconcileSeconds ?? REALTIME_FALLBACK_POLL_SECONDS;
}

/** Queues the rule's next scheduled run at `runAt`, replacing a queued one (not a running one). */
export async function scheduleRule(em: EntityManager, rule: Pick<ISyncRule, 'id' | 'connection'>, runAt: Date): Promise<void> {
  await enqueue(em, 'sync_run', { ruleId: rule.id }, { queueName: syncQueueName(rule.connection), jobKey: ruleJobKey(rule.id), jobKeyMode: 'replace', runAt });
  await em.nativeUpdate(SyncRule, { id: rule.id }, { nextRunAt: runAt });
}

/**
 * Runs that are queued or running while no live job of the rule is left to carry them (their
 * worker died and the job failed for good: it keeps its key, with no attempts left) are marked failed, so they block neither `sync` nor the
 * schedule. While a run is alive some job always holds the rule's key: the step running, its
 * successor, or the next scheduled run.
 */
export async function settleAbandonedRuns(em: EntityManager, ruleId: string): Promise<number> {
  const rows = await em.execute<Array<{ id: string }>>(
    `update "sync_runs" set "status" = 'failed', "finished_at" = now(), "error_code" = 'internal_error',
            "error_message" = 'The run stopped without finishing: its worker stopped and no job was left to continue it. The next run picks up where it stopped.'
      where "rule_id" = ? and "status" in ('queued', 'running')
        and not exists (select 1 from graphile_worker._private_jobs j where j."key" = ? and j."attempts" < j."max_attempts")
      returning "id"`,
    [ruleId, ruleJobKey(ruleId)],
  );
  return rows.length;
}

/** Drops the rule's queued run (a disabled or deleted rule). A job already running finishes its step and stops. */
export async function unscheduleRule(em: EntityManager, ruleId: string): Promise<void> {
  await em.execute('select graphile_worker.remove_job(?)', [ruleJobKey(ruleId)]);
  await em.nativeUpdate(SyncRule, { id: ruleId }, { nextRunAt: null });
}

export type RunRequest = {
  trigger: 'manual' | 'webhook' | 'schedule';
  requestedBy?: string | null;
  /** The chat message that follows the run's progress. */
  reporter?: RunReporter | null;
};

/**
 * Starts a run of the rule now. When the rule already has a run queued or in progress, that run
 * is returned (`alreadyRunning`) instead of starting a second one. Authorization is the caller's.
 */
export async function requestRun(em: EntityManager, workspaceId: string, ruleId: string, req: RunRequest): Promise<{ run: ISyncRun; alreadyRunning: boolean }> {
  return await em.transactional(async (tx) => {
    // The rule's row lock serializes requests for it: without it, requests that arrive together all
    // see no active run and each insert one (one job survives the job key; the other runs stay queued forever).
    const rule = await tx.findOne(SyncRule, { id: ruleId, workspace: workspaceId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!rule) throw notFound('Sync rule', ruleId);
    await settleAbandonedRuns(tx, rule.id);
    const active = await tx.findOne(SyncRun, { rule: rule.id, status: { $in: ['queued', 'running'] } }, { orderBy: { createdAt: 'desc' } });
    if (active) {
      if (req.reporter && !active.reporter) active.reporter = req.reporter;
      await tx.flush();
      return { run: active, alreadyRunning: true };
    }
    const connection = await tx.findOneOrFail(Connection, { id: rule.connection });
    const run = tx.create(SyncRun, {
      workspace: workspaceId,
      connection: rule.connection,
      rule: rule.id,
      providerSlug: connection.providerSlug,
      localObject: rule.localObject,
      direction: rule.direction,
      trigger: req.trigger,
      requestedBy: req.requestedBy ?? null,
      reporter: req.reporter ?? null,
      correlationId: correlationId(),
    });
    await tx.flush();
    await enqueue(tx, 'sync_run', { ruleId: rule.id, runId: run.id }, { queueName: syncQueueName(rule.connection), jobKey: ruleJobKey(rule.id), jobKeyMode: 'replace' });
    return { run, alreadyRunning: false };
  });
}
