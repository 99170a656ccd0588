/**
 * Runs graphile-worker in this process. Every task is wrapped once here: payload re-validated,
 * correlation id restored, metrics and logs written, and the error mapped to retry or not.
 */
import { parseCrontab, run, type Runner, type Task, type TaskList } from 'graphile-worker';
import { newCorrelationId, runWithContext } from '../context.ts';
import { AppError, isRetryable } from '../errors.ts';
import type { Runtime } from '../runtime.ts';
import type { TaskDefinition } from './define-task.ts';
import { crontab, tasks } from './task-list.ts';
import { workerLogger } from './worker-logger.ts';

export type Workers = {
  runner: Runner;
  /** Stops taking jobs and waits for running ones to finish. */
  stop(): Promise<void>;
};

export type WorkerOptions = {
  /** Extra task definitions (tests use this to observe the runner itself). */
  extraTasks?: TaskDefinition<any>[];
  /** Register the crontab (default true). */
  crontab?: boolean;
};

function wrap(rt: Runtime, def: TaskDefinition<any>): Task {
  return async (raw, helpers) => {
    const rawObj = (raw ?? {}) as Record<string, unknown>;
    const correlationId = newCorrelationId(rawObj._correlationId ?? `job-${helpers.job.id}`);
    return await runWithContext({ correlationId, actor: { via: 'system' } }, async () => {
      const logger = rt.logger.child({ task: def.identifier, jobId: helpers.job.id, attempt: helpers.job.attempts });
      const end = rt.metrics.jobDuration.startTimer({ task: def.identifier });
      const parsed = def.payload.safeParse(raw);
      if (!parsed.success) {
        // Retrying cannot fix a malformed payload: record it and let the job finish.
        logger.error({ issues: parsed.error.issues }, 'job payload is invalid; dropped');
        rt.metrics.jobs.inc({ task: def.identifier, outcome: 'failed' });
        end();
        return;
      }
      try {
        await def.run(parsed.data, { rt, em: rt.em(), logger, helpers, correlationId });
        rt.metrics.jobs.inc({ task: def.identifier, outcome: 'success' });
      } catch (err) {
        const retry = isRetryable(err) && helpers.job.attempts < helpers.job.max_attempts;
        rt.metrics.jobs.inc({ task: def.identifier, outcome: retry ? 'retry' : 'failed' });
        if (!isRetryable(err)) {
          logger.error({ err, code: err instanceof AppError ? err.code : undefined }, 'job failed permanently');
          return;
        }
        logger.warn({ err }, retry ? 'job failed; will retry' : 'job failed on its last attempt');
        throw err;
      } finally {
        end();
      }
    });
  };
}

/** Unlocks jobs whose lock is older than the lease: their worker died (graphile-worker waits 4 hours). */
export async function unlockExpiredJobs(rt: Runtime): Promise<number> {
  const minutes = rt.config.JOB_LEASE_MINUTES;
  const jobs = await rt.db.pool.query(
    `update graphile_worker._private_jobs set locked_at = null, locked_by = null, run_at = greatest(run_at, now())
      where locked_at < now() - make_interval(mins => $1)`,
    [minutes],
  );
  await rt.db.pool.query(
    `update graphile_worker._private_job_queues set locked_at = null, locked_by = null
      where locked_at < now() - make_interval(mins => $1)`,
    [minutes],
  );
  if (jobs.rowCount) rt.logger.warn({ jobs: jobs.rowCount, leaseMinutes: minutes }, 'unlocked jobs of a worker that stopped');
  return jobs.rowCount ?? 0;
}

export function buildTaskList(rt: Runtime, extra: TaskDefinition<any>[] = []): TaskList {
  const list: TaskList = {};
  for (const def of [...Object.values(tasks), ...extra] as TaskDefinition<any>[]) list[def.identifier] = wrap(rt, def);
  return list;
}

export async function startWorkers(rt: Runtime, opts: WorkerOptions = {}): Promise<Workers> {
  await unlockExpiredJobs(rt);
  const leaseTimer = setInterval(
    () => void unlockExpiredJobs(rt).catch((err) => rt.logger.warn({ err }, 'unlocking expired jobs failed')),
    Math.max(30_000, (rt.config.JOB_LEASE_MINUTES * 60_000) / 2),
  );
  leaseTimer.unref();
  const runner = await run({
    pgPool: rt.db.pool,
    taskList: buildTaskList(rt, opts.extraTasks),
    concurrency: rt.config.WORKER_CONCURRENCY,
    noHandleSignals: true,
    pollInterval: 2_000,
    logger: workerLogger(rt.logger),
    parsedCronItems: opts.crontab === false ? [] : parseCrontab(crontab),
    preset: {
      worker: {
        useNodeTime: true,
        completeJobBatchDelay: 0,
        failJobBatchDelay: 0,
        gracefulShutdownAbortTimeout: Math.max(1_000, rt.config.SHUTDOWN_TIMEOUT_SECONDS * 1_000 - 2_000),
      },
    },
  });
  rt.state.workersRunning = true;
  runner.promise.then(
    () => (rt.state.workersRunning = false),
    (err) => {
      rt.state.workersRunning = false;
      rt.logger.error({ err }, 'workers stopped unexpectedly');
    },
  );
  return {
    runner,
    async stop() {
      clearInterval(leaseTimer);
      await runner.stop();
      rt.state.workersRunning = false;
    },
  };
}
