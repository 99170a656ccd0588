/**
 * The job workers survive a PostgreSQL restart in the middle of a job: graphile-worker cannot
 * record the job's completion and stops its pool, and Patchbay's supervisor starts a new one once
 * the database is back, releasing the dead runner's locks so the interrupted job runs again within
 * seconds (at least once), and new jobs — a test task, event dispatch — run without restarting
 * Patchbay. Own cluster, so
 * stopping it does not disturb other test files.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ensureDatabaseExists } from '../../src/db/database.ts';
import { freePort, startEmbeddedPostgres, type EmbeddedDb } from '../../src/db/embedded.ts';
import { defineTask } from '../../src/jobs/define-task.ts';
import { enqueue } from '../../src/jobs/enqueue.ts';
import type { TaskName } from '../../src/jobs/task-list.ts';
import { systemActor } from '../../src/connections/actor.ts';
import { insertConnection } from '../../src/connections/lifecycle.ts';
import { markErrored } from '../../src/connections/system-transitions.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { defaultWorkspace } from '../commands/support.ts';
import { fetchWithTimeout, sql, waitFor } from './support.ts';

let dir: string;
let port: number;
let cluster: EmbeddedDb | undefined;
let app: TestApp | undefined;
let gate = Promise.withResolvers<void>();
const attempts: Array<{ label: string; attempt: number }> = [];

/** Holds its first attempt until the test opens the gate (a chat post waiting on a slow API, say). */
const hold = defineTask({
  identifier: 'test_hold',
  payload: z.object({ label: z.string() }),
  async run(p, { helpers }) {
    attempts.push({ label: p.label, attempt: helpers.job.attempts });
    if (helpers.job.attempts === 1) await gate.promise;
  },
});

const startCluster = async () => (cluster = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), port, fast: true }));

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'patchbay-heal-'));
  chmodSync(dir, 0o755);
  port = await freePort();
  const c = await startCluster();
  await ensureDatabaseExists(c.url, 'patchbay');
  app = await startTestApp({ dbUrl: c.url.replace(/\/postgres$/, '/patchbay'), workers: true, worker: { extraTasks: [hold] } });
}, 120_000);

afterAll(async () => {
  gate.resolve();
  await app?.close().catch(() => {});
  await cluster?.stop().catch(() => {});
  rmSync(dir, { recursive: true, force: true });
});

const readyz = async () => {
  const res = await fetchWithTimeout(`${app!.url}/readyz`, {}, 15_000);
  return { status: res.status, body: (await res.json()) as { checks: Record<string, string> } };
};

describe('workers that heal', () => {
  it('restarts the job runner after a database restart during a job; the job runs again within a minute and new jobs run', async () => {
    const HOLD = 'test_hold' as TaskName;
    await app!.pb.rt.em().transactional((tx) => enqueue(tx, HOLD, { label: 'held' }));
    await waitFor('the held job to start', () => attempts.some((a) => a.label === 'held'));

    await cluster!.stop();
    gate.resolve(); // the job finishes while the database is down: its completion cannot be recorded
    await waitFor('the runner to stop', () => !app!.pb.rt.state.workersRunning, { timeoutMs: 30_000 });
    expect((await readyz()).status).toBe(503);

    const restartedAt = Date.now();
    await startCluster();
    const back = await waitFor('/readyz 200 with running workers', async () => {
      const r = await readyz();
      return r.status === 200 && r;
    }, { timeoutMs: 60_000, intervalMs: 250 });
    expect(back.body.checks).toMatchObject({ database: 'ok', workers: 'running' });

    // The interrupted job runs again (its lock released at once, not after the 10-minute lease).
    await waitFor('the interrupted job to run again', () => attempts.filter((a) => a.label === 'held').length >= 2, { timeoutMs: 60_000 });
    expect(Date.now() - restartedAt).toBeLessThan(60_000);
    await waitFor('the job to be completed', async () => (await sql(app!.dbUrl, `select 1 from graphile_worker.jobs where task_identifier = 'test_hold'`)).length === 0);

    // New work runs on the new runner.
    await app!.pb.rt.em().transactional((tx) => enqueue(tx, HOLD, { label: 'after' }));
    await waitFor('a new job to run', () => attempts.some((a) => a.label === 'after'));

    // Domain events are dispatched again: a connection errored now reaches the alert pipeline.
    const { ws, owner } = await defaultWorkspace(app!);
    const conn = await insertConnection(app!.pb.rt, { workspaceId: ws.id, member: owner }, {
      providerSlug: 'linear',
      displayName: 'Linear after restart',
      authKind: 'api_key',
      credentials: { type: 'api_key', fields: { apiKey: 'lin_api_restart000000000000' } },
      metadata: {},
    });
    await markErrored(app!.pb.rt, systemActor(ws.id, 'test'), conn.id, 'Authentication failed');
    await waitFor('the event dispatch to reach the alert pipeline', async () => {
      const rows = await sql(app!.dbUrl, `select 1 from event_deliveries d join domain_events e on e.txid = d.txid where e.entity_id = $1 and e.type = 'connection_errored' and d.subscriber = 'alerts'`, [conn.id]);
      return rows.length > 0;
    }, { timeoutMs: 30_000 });

    const metrics = await (await app!.fetch('/metrics', { token: null })).text();
    expect(metrics).toMatch(/^patchbay_worker_restarts_total 1$/m);
    expect(app!.logs.some((l) => l.includes('job workers restarted'))).toBe(true);
  }, 180_000);
});
