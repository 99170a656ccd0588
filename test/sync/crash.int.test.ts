/**
 * A worker process killed with SIGKILL in the middle of a sync: between pull pages, and between
 * the provider's create and the link's commit. Another worker picks the run up once the job's
 * lease has expired; the result equals an uninterrupted run — no duplicate records or links here,
 * no duplicate record at the provider. Uses the real Sandbox (served by the test app) and real
 * worker processes (`src/main/worker.ts`, as `npm run worker` starts it).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount } from '../../src/sandbox/store.ts';
import { createWorkspace } from '../../src/workspaces/workspaces.ts';
import { seedSandbox } from '../../src/sandbox/seed.ts';
import { startTestApp, TEST_ENCRYPTION_KEY, type TestApp } from '../helpers/app.ts';
import { sql } from '../helpers/sql.ts';
import { runEntryPoint, waitFor, type Proc } from '../skeleton/support.ts';

let app: TestApp;
let token: string;
const procs: Proc[] = [];

beforeAll(async () => {
  app = await startTestApp({ env: { SANDBOX_ENABLED: 'true' } });
}, 60_000);
afterAll(async () => {
  for (const p of procs) await p.kill();
  await app?.close();
});

/** A worker process on the test database, calling the Sandbox at `sandboxUrl`. */
function startWorker(sandboxUrl: string): Proc {
  const p = runEntryPoint('src/main/worker.ts', {
    DATABASE_URL: app.dbUrl,
    ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    SANDBOX_ENABLED: 'true',
    SANDBOX_URL: sandboxUrl,
    SYNC_PAGE_SIZE: '25',
    SYNC_STEPS_PER_JOB: '2',
    SYNC_PUSH_BATCH: '10',
    JOB_LEASE_MINUTES: '1',
    WORKER_CONCURRENCY: '2',
  });
  procs.push(p);
  return p;
}

/** What a lease expiry looks like after the dead worker's lock has aged past JOB_LEASE_MINUTES. */
async function ageLocks() {
  await sql(app.dbUrl, `update graphile_worker._private_jobs set locked_at = now() - interval '5 minutes' where locked_at is not null`);
  await sql(app.dbUrl, `update graphile_worker._private_job_queues set locked_at = now() - interval '5 minutes' where locked_at is not null`);
}

/** Each test in a workspace of its own: an `out` rule pushes every task of its workspace. */
async function sandboxConnection(name: string) {
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  const ws = await createWorkspace(app.pb.rt.em(), { name, slug, ownerName: 'Ada', ownerEmail: `ada@${slug}.example` });
  token = ws.token;
  const { account, key } = await createAccount(app.pb.rt.db.pool, name);
  const conn = await app.json('/api/v1/connections', { method: 'POST', token, json: { provider: 'sandbox', displayName: name, credentials: { apiKey: key } } });
  expect(conn.connection?.status, JSON.stringify(conn)).toBe('connected');
  return { accountId: account.id, key, connectionId: conn.connection.id as string };
}

async function addRule(connectionId: string, direction: 'in' | 'out') {
  const res = await app.fetch(`/api/v1/connections/${connectionId}/rules`, { method: 'POST', token, json: { localObject: 'tasks', remoteObject: 'tasks', direction, enabled: false } });
  const body = (await res.json()) as any;
  expect(res.status, JSON.stringify(body)).toBe(201);
  return (body.rule ?? body).id as string;
}

async function startRun(connectionId: string, ruleId: string): Promise<string> {
  // The rule is disabled (no schedule of its own): run it the way `sync` in chat does.
  await sql(app.dbUrl, 'update sync_rules set enabled = true where id = $1', [ruleId]);
  const res = await app.fetch(`/api/v1/connections/${connectionId}/rules/${ruleId}/run`, { method: 'POST', token });
  const body = (await res.json()) as any;
  expect(res.status, JSON.stringify(body)).toBe(202);
  await sql(app.dbUrl, 'update sync_rules set enabled = false where id = $1', [ruleId]);
  return body.run.id;
}

const runRow = async (id: string) => (await sql<{ status: string; pages: number; pulled: number; pushed: number; linked: number }>(app.dbUrl, 'select * from sync_runs where id = $1', [id]))[0]!;

