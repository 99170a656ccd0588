/**
 * How a failed job is retried, decided once in the runner: transient errors retry with backoff,
 * a programming error fails the job after a few attempts with its stack in the log, and a
 * final AppError (not found, bad input) is not retried at all.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError, UNEXPECTED_ERROR_ATTEMPTS } from '../../src/errors.ts';
import { defineTask } from '../../src/jobs/define-task.ts';
import { enqueue } from '../../src/jobs/enqueue.ts';
import type { TaskName } from '../../src/jobs/task-list.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { sql, waitFor } from './support.ts';

const FAIL = 'test_fail' as TaskName;

const fail = defineTask({
  identifier: 'test_fail',
  payload: z.object({ label: z.string(), kind: z.enum(['bug', 'transient', 'final']) }),
  async run(p) {
    if (p.kind === 'bug') {
      const missing = undefined as unknown as { id: string };
      void missing.id; // TypeError: a programming error
    }
    if (p.kind === 'transient') throw new AppError('provider_error', 'The provider answered 503.');
    throw new AppError('not_found', 'Connection was not found.');
  },
});

type JobRow = { id: string; attempts: number; max_attempts: number; last_error: string | null };

async function job(url: string, label: string): Promise<JobRow | undefined> {
  const rows = await sql<JobRow>(
    url,
    `select j.id, j.attempts, j.max_attempts, j.last_error
       from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
      where t.identifier = 'test_fail' and j.payload->>'label' = $1`,
    [label],
  );
  return rows[0];
}

/** Skips graphile-worker's exponential backoff so the next attempt runs now. */
async function runNow(url: string, id: string) {
  await sql(url, 'update graphile_worker._private_jobs set run_at = now() where id = $1 and locked_at is null', [id]);
}

async function attemptsReach(app: TestApp, label: string, n: number): Promise<JobRow> {
  return await waitFor(`attempt ${n} of ${label}`, async () => {
    const row = await job(app.dbUrl, label);
    if (row && row.attempts < n) await runNow(app.dbUrl, row.id);
    return row && row.attempts >= n ? row : undefined;
  }, { timeoutMs: 30_000 });
}

describe('job failures', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ workers: true, worker: { extraTasks: [fail] } });
  });
  afterAll(async () => {
    await app?.close();
  });

  it(`fails a job whose task throws a TypeError after ${UNEXPECTED_ERROR_ATTEMPTS} attempts, keeping it with its error and logging the stack`, async () => {
    const label = `bug-${randomUUID()}`;
    await app.pb.rt.em().transactional(async (tx) => enqueue(tx, FAIL, { label, kind: 'bug' }));
    const row = await attemptsReach(app, label, UNEXPECTED_ERROR_ATTEMPTS);
    // Permanently failed: attempts capped at what ran, kept (not deleted) with the error.
    const final = await waitFor('the job to be marked failed', async () => {
      const r = await job(app.dbUrl, label);
      return r && r.max_attempts === r.attempts && r.last_error ? r : undefined;
    });
    expect(final).toMatchObject({ attempts: UNEXPECTED_ERROR_ATTEMPTS, max_attempts: UNEXPECTED_ERROR_ATTEMPTS });
    expect(final.last_error).toMatch(/Cannot read properties of undefined/);
    // No further attempt, however long we wait for one.
    await runNow(app.dbUrl, row.id);
    await new Promise((r) => setTimeout(r, 2_500));
    expect((await job(app.dbUrl, label))!.attempts).toBe(UNEXPECTED_ERROR_ATTEMPTS);
    const line = app.logs.find((l) => l.includes('job failed permanently: unexpected error') && l.includes(`"jobId":"${row.id}"`));
    expect(line).toBeDefined();
    const entry = JSON.parse(line!) as { level: string; stack: string };
    expect(entry.level).toBe('error');
    expect(entry.stack).toMatch(/TypeError[\s\S]*job-failures\.int\.test\.ts/);
  });

  it('keeps retrying a transient error past that limit, with backoff', async () => {
    const label = `transient-${randomUUID()}`;
    await app.pb.rt.em().transactional(async (tx) => enqueue(tx, FAIL, { label, kind: 'transient' }));
    const row = await attemptsReach(app, label, UNEXPECTED_ERROR_ATTEMPTS + 1);
    expect(row.max_attempts).toBe(25);
    expect(row.last_error).toMatch(/503/);
  });

  it('does not retry a final error: the job completes after one attempt and the error is logged', async () => {
    const label = `final-${randomUUID()}`;
    const before = app.logs.length;
    await app.pb.rt.em().transactional(async (tx) => enqueue(tx, FAIL, { label, kind: 'final' }));
    await waitFor('the failure to be logged', () => app.logs.slice(before).find((l) => l.includes('job failed permanently') && l.includes('not_found')));
    await waitFor('the job to be removed', async () => (await job(app.dbUrl, label)) === undefined);
  });
});
