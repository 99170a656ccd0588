/**
 * Runs graphile-worker in this process. Every task is wrapped once here: payload re-validated,
 * correlation id restored, metrics and logs written, and the error mapped to retry or not.
 */
import { EventEmitter } from 'node:events';
import { parseCrontab, run, type JobHelpers, type Runner, type Task, type TaskList, type WorkerEvents } from 'graphile-worker';
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

/** Tasks that run on the deliveries pool (src/webhooks/). */
const DELIVERY_TASKS = new Set(['webhook_drain']);

function pick(list: TaskList, keep: (identifier: string) => boolean): TaskList {
  return Object.fromEntries(Object.entries(list).filter(([id]) => keep(id)));
}

/**
 * The pools as one runner for the supervisor: it ends when either ends (the other is stopped
 * then, so both restart together) and stops both.
 */
function combine(runners: Runner[]): Runner {
  const [first] = runners as [Runner, ...Runner[]];
  const stopAll = async () => {
    await Promise.all(runners.map((r) => r.stop().catch((err: unknown) => err)));
  };
  const promise = Promise.race(runners.map((r) => r.promise)).finally(() => stopAll());
  return { ...first, promise, stop: stopAll };
}

export function buildTaskList(rt: Runtime, extra: TaskDefinition<any>[] = []): TaskList {
  const list: TaskList = {};
  for (const def of [...Object.values(tasks), ...extra] as TaskDefinition<any>[]) list[def.identifier] = wrap(rt, def);
  return list;
}

/**
 * Starts the job workers and keeps them running. graphile-worker stops its pool for good when
 * it cannot record a job's completion (a PostgreSQL restart while a job runs): no setting makes
 * it ride that out. So the runner is supervised: when it stops on its own, a new one starts as
 * soon as the database answers again (with backoff), the dead runner's job locks are released at
 * once so the interrupted job runs again within seconds (not after JOB_LEASE_MINUTES), and the
 * restart is logged and counted. Delivery stays at least once: the interrupted job runs again.
 */
export async function startWorkers(rt: Runtime, opts: WorkerOptions = {}): Promise<Workers> {
  await unlockExpiredJobs(rt);
  const leaseTimer = setInterval(
    () => void unlockExpiredJobs(rt).catch((err) => rt.logger.warn({ err }, 'unlocking expired jobs failed')),
    Math.max(30_000, (rt.config.JOB_LEASE_MINUTES * 60_000) / 2),
  );
  leaseTimer.unref();
  const taskList = buildTaskList(rt, opts.extraTasks);
  const parsedCronItems = opts.crontab === false ? [] : parseCrontab(crontab);
  let stopping = false;
  let current: Runner;
  let wake: (() => void) | undefined;

  /**
   * Two graphile-worker pools on one database pool: outbound webhook deliveries (which may each
   * wait 30 s on a slow receiver) get their own concurrency budget, so they can never take every
   * slot from syncs and alerts, and vice versa. A pool only ever fetches the tasks in its list.
   */
  const pools = [
    { name: 'jobs', taskList: pick(taskList, (id) => !DELIVERY_TASKS.has(id)), concurrency: rt.config.WORKER_CONCURRENCY, cron: parsedCronItems },
    { name: 'deliveries', taskList: pick(taskList, (id) => DELIVERY_TASKS.has(id)), concurrency: rt.config.WEBHOOK_CONCURRENCY, cron: [] },
  ];

  const startRunner = async (): Promise<{ runner: Runner; workerIds: Set<string> }> => {
    // Passed in rather than read from the runner: the pool is created (and locks jobs as
    // `pool-…`) before run() returns. Both pool and worker ids can hold job locks.
    const workerIds = new Set<string>();
    const events = new EventEmitter() as WorkerEvents;
    events.on('pool:create', ({ workerPool }) => workerIds.add(workerPool.id));
    events.on('worker:create', ({ worker }) => workerIds.add(worker.workerId));
    const runners: Runner[] = [];
    try {
      for (const pool of pools) {
        runners.push(
          await run({
            events,
            pgPool: rt.db.pool,
            taskList: pool.taskList,
            concurrency: pool.concurrency,
            noHandleSignals: true,
            pollInterval: 2_000,
            logger: workerLogger(rt.logger.child({ pool: pool.name })),
            parsedCronItems: pool.cron,
            preset: {
              worker: {
                useNodeTime: true,
                completeJobBatchDelay: 0,
                failJobBatchDelay: 0,
                gracefulShutdownAbortTimeout: Math.max(1_000, rt.config.SHUTDOWN_TIMEOUT_SECONDS * 1_000 - 2_000),
              },
            },
          }),
        );
      }
    } catch (err) {
      await Promise.all(runners.map((r) => r.stop().catch(() => undefined)));
      throw err;
    }
    rt.state.workersRunning = true;
    return { runner: combine(runners), workerIds };
  };

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(t);
        resolve();
      };
    });

  /** Waits for the end of a runner that was not asked to stop, then starts the next one. */
  const supervise = async (started: { runner: Runner; workerIds: Set<string> }): Promise<void> => {
    const err = await started.runner.promise.then(() => undefined, (e: unknown) => e ?? new Error('stopped'));
    if (stopping) return;
    rt.state.workersRunning = false;
    rt.metrics.workerRestarts.inc();
    rt.logger.error({ err }, 'job workers stopped unexpectedly (database restart?); restarting them once the database answers');
    for (let attempt = 0; !stopping; attempt++) {
      await sleep(Math.min(30_000, 500 * 2 ** Math.min(attempt, 6)));
      if (stopping) return;
      try {
        await rt.db.pool.query('select 1');
        const ids = [...started.workerIds];
        // The dead runner's locks would otherwise hold its jobs until the lease expires.
        if (ids.length) await rt.db.pool.query('select graphile_worker.force_unlock_workers($1::text[])', [ids]);
        const next = await startRunner();
        current = next.runner;
        rt.logger.warn({ unlockedWorkers: ids.length, attempt: attempt + 1 }, 'job workers restarted');
        void supervise(next);
        return;
      } catch (e) {
        rt.logger.warn({ err: e, attempt: attempt + 1 }, 'job workers still cannot start; retrying');
      }
    }
  };

  const first = await startRunner();
  current = first.runner;
  void supervise(first);
  return {
    get runner() {
      return current;
    },
    async stop() {
      stopping = true;
      wake?.();
      clearInterval(leaseTimer);
      await current.stop().catch((err: unknown) => rt.logger.debug({ err }, 'job runner was already stopped'));
      rt.state.workersRunning = false;
    },
  };
}
