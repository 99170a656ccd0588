/**
 * The engine against the built-in Sandbox, through the API a user has: the rule's suggested
 * mapping with its transforms (HourStack title syntax, rich text, status), tombstones under each
 * delete policy, incremental pulls, pushes, and a field the provider dropped.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount } from '../../src/sandbox/store.ts';
import { createWorkspace } from '../../src/workspaces/workspaces.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { sql } from '../helpers/sql.ts';
import { sbx as sandboxCall } from '../sandbox/support.ts';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ workers: true, env: { SANDBOX_ENABLED: 'true', SYNC_PAGE_SIZE: '10' } });
}, 60_000);
afterAll(async () => app?.close());

type Env = { key: string; accountId: string; connectionId: string; ruleId: string; token: string; workspaceId: string };

/** A Sandbox API call with the account's key (the shared helper), failing the test on an error answer. */
async function sbx(key: string, path: string, method = 'GET', json?: unknown) {
  const res = await sandboxCall(app, key, path, { method, ...(json !== undefined ? { json } : {}) });
  return res.body;
}

/**
 * A workspace of its own (a new rule pushes every local task of its workspace), a Sandbox
 * account with `remote` records, a connection and a rule — whose first run starts at once, as a
 * new rule's does; it is awaited here so each test's own runs start from a synced pair.
 */
async function setup(name: string, rule: Record<string, unknown> = {}, remote: Array<Record<string, unknown>> = []): Promise<Env & { first: any }> {
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  const ws = await createWorkspace(app.pb.rt.em(), { name, slug, ownerName: 'Ada', ownerEmail: `ada@${slug}.example` });
  const token = ws.token;
  const { account, key } = await createAccount(app.pb.rt.db.pool, name);
  for (const r of remote) await sbx(key, '/tasks', 'POST', r);
  const conn = await app.json('/api/v1/connections', { method: 'POST', token, json: { provider: 'sandbox', displayName: name, credentials: { apiKey: key } } });
  const res = await app.fetch(`/api/v1/connections/${conn.connection.id}/rules`, { method: 'POST', token, json: { remoteObject: 'tasks', direction: 'both', ...rule } });
  const body = (await res.json()) as any;
  expect(res.status, JSON.stringify(body)).toBe(201);
  const e = { key, accountId: account.id, connectionId: conn.connection.id, ruleId: (body.rule ?? body).id, token, workspaceId: ws.workspace.id };
  for (let i = 0; i < 400; i++) {
    const runs = await app.json(`/api/v1/connections/${e.connectionId}/sync-runs`, { token });
    const first = runs.data?.[0];
    if (first && (first.status === 'succeeded' || first.status === 'failed')) return { ...e, first };
    await sleep(50);
  }
  throw new Error('the rule\'s first run did not finish');
}

async function sync(e: Env) {
  const res = await app.fetch(`/api/v1/connections/${e.connectionId}/rules/${e.ruleId}/run`, { method: 'POST', token: e.token });
  const { run, alreadyRunning } = (await res.json()) as any;
  expect(res.status).toBe(202);
  expect(alreadyRunning).toBe(false);
  for (let i = 0; i < 400; i++) {
    const r = await app.json(`/api/v1/connections/${e.connectionId}/sync-runs/${run.id}`, { token: e.token });
    if (r.status === 'succeeded' || r.status === 'failed') return r;
    await sleep(50);
  }
  throw new Error('run did not finish');
}

const localByRemote = async (e: Env, remoteId: string) =>
  (await sql<{ id: string; title: string; scheduled_minutes: number | null; status: string; description: string | null; deleted_at: Date | null; removed_remotely_at: Date | null }>(
    app.dbUrl,
    `select t.id, t.title, t.scheduled_minutes, t.status, t.description, t.deleted_at, t.removed_remotely_at from tasks t join sync_links l on l.local_id = t.id where l.rule_id = $1 and l.remote_id = $2`,
    [e.ruleId, remoteId],
  ))[0]!;

