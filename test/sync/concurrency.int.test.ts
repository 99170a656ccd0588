/**
 * A run never overlaps itself, even when a step outlives its job lease and graphile-worker hands
 * the job to another worker; and the push's change-log read never skips a change committed by a
 * transaction that was still open when it read.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { requestRun } from '../../src/sync/schedule.ts';
import { sql } from '../helpers/sql.ts';
import { addRule, linksOf, runRule, startFeedEnv, tasksOf, waitForRun, type FeedEnv } from './support.ts';

vi.mock('../../src/providers/registry.ts', async (orig) => (await import('../fakes/registry.ts')).withTestProviders(await orig()));

let e: FeedEnv;
beforeAll(async () => {
  // Two pages per job, so a 14-page pull is a chain of seven jobs.
  e = await startFeedEnv({ SYNC_PAGE_SIZE: '3', SYNC_STEPS_PER_JOB: '2', WORKER_CONCURRENCY: '4' });
}, 60_000);
afterAll(async () => e?.close());

describe('one run at a time', () => {
  it('a long pull is a chain of short jobs, and a step whose lease expired is never run twice at once', async () => {
    for (let i = 0; i < 40; i++) e.feed.add({ title: `Long pull ${String(i).padStart(2, '0')}` });
    const ruleId = await addRule(e, { direction: 'in' });
    e.feed.pageDelayMs = 150;
    const { run } = await requestRun(e.app.pb.rt.em(), e.workspaceId, ruleId, { trigger: 'manual' });
    // For a while, steps' leases "expire" again and again: every lock graphile-worker holds is dropped.
    const deadline = Date.now() + 4_000;
    let unlocked = 0;
    for (;;) {
      const [row] = await sql<{ status: string }>(e.app.dbUrl, 'select status from sync_runs where id = $1', [run.id]);
      if (row!.status === 'succeeded' || row!.status === 'failed' || Date.now() > deadline) break;
      const r = await sql(e.app.dbUrl, `update graphile_worker._private_jobs set locked_at = null, locked_by = null where locked_at is not null and task_id = (select id from graphile_worker._private_tasks where identifier = 'sync_run') returning id`);
      await sql(e.app.dbUrl, `update graphile_worker._private_job_queues set locked_at = null, locked_by = null where queue_name like 'sync:%'`);
      unlocked += r.length;
      await sleep(100);
    }
    e.feed.pageDelayMs = 0;
    const done = await waitForRun(e, run.id, 60_000);
    expect(unlocked).toBeGreaterThan(0);
    expect(done).toMatchObject({ status: 'succeeded', pulled: 40, linked: 40 });
    expect(done.jobs).toBeGreaterThanOrEqual(7);
    expect(e.feed.maxConcurrentPages).toBe(1);
    const links = await linksOf(e, ruleId);
    expect(links).toHaveLength(40);
    expect(new Set(links.map((l) => l.local_id)).size).toBe(40);
    const titles = (await tasksOf(e)).map((t) => t.title).filter((t) => t.startsWith('Long pull'));
    expect(titles).toHaveLength(40);
  }, 90_000);
});

describe('the push reads changes commit-safely', () => {
  it('a change committed by a transaction that was open during the push read is pushed by the next run', async () => {
    const ruleId = await addRule(e, { direction: 'out' });
    const created = await e.app.json('/api/v1/tasks', { method: 'POST', json: { title: 'Slow writer target' } });
    expect(await runRule(e, ruleId)).toMatchObject({ status: 'succeeded' });
    const remoteId = (await linksOf(e, ruleId)).find((l) => l.local_id === created.id)!.remote_id!;

    // A transaction starts and writes, but does not commit yet.
    const slow = new pg.Client({ connectionString: e.app.dbUrl });
    await slow.connect();
    try {
      await slow.query('begin');
      await slow.query(`update tasks set title = 'Written by a slow transaction', updated_at = now() where id = $1`, [created.id]);
      // Meanwhile a quick change commits, and a run reads the change log.
      const quick = await e.app.json('/api/v1/tasks', { method: 'POST', json: { title: 'Quick writer' } });
      const during = await runRule(e, ruleId);
      expect(during.status).toBe('succeeded');
      // Nothing at or above the open transaction was consumed: the quick change waits too.
      expect(e.feed.items.get(remoteId)!.title).toBe('Slow writer target');
      await slow.query('commit');
      const after = await runRule(e, ruleId);
      expect(after).toMatchObject({ status: 'succeeded', pushed: 2 });
      expect(e.feed.items.get(remoteId)!.title).toBe('Written by a slow transaction');
      expect([...e.feed.items.values()].map((i) => i.title)).toContain(quick.title);
    } finally {
      await slow.end();
    }
  });
});
