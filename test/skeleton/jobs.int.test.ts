/**
 * Jobs on the real graphile-worker, through the same runner `npm start` uses: transactional
 * enqueue, drain on shutdown, the lease that frees a dead worker's jobs, payload validation
 * and metrics. Test tasks write to a side-effect table in the test database.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { runWithContext } from '../../src/context.ts';
import { defineTask } from '../../src/jobs/define-task.ts';
import { enqueue } from '../../src/jobs/enqueue.ts';
import type { TaskName } from '../../src/jobs/task-list.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { createTestDatabase } from '../helpers/db.ts';
import { sql, waitFor } from './support.ts';

/** Test task names are not in the app's task list type; they are registered through `extraTasks`. */
const MARK = 'test_mark' as TaskName;
const SLOW = 'test_slow' as TaskName;

const SIDE_EFFECTS = `
  create table if not exists test_job_effects (id serial primary key, label text not null, note text, at timestamptz not null default clock_timestamp());
  create table if not exists test_job_rows (id text primary key)`;

let slowStarted: PromiseWithResolvers<void> = Promise.withResolvers();

const mark = defineTask({
  identifier: 'test_mark',
  payload: z.object({ label: z.string(), requireRow: z.string().optional() }),
  async run(p, { rt, logger }) {
    let note = 'ran';
    if (p.requireRow) {
      // Written in the same transaction that queued this job: it must be visible.
      const r = await rt.db.pool.query('select 1 from test_job_rows where id = $1', [p.requireRow]);
      note = r.rowCount ? 'saw its row' : 'row missing';
    }
    logger.info({ label: p.label }, 'test_mark ran');
    await rt.db.pool.query('insert into test_job_effects (label, note) values ($1, $2)', [p.label, note]);
  },
});

const slow = defineTask({
  identifier: 'test_slow',
  payload: z.object({ label: z.string(), ms: z.number().int() }),
  async run(p, { rt }) {
    slowStarted.resolve();
    await new Promise((r) => setTimeout(r, p.ms));
    await rt.db.pool.query('insert into test_job_effects (label, note) values ($1, $2)', [p.label, 'finished']);
  },
});

const extraTasks = [mark, slow];

async function effects(url: string, label: string) {
  return await sql<{ label: string; note: string; at: Date }>(url, 'select label, note, at from test_job_effects where label = $1', [label]);
}

async function jobsFor(url: string, task: string, label: string) {
  return await sql<{ id: string; attempts: number; locked_by: string | null; last_error: string | null }>(
    url,
    // The public jobs view hides payloads; look them up in graphile-worker's own table.
    `select j.id, j.attempts, j.locked_by, j.last_error
       from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
      where t.identifier = $1 and j.payload->>'label' = $2`,
    [task, label],
  );
}

describe('jobs', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ workers: true, worker: { extraTasks } });
    await sql(app.dbUrl, SIDE_EFFECTS);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('runs a job queued inside a transaction after the commit, seeing what the transaction wrote', async () => {
    const label = `committed-${randomUUID()}`;
    const rowId = randomUUID();
    let committedAt = 0;
    await app.pb.rt.em().transactional(async (tx) => {
      await tx.execute('insert into test_job_rows (id) values (?)', [rowId]);
      await enqueue(tx, MARK, { label, requireRow: rowId });
      // Long enough for a job queued outside the transaction to have run already (pickup takes milliseconds).
      await new Promise((r) => setTimeout(r, 300));
      expect(await effects(app.dbUrl, label)).toEqual([]);
      expect(await jobsFor(app.dbUrl, 'test_mark', label)).toEqual([]); // not visible to anyone before COMMIT
    });
    committedAt = Date.now();
    const [effect] = await waitFor('the committed job to run', async () => (await effects(app.dbUrl, label)).length && effects(app.dbUrl, label));
    expect(effect!.note).toBe('saw its row');
    expect(effect!.at.getTime()).toBeGreaterThanOrEqual(committedAt - 1_000);
    await waitFor('the job to be completed and removed', async () => (await jobsFor(app.dbUrl, 'test_mark', label)).length === 0);
  });

  it('never runs a job queued in a transaction that rolled back', async () => {
    const rolledBack = `rolled-back-${randomUUID()}`;
    const after = `after-${randomUUID()}`;
    await expect(
      app.pb.rt.em().transactional(async (tx) => {
        await enqueue(tx, MARK, { label: rolledBack });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    // A job queued afterwards runs: the worker is alive and has had its chance at the first one.
    await app.pb.rt.em().transactional(async (tx) => enqueue(tx, MARK, { label: after }));
    await waitFor('the later job to run', async () => (await effects(app.dbUrl, after)).length > 0);
    expect(await jobsFor(app.dbUrl, 'test_mark', rolledBack)).toEqual([]);
    expect(await effects(app.dbUrl, rolledBack)).toEqual([]);
  });

  it('carries the correlation id of the request that queued a job into the job’s log lines', async () => {
    const label = `correlated-${randomUUID()}`;
    await runWithContext({ correlationId: 'support-case-job-0042' }, () =>
      app.pb.rt.em().transactional(async (tx) => enqueue(tx, MARK, { label })),
    );
    const line = await waitFor('the job’s log line', () => app.logs.find((l) => l.includes(label) && l.includes('test_mark ran')));
    expect(JSON.parse(line)).toMatchObject({ correlationId: 'support-case-job-0042', task: 'test_mark', label });
  });

  it('drops a job whose payload fails its schema, logs it, and does not retry it', async () => {
    const before = app.logs.length;
    await app.pb.rt.em().transactional(async (tx) => enqueue(tx, MARK, { label: 42 as unknown as string, marker: 'bad-payload' }));
    const line = await waitFor('the rejection to be logged', () =>
      app.logs.slice(before).find((l) => l.includes('job payload is invalid; dropped') && l.includes('"task":"test_mark"')),
    );
    const entry = JSON.parse(line) as { level: string; jobId: string; issues: Array<{ path: string[] }> };
    expect(entry.level).toBe('error');
    expect(entry.issues).toEqual([expect.objectContaining({ path: ['label'] })]);
    // Finished, not left for a retry with backoff.
    await waitFor('the job to be removed', async () => (await sql(app.dbUrl, 'select 1 from graphile_worker.jobs where id = $1', [entry.jobId])).length === 0);
    expect(app.logs.filter((l) => l.includes('job payload is invalid') && l.includes(`"jobId":"${entry.jobId}"`))).toHaveLength(1);
    const metrics = await (await app.fetch('/metrics', { token: null })).text();
    expect(metrics).toMatch(/patchbay_jobs_total\{(?=[^}]*task="test_mark")(?=[^}]*outcome="failed")[^}]*\} 1\b/);
  });

  it('counts jobs by task and outcome at /metrics', async () => {
    const label = `metric-${randomUUID()}`;
    await app.pb.rt.em().transactional(async (tx) => enqueue(tx, MARK, { label }));
    await waitFor('the job to run', async () => (await effects(app.dbUrl, label)).length > 0);
    const res = await app.fetch('/metrics', { token: null });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const m = (await res.text()).match(/patchbay_jobs_total\{(?=[^}]*task="test_mark")(?=[^}]*outcome="success")[^}]*\} (\d+)/);
    expect(m, 'patchbay_jobs_total for test_mark/success').not.toBeNull();
    expect(Number(m![1])).toBeGreaterThanOrEqual(1);
  });
});

