/** When runs happen: lapsed schedules restarted, abandoned runs settled, concurrent requests coalesced. */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { tasks } from '../../src/jobs/task-list.ts';
import { requestRun } from '../../src/sync/schedule.ts';
import { sql } from '../helpers/sql.ts';
import { addRule, newConnection, startFeedEnv, type FeedEnv } from './support.ts';

vi.mock('../../src/providers/registry.ts', async (orig) => (await import('../fakes/registry.ts')).withTestProviders(await orig()));

let e: FeedEnv;
beforeAll(async () => {
  // No workers: the test looks at what is queued, not at runs.
  e = await startFeedEnv({}, { workers: false });
}, 60_000);
afterAll(async () => e?.close());

const jobOf = async (ruleId: string) =>
  (await sql<{ queue_name: string | null; run_at: Date }>(e.app.dbUrl, `select queue_name, run_at from graphile_worker.jobs where key = $1`, [`sync_run:${ruleId}`]))[0];
const runSchedule = () => tasks.sync_schedule.run({}, { rt: e.app.pb.rt, em: e.app.pb.rt.em(), logger: e.app.pb.rt.logger } as never);

describe('scheduling', () => {
  it('the per-minute job queues enabled rules of connected connections whose schedule lapsed, and leaves paused connections alone', async () => {
    const live = await addRule(e);
    const pausedConn = await newConnection(e, 'Paused feed');
    const onPaused = await addRule(e, { connectionId: pausedConn });
    await sql(e.app.dbUrl, `update sync_rules set enabled = true, next_run_at = null where id = any($1::uuid[])`, [[live, onPaused]]);
    await e.app.fetch(`/api/v1/connections/${pausedConn}/pause`, { method: 'POST', json: {} });
    await runSchedule();
    const job = await jobOf(live);
    expect(job?.queue_name).toBe(`sync:${e.connectionId}`);
    expect(await jobOf(onPaused)).toBeUndefined();
    // Resumed: the next pass queues it.
    await e.app.fetch(`/api/v1/connections/${pausedConn}/resume`, { method: 'POST', json: {} });
    await runSchedule();
    expect((await jobOf(onPaused))?.queue_name).toBe(`sync:${pausedConn}`);
  });

  it('a run whose job chain is gone (its worker died, the job failed for good) no longer blocks the rule', async () => {
    const ruleId = await addRule(e);
    const { run: stuck } = await requestRun(e.app.pb.rt.em(), e.workspaceId, ruleId, { trigger: 'manual' });
    await sql(e.app.dbUrl, `update sync_runs set status = 'running' where id = $1`, [stuck.id]);
    // The job ran out of attempts: it keeps its key, with none left.
    await sql(e.app.dbUrl, `update graphile_worker._private_jobs set attempts = max_attempts where key = $1`, [`sync_run:${ruleId}`]);
    const again = await requestRun(e.app.pb.rt.em(), e.workspaceId, ruleId, { trigger: 'manual' });
    expect(again.alreadyRunning).toBe(false);
    expect(again.run.id).not.toBe(stuck.id);
    const [old] = await sql<{ status: string; error_message: string }>(e.app.dbUrl, 'select status, error_message from sync_runs where id = $1', [stuck.id]);
    expect(old).toMatchObject({ status: 'failed', error_message: expect.stringContaining('stopped without finishing') });
  });

  it('many requests at once start one run', async () => {
    const ruleId = await addRule(e);
    const results = await Promise.all(Array.from({ length: 20 }, () => requestRun(e.app.pb.rt.em(), e.workspaceId, ruleId, { trigger: 'manual' })));
    expect(new Set(results.map((r) => r.run.id)).size).toBe(1);
    expect(results.filter((r) => !r.alreadyRunning)).toHaveLength(1);
    const runs = await sql(e.app.dbUrl, 'select 1 from sync_runs where rule_id = $1', [ruleId]);
    expect(runs).toHaveLength(1);
  });
});
