/**
 * Runs graphile-worker in this process. Every task is wrapped once here: payload re-validated,
 * correlation id restored, metrics and logs written, and the error mapped to retry or not.
 */
import { parseCrontab, run, type JobHelpers, type Runner, type Task, type TaskList } from 'graphile-worker';
import { newCorrelationId, runWithContext } from '../context.ts';
import { AppError, isRetryable, UNEXPECTED_ERROR_ATTEMPTS } from '../errors.ts';
import type { Logger } from '../logger.ts';
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
        await handleFailure(rt, err, helpers, logger);
      } finally {
        end();
      }
    });
  };
}

/**
 * The one place a failed job's error becomes "retry or not":
 * - transient (`isRetryable`): rethrown, so graphile-worker retries with exponential backoff;
 * - an expected, final AppError (not found, forbidden, bad input): logged, the job completes —
 *   retrying cannot change the answer;
 * - anything else is a bug: rethrown for a few attempts (it may depend on data that changes),
 *   then the job is failed for good — kept in graphile-worker's table with its error — and its
 *   stack is logged.
 */
async function handleFailure(rt: Runtime, err: unknown, helpers: JobHelpers, logger: Logger): Promise<void> {
  const { attempts, max_attempts: maxAttempts, id } = helpers.job;
  const task = helpers.job.task_identifier;
  if (isRetryable(err)) {
    const retry = attempts < maxAttempts;
    rt.metrics.jobs.inc({ task, outcome: retry ? 'retry' : 'failed' });
    logger.warn({ err }, retry ? 'job failed; will retry' : 'job failed on its last attempt');
    throw err;
  }
  if (err instanceof AppError && err.code !== 'internal_error') {
    rt.metrics.jobs.inc({ task, outcome: 'failed' });
    logger.error({ err, code: err.code }, 'job failed permanently');
    return;
  }
  const stack = err instanceof Error ? err.stack : String(err);
  if (attempts < Math.min(UNEXPECTED_ERROR_ATTEMPTS, maxAttempts)) {
    rt.metrics.jobs.inc({ task, outcome: 'retry' });
    logger.error({ err, stack }, 'job failed with an unexpected error; will retry a few times');
    throw err;
  }
  // Cap the job's attempts at this one, so graphile-worker records it as permanently failed.
  await helpers.withPgClient((c) => c.query('update graphile_worker._private_jobs set max_attempts = attempts where id = $1', [id])).catch(() => {});
  rt.metrics.jobs.inc({ task, outcome: 'failed' });
  logger.error({ err, stack, attempts }, 'job failed permanently: unexpected error (a bug); see the stack');
  throw err;
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