describe('graceful shutdown (what SIGTERM calls)', () => {
  it('lets a running job finish and record its result before stop() resolves', async () => {
    const app = await startTestApp({ workers: true, worker: { extraTasks } });
    try {
      await sql(app.dbUrl, SIDE_EFFECTS);
      slowStarted = Promise.withResolvers();
      const label = `slow-${randomUUID()}`;
      await app.pb.rt.em().transactional(async (tx) => enqueue(tx, SLOW, { label, ms: 1_500 }));
      await Promise.race([
        slowStarted.promise,
        new Promise((_, reject) => setTimeout(() => reject(new Error('the slow job did not start')), 20_000)),
      ]);
      const stopCalled = Date.now();
      await app.pb.stop();
      const stopTook = Date.now() - stopCalled;

      expect(stopTook).toBeGreaterThanOrEqual(1_000); // it waited for the job…
      const [effect] = await effects(app.dbUrl, label);
      expect(effect?.note).toBe('finished'); // …which finished
      expect(await jobsFor(app.dbUrl, 'test_slow', label)).toEqual([]); // …and was marked complete, not left locked
      expect(app.logs.some((l) => l.includes('"msg":"shut down cleanly"'))).toBe(true);
    } finally {
      await app.close();
    }
  });
});

describe('job lease', () => {
  it('unlocks a job held by a worker that died 20 minutes ago and runs it; a recent lock is left alone', async () => {
    const db = await createTestDatabase();
    let app: TestApp | undefined;
    try {
      await sql(db.url, SIDE_EFFECTS);
      const add = async (label: string, lockedMinutesAgo: number, lockedBy: string) => {
        const [job] = await sql<{ id: string }>(db.url, `select (graphile_worker.add_job('test_mark', json_build_object('label', $1::text))).id`, [label]);
        await sql(db.url, `update graphile_worker._private_jobs set locked_at = now() - make_interval(mins => $2), locked_by = $3 where id = $1`, [
          job!.id,
          lockedMinutesAgo,
          lockedBy,
        ]);
        return job!.id;
      };
      await add('orphaned', 20, 'worker-that-died');
      const heldId = await add('held', 2, 'worker-still-running');

      app = await startTestApp({ dbUrl: db.url, workers: true, worker: { extraTasks } });

      await waitFor('the orphaned job to run', async () => (await effects(db.url, 'orphaned')).length > 0);
      expect(app.logs.some((l) => l.includes('unlocked jobs of a worker that stopped') && l.includes('"jobs":1'))).toBe(true);
      // Within its lease, the other job still belongs to its worker.
      const [held] = await sql<{ locked_by: string | null }>(db.url, 'select locked_by from graphile_worker.jobs where id = $1', [heldId]);
      expect(held?.locked_by).toBe('worker-still-running');
      expect(await effects(db.url, 'held')).toEqual([]);
    } finally {
      await app?.close();
      await db.drop();
    }
  });
});