describe('syncing with the Sandbox', () => {
  it('the suggested mapping reads HourStack title syntax, HTML notes and status, and writes the title back in the remote’s own form', async () => {
    const e = await setup('Titles', {}, [
      { name: 'Write the spec [1h30m]', notes: '<p>First &amp; <b>second</b></p>', status: 'in_progress' },
      { name: 'Review [75m]', status: 'done' },
      { name: 'Plain task' },
    ]);
    expect(e.first).toMatchObject({ status: 'succeeded', mode: 'full', counts: { pulled: 3, linked: 3, errors: 0 } });
    const remote = (await sbx(e.key, '/tasks')).data as Array<{ id: string; name: string }>;
    const [a, b, c] = ['Write the spec [1h30m]', 'Review [75m]', 'Plain task'].map((n) => remote.find((r) => r.name === n)!) as [{ id: string; name: string }, { id: string; name: string }, { id: string; name: string }];
    expect(await localByRemote(e, a.id)).toMatchObject({ title: 'Write the spec', scheduled_minutes: 90, description: 'First & second', status: 'open' });
    expect(await localByRemote(e, b.id)).toMatchObject({ title: 'Review', scheduled_minutes: 75, status: 'done' });
    expect(await localByRemote(e, c.id)).toMatchObject({ title: 'Plain task', scheduled_minutes: null });

    // Renamed here, minutes unchanged: the remote keeps `[75m]` as written.
    const review = await localByRemote(e, b.id);
    await app.fetch(`/api/v1/tasks/${review.id}`, { method: 'PATCH', token: e.token, json: { title: 'Review the spec' } });
    // Minutes changed here: the canonical form is written.
    const spec = await localByRemote(e, a.id);
    await app.fetch(`/api/v1/tasks/${spec.id}`, { method: 'PATCH', token: e.token, json: { scheduledMinutes: 45 } });
    const push = await sync(e);
    expect(push).toMatchObject({ status: 'succeeded', counts: { pushed: 2 } });
    expect((await sbx(e.key, `/tasks/${b.id}`)).name).toBe('Review the spec [75m]');
    expect((await sbx(e.key, `/tasks/${a.id}`)).name).toBe('Write the spec [45m]');
    // And nothing comes back as a change here.
    const quiet = await sync(e);
    expect(quiet.counts).toMatchObject({ pushed: 0, conflicts: 0 });
    expect(await localByRemote(e, b.id)).toMatchObject({ title: 'Review the spec', scheduled_minutes: 75 });
  });

  it('an incremental pull touches only what changed; a local create is pushed once and linked', async () => {
    const e = await setup('Incremental', {}, Array.from({ length: 25 }, (_, i) => ({ name: `Seeded ${i}` })));
    expect(e.first.counts).toMatchObject({ pulled: 25, linked: 25 });
    const [first] = (await sbx(e.key, '/tasks?limit=1')).data;
    await sbx(e.key, `/tasks/${first.id}`, 'PATCH', { name: 'Seeded, changed remotely' });
    const local = await app.json('/api/v1/tasks', { method: 'POST', token: e.token, json: { title: 'Made in Patchbay [ignored here]', dueDate: '2026-12-24' } });
    const run = await sync(e);
    expect(run.counts).toMatchObject({ pulled: 1, pushed: 1, linked: 1 });
    expect((await localByRemote(e, first.id)).title).toBe('Seeded, changed remotely');
    const remote = (await sbx(e.key, '/tasks?limit=100')).data.filter((t: any) => t.due_on === '2026-12-24');
    expect(remote).toHaveLength(1);
    expect(remote[0].name).toBe('Made in Patchbay [ignored here]');
    const [link] = await sql<{ local_id: string }>(app.dbUrl, 'select local_id from sync_links where rule_id = $1 and remote_id = $2', [e.ruleId, remote[0].id]);
    expect(link!.local_id).toBe(local.id);
  });

  for (const policy of ['mark', 'propagate', 'ignore'] as const) {
    it(`a remote delete (tombstone) under the ${policy} policy`, async () => {
      const e = await setup(`Delete ${policy}`, { deletePolicy: policy }, [{ name: `Doomed (${policy})` }]);
      const [t] = (await sbx(e.key, '/tasks')).data;
      await sbx(e.key, `/tasks/${t.id}`, 'DELETE');
      const run = await sync(e);
      expect(run).toMatchObject({ status: 'succeeded', counts: { deleted: 1 } });
      const local = await localByRemote(e, t.id);
      expect(local.deleted_at !== null).toBe(policy === 'propagate');
      expect(local.removed_remotely_at !== null).toBe(policy === 'mark');
      const fetched = await app.fetch(`/api/v1/tasks/${local.id}`, { token: e.token });
      if (policy === 'mark') expect(((await fetched.json()) as any).removedRemotelyAt).toEqual(expect.any(String));
      if (policy === 'propagate') expect(fetched.status).toBe(404);
      // The deleted remote record is never recreated.
      await app.fetch(`/api/v1/tasks/${local.id}`, { method: 'PATCH', token: e.token, json: { title: 'Edited after the remote delete' } });
      await sync(e);
      expect((await sbx(e.key, '/tasks?limit=100')).data.filter((x: any) => !x.deleted)).toHaveLength(0);
    });
  }

  it('a mapped field the provider no longer has is logged as a field mapping mismatch, naming it and what to do', async () => {
    const e = await setup('Mismatch', {}, [{ name: 'Still syncs' }]);
    const [t] = (await sbx(e.key, '/tasks')).data;
    // As if the Sandbox had renamed `assignee_email` since the rule was made.
    await sql(app.dbUrl, `update sync_rules set mapping = mapping || '[{"local":"assigneeEmail","remote":"owner_email","direction":"both"}]'::jsonb where id = $1`, [e.ruleId]);
    await sql(app.dbUrl, `update sync_rules set mapping = (select jsonb_agg(m) from jsonb_array_elements(mapping) m where m->>'remote' <> 'assignee_email') where id = $1`, [e.ruleId]);
    await sbx(e.key, `/tasks/${t.id}`, 'PATCH', { name: 'Still syncs, renamed' });
    const run = await sync(e);
    expect(run).toMatchObject({ status: 'succeeded', counts: { pulled: 1 } });
    expect(run.warnings.join('\n')).toMatch(/field mapping mismatch.*owner_email/i);
    const logs = await app.json(`/api/v1/connections/${e.connectionId}/logs`, { token: e.token });
    const warn = (logs.data ?? logs.logs ?? logs).find((l: any) => /owner_email/.test(l.message));
    expect(warn).toMatchObject({ level: 'warn' });
    expect(warn.message).toMatch(/mapping/);
  });
});
