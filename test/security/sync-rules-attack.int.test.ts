/**
 * The sync rules API from outside: a Member may not create, change, delete or run rules (403),
 * another workspace's token sees none of this workspace's rules or runs (404, the same answer as
 * an id that does not exist), and a run asked for 100 times at once queues one run.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Connection } from '../../src/entities/connection.ts';
import { Workspace } from '../../src/entities/workspace.ts';
import { requestRun } from '../../src/sync/schedule.ts';
import { json, startTestApp, type TestApp } from '../helpers/app.ts';
import { memberWithToken } from '../helpers/members.ts';
import { sql } from '../helpers/sql.ts';
import { otherWorkspace } from '../work-data/support.ts';

vi.mock('../../src/providers/asana/index.ts', async (importOriginal) => {
  const { asana } = await importOriginal<typeof import('../../src/providers/asana/index.ts')>();
  const { tasksAdapter, withAdapters } = await import('../fakes/sync-adapters.ts');
  return { asana: withAdapters(asana, [tasksAdapter]) };
});

let app: TestApp;
let workspaceId = '';
let connId = '';
let ruleId = '';
let runId = '';

const taskRule = { remoteObject: 'tasks', scope: { project: '1207894561234567' }, intervalSeconds: 60 };
const rules = (c = connId) => `/api/v1/connections/${c}/rules`;

async function newConnection(name: string): Promise<string> {
  const em = app.pb.rt.em();
  const c = em.create(Connection, { workspace: workspaceId, providerSlug: 'asana', displayName: name, authKind: 'oauth2', credentials: app.pb.rt.vault.encrypt({ type: 'oauth2', accessToken: 'x', scopes: [] }) });
  await em.flush();
  return c.id;
}

async function newRule(c: string): Promise<string> {
  const res = await app.fetch(rules(c), { method: 'POST', json: taskRule });
  expect(res.status).toBe(201);
  return (await json(res)).rule.id as string;
}

beforeAll(async () => {
  // A pool wide enough for requests to really run side by side (the default 4 hides races).
  app = await startTestApp({ env: { DATABASE_POOL_SIZE: '20' } });
  workspaceId = (await app.pb.rt.em().findOneOrFail(Workspace, { slug: 'default' })).id;
  connId = await newConnection('Asana (attacked)');
  ruleId = await newRule(connId);
  const run = await app.fetch(`${rules()}/${ruleId}/run`, { method: 'POST' });
  runId = (await json(run)).run.id;
});
afterAll(async () => {
  await app?.close();
});

describe('sync rules: authorization and tenant isolation', () => {
  it('refuses a Member every rule operation (403), while Members may read runs', async () => {
    const { token } = await memberWithToken(app, 'member');
    const calls: Array<[string, string, unknown?]> = [
      ['GET', rules()],
      ['POST', rules(), taskRule],
      ['GET', `${rules()}/suggest-mapping?object=tasks`],
      ['GET', `${rules()}/${ruleId}`],
      ['PATCH', `${rules()}/${ruleId}`, { enabled: false }],
      ['DELETE', `${rules()}/${ruleId}`],
      ['POST', `${rules()}/${ruleId}/run`],
    ];
    for (const [method, path, body] of calls) {
      const res = await app.fetch(path, { method, token, ...(body ? { json: body } : {}) });
      expect(res.status, `${method} ${path}`).toBe(403);
    }
    expect((await app.fetch(`/api/v1/connections/${connId}/sync-runs/${runId}`, { token })).status).toBe(200);
    expect(await sql(app.dbUrl, 'select enabled from sync_rules where id = $1', [ruleId])).toEqual([{ enabled: true }]);
  });

  it("answers 404 to another workspace's Owner for every rule and run of this one, and changes nothing", async () => {
    const other = await otherWorkspace(app, 'intruder');
    const calls: Array<[string, string, unknown?]> = [
      ['GET', rules()],
      ['POST', rules(), taskRule],
      ['GET', `${rules()}/suggest-mapping?object=tasks`],
      ['GET', `${rules()}/${ruleId}`],
      ['PATCH', `${rules()}/${ruleId}`, { enabled: false }],
      ['POST', `${rules()}/${ruleId}/run`],
      ['DELETE', `${rules()}/${ruleId}`],
      ['GET', `/api/v1/connections/${connId}/sync-runs`],
      ['GET', `/api/v1/connections/${connId}/sync-runs?rule_id=${ruleId}`],
      ['GET', `/api/v1/connections/${connId}/sync-runs/${runId}`],
    ];
    for (const [method, path, body] of calls) {
      const res = await app.fetch(path, { method, token: other.token, ...(body ? { json: body } : {}) });
      const text = await res.text();
      expect(res.status, `${method} ${path} ${text}`).toBe(404);
      expect(text).not.toContain('Asana (attacked)');
    }
    // Its own connection, with this workspace's rule and run ids: still 404.
    const em = app.pb.rt.em();
    const own = em.create(Connection, { workspace: other.workspaceId, providerSlug: 'asana', displayName: 'Theirs', authKind: 'oauth2', credentials: app.pb.rt.vault.encrypt({ type: 'oauth2', accessToken: 'y', scopes: [] }) });
    await em.flush();
    for (const path of [`${rules(own.id)}/${ruleId}`, `${rules(own.id)}/${ruleId}/run`, `/api/v1/connections/${own.id}/sync-runs/${runId}`]) {
      const res = await app.fetch(path, { method: path.endsWith('/run') ? 'POST' : 'GET', token: other.token });
      expect(res.status, path).toBe(404);
    }
    expect((await json(await app.fetch(`/api/v1/connections/${own.id}/sync-runs?rule_id=${ruleId}`, { token: other.token }))).data).toEqual([]);
    expect(await sql(app.dbUrl, 'select enabled from sync_rules where id = $1', [ruleId])).toEqual([{ enabled: true }]);
    expect(await sql(app.dbUrl, 'select 1 from sync_runs where rule_id = $1', [ruleId])).toHaveLength(1);
  });
});

describe('sync rules: resource abuse', () => {
  it('a run asked for 100 times at once queues one run and one job; every answer names it', async () => {
    const c = await newConnection('Asana (hammered)');
    const id = await newRule(c);
    // Its first scheduled run is queued at creation: start from no run at all.
    await sql(app.dbUrl, 'delete from sync_runs where rule_id = $1', [id]);
    const answers = await Promise.all(Array.from({ length: 100 }, () => app.fetch(`${rules(c)}/${id}/run`, { method: 'POST' }).then(async (r) => ({ status: r.status, body: await json(r) }))));
    expect(answers.filter((a) => a.status !== 202).map((a) => `${a.status} ${JSON.stringify(a.body)}`)).toEqual([]);
    const runs = await sql<{ id: string; status: string }>(app.dbUrl, 'select id, status from sync_runs where rule_id = $1', [id]);
    expect(runs).toHaveLength(1);
    expect(new Set(answers.map((a) => a.body.run.id))).toEqual(new Set([runs[0]!.id]));
    expect(answers.filter((a) => a.body.alreadyRunning === false)).toHaveLength(1);
    const jobs = await sql<{ payload: { runId: string } }>(app.dbUrl, 'select payload from graphile_worker._private_jobs where key = $1', [`sync_run:${id}`]);
    expect(jobs.map((j) => j.payload.runId)).toEqual([runs[0]!.id]);
  }, 30_000);

  it('requests for one rule at once (the API and chat `sync` both end in requestRun) make one run', async () => {
    const c = await newConnection('Asana (raced)');
    const id = await newRule(c);
    for (let round = 0; round < 3; round++) {
      await sql(app.dbUrl, 'delete from sync_runs where rule_id = $1', [id]);
      const results = await Promise.all(Array.from({ length: 20 }, () => requestRun(app.pb.rt.em(), workspaceId, id, { trigger: 'manual' })));
      expect(await sql(app.dbUrl, 'select 1 from sync_runs where rule_id = $1', [id])).toHaveLength(1);
      expect(results.filter((r) => !r.alreadyRunning)).toHaveLength(1);
    }
  }, 30_000);
});