describe('a worker killed mid-sync', () => {
  it('between pull pages: the next worker resumes at the last committed page, with no duplicate records or links', async () => {
    const { accountId, connectionId } = await sandboxConnection('Crash pull');
    await seedSandbox(app.pb.rt.db.pool, { accountId, count: 600, kind: 'tasks' });
    const ruleId = await addRule(connectionId, 'in');
    const first = startWorker(`${app.url}/sandbox/api`);
    await first.waitForStdout(/Patchbay worker is running/, 30_000);
    const runId = await startRun(connectionId, ruleId);
    await waitFor('a few pages committed', async () => (await runRow(runId)).pages >= 3, { timeoutMs: 30_000, intervalMs: 10 });
    first.child.kill('SIGKILL');
    await first.exited;
    const atKill = await runRow(runId);
    expect(atKill.status).toBe('running');
    expect(atKill.pulled).toBeLessThan(600);

    await ageLocks();
    const second = startWorker(`${app.url}/sandbox/api`);
    const done = await waitFor('the run to finish', async () => {
      const r = await runRow(runId);
      return r.status === 'succeeded' || r.status === 'failed' ? r : null;
    }, { timeoutMs: 60_000 });
    await second.kill();
    expect(done.status).toBe('succeeded');

    // Equal to an uninterrupted run: every remote task once here, linked once.
    const [counts] = await sql<{ tasks: number; links: number; remotes: number; locals: number }>(
      app.dbUrl,
      `select (select count(*)::int from tasks t join sync_links l on l.local_id = t.id where l.rule_id = $1) as tasks,
              (select count(*)::int from sync_links where rule_id = $1) as links,
              (select count(distinct remote_id)::int from sync_links where rule_id = $1) as remotes,
              (select count(distinct local_id)::int from sync_links where rule_id = $1) as locals`,
      [ruleId],
    );
    const [remote] = await sql<{ n: number }>(app.dbUrl, `select count(*)::int as n from sandbox.tasks where account_id = $1`, [accountId]);
    expect(remote!.n).toBe(600);
    expect(counts).toEqual({ tasks: 600, links: 600, remotes: 600, locals: 600 });
    const [orphans] = await sql<{ n: number }>(app.dbUrl, `select count(*)::int as n from tasks t where t.workspace_id = (select workspace_id from connections where id = $1) and not exists (select 1 from sync_links l where l.local_id = t.id)`, [connectionId]);
    expect(orphans!.n).toBe(0);
  }, 120_000);

  it("between the provider's create and the link's commit: the next worker links the record the create made instead of creating it again", async () => {
    const { accountId, connectionId } = await sandboxConnection('Crash push');
    const ruleId = await addRule(connectionId, 'out');
    for (let i = 1; i <= 12; i++) await app.json('/api/v1/tasks', { method: 'POST', token, json: { title: `Push crash ${String(i).padStart(2, '0')}` } });

    // Between the worker and the Sandbox: the 5th create reaches the Sandbox, its answer never comes back.
    let creates = 0;
    let createdUpstream = false;
    const proxy: Server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !['host', 'connection', 'content-length'].includes(k))) as Record<string, string>;
      const upstream = await fetch(`${app.url}${req.url}`, { method: req.method, headers, body: chunks.length ? Buffer.concat(chunks) : undefined });
      const text = await upstream.text();
      if (req.method === 'POST' && req.url?.endsWith('/tasks') && ++creates === 5) {
        createdUpstream = true;
        return; // hold the response: the worker is killed while waiting for it
      }
      res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
      res.end(text);
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/sandbox/api`;
    try {
      const first = startWorker(proxyUrl);
      await first.waitForStdout(/Patchbay worker is running/, 30_000);
      const runId = await startRun(connectionId, ruleId);
      await waitFor('the 5th create to reach the Sandbox', () => createdUpstream, { timeoutMs: 30_000, intervalMs: 10 });
      first.child.kill('SIGKILL');
      await first.exited;
      const pending = await sql(app.dbUrl, 'select 1 from sync_links where rule_id = $1 and remote_id is null', [ruleId]);
      expect(pending).toHaveLength(1);

      await ageLocks();
      const second = startWorker(`${app.url}/sandbox/api`);
      const done = await waitFor('the run to finish', async () => {
        const r = await runRow(runId);
        return r.status === 'succeeded' || r.status === 'failed' ? r : null;
      }, { timeoutMs: 60_000 }).catch(async (err) => {
        console.log(JSON.stringify(await runRow(runId)), JSON.stringify(await sql(app.dbUrl, 'select task_identifier, locked_at, run_at, attempts, last_error, key from graphile_worker.jobs')));
        console.log(second.stdout().slice(-4000), second.stderr().slice(-2000));
        throw err;
      });
      await second.kill();
      expect(done.status).toBe('succeeded');
    } finally {
      proxy.closeAllConnections();
      await new Promise<void>((r) => proxy.close(() => r()));
    }
    const remote = await sql<{ name: string }>(app.dbUrl, `select name from sandbox.tasks where account_id = $1 and deleted_at is null order by name`, [accountId]);
    expect(remote.map((r) => r.name)).toEqual(Array.from({ length: 12 }, (_, i) => `Push crash ${String(i + 1).padStart(2, '0')}`));
    const links = await sql<{ remote_id: string | null }>(app.dbUrl, 'select remote_id from sync_links where rule_id = $1', [ruleId]);
    expect(links.filter((l) => l.remote_id).length).toBe(12);
  }, 120_000);
});
