import type { EntityManager } from '@mikro-orm/postgresql';
import { correlationId } from '../context.ts';
import type { z } from 'zod';
import { tasks, type TaskName } from './task-list.ts';

/** The payload a task accepts, from its zod schema: `enqueue` only type-checks with the right one. */
export type PayloadOf<T extends TaskName> = z.input<(typeof tasks)[T]['payload']>;

export type EnqueueOptions = {
  runAt?: Date;
  /** Replaces a queued (not yet running) job with the same key. */
  jobKey?: string;
  jobKeyMode?: 'replace' | 'preserve_run_at' | 'unsafe_dedupe';
  /** Jobs in one queue run one at a time (e.g. per connection). */
  queueName?: string;
  maxAttempts?: number;
  priority?: number;
};

/**
 * Queues a job with graphile-worker's SQL `add_job` on the caller's entity manager, so inside
 * `em.transactional` the job commits or rolls back with the change it belongs to.
 */
export async function enqueue<T extends TaskName>(
  em: EntityManager,
  task: T,
  payload: PayloadOf<T>,
  opts: EnqueueOptions = {},
): Promise<void> {
  // Checked here too: a bad payload fails the change that queued it, not a job hours later.
  const def = (tasks as Record<string, { payload: z.ZodType } | undefined>)[task];
  if (def) def.payload.parse(payload);
  // The correlation id rides along so the job's logs and events join the request's.
  const body = { ...(payload as object), _correlationId: correlationId() };
  await em.execute(
    `select graphile_worker.add_job(
       ?::text, ?::json,
       queue_name => ?::text, run_at => ?::timestamptz, max_attempts => ?::int,
       job_key => ?::text, priority => ?::int, job_key_mode => ?::text)`,
    [
      task,
      JSON.stringify(body),
      opts.queueName ?? null,
      opts.runAt ? opts.runAt.toISOString() : null,
      opts.maxAttempts ?? 25,
      opts.jobKey ?? null,
      opts.priority ?? 0,
      opts.jobKeyMode ?? 'replace',
    ],
  );
  // add_job wakes the workers only when it inserts: a keyed job that replaced a queued one (a
  // scheduled sync asked to run now) would wait for the next poll. Due now: nudge them (at commit).
  if (opts.jobKey && (!opts.runAt || opts.runAt.getTime() <= Date.now())) {
    await em.execute(`select pg_notify('jobs:insert', '{"count":1}')`);
  }
}
