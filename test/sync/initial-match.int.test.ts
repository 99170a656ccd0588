/**
 * Initial match against the built-in Patchbay Sandbox, through the API: before a rule's first run the
 * records both sides already have are matched (tasks by title + due date, contacts by email) and
 * linked, the preview says what the run will link and create, and the run does exactly that.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintToken } from '../../src/access/api-tokens.ts';
import { Member } from '../../src/entities/member.ts';
import { createAccount } from '../../src/sandbox/store.ts';
import { requestRun } from '../../src/sync/schedule.ts';
import { createWorkspace } from '../../src/workspaces/workspaces.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { sql } from '../helpers/sql.ts';
import { sbx as sandboxCall } from '../sandbox/support.ts';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ workers: true, env: { SANDBOX_ENABLED: 'true', SYNC_PAGE_SIZE: '2' } });
}, 60_000);
afterAll(async () => app?.close());

type Env = { key: string; connectionId: string; ruleId: string; token: string; workspaceId: string };

/** A Sandbox API call with the account's key (the shared helper), failing the test on an error answer. */
async function sbx(key: string, path: string, method = 'GET', json?: unknown) {
  const res = await sandboxCall(app, key, path, { method, ...(json !== undefined ? { json } : {}) });
  expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
  return res.body;
}

/**
 * A workspace with `local` records, a Sandbox account with `remote` ones, a connection and a
 * disabled rule (so nothing runs before the test previews it).
 */
async function setup(
  name: string,
  object: 'tasks' | 'contacts',
  local: Array<Record<string, unknown>>,
  remote: Array<Record<string, unknown>>,
  rule: Record<string, unknown> = {},
): Promise<Env> {
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  const ws = await createWorkspace(app.pb.rt.em(), { name, slug, ownerName: 'Ada', ownerEmail: `ada@${slug}.example` });
  const token = ws.token;
  for (const l of local) {
    const res = await app.fetch(`/api/v1/${object}`, { method: 'POST', token, json: l });
    expect(res.status, await res.clone().text()).toBe(201);
  }
  const { key } = await createAccount(app.pb.rt.db.pool, name);
  for (const r of remote) await sbx(key, `/${object}`, 'POST', r);
  const conn = await app.json('/api/v1/connections', { method: 'POST', token, json: { provider: 'sandbox', displayName: name, credentials: { apiKey: key } } });
  const res = await app.fetch(`/api/v1/connections/${conn.connection.id}/rules`, { method: 'POST', token, json: { remoteObject: object, direction: 'both', enabled: false, ...rule } });
  const body = (await res.json()) as any;
  expect(res.status, JSON.stringify(body)).toBe(201);
  return { key, connectionId: conn.connection.id, ruleId: body.rule.id, token, workspaceId: ws.workspace.id };
}

async function preview(e: Env, token = e.token) {
  return await app.fetch(`/api/v1/connections/${e.connectionId}/rules/${e.ruleId}/preview`, { token });
}

/** Runs the (disabled) rule once, as a manual run does, and waits for it. */
async function run(e: Env) {
  const { run: queued } = await requestRun(app.pb.rt.em(), e.workspaceId, e.ruleId, { trigger: 'manual' });
  for (let i = 0; i < 400; i++) {
    const r = await app.json(`/api/v1/connections/${e.connectionId}/sync-runs/${queued.id}`, { token: e.token });
    if (r.status === 'succeeded' || r.status === 'failed') return r;
    await sleep(50);
  }
  throw new Error('run did not finish');
}

const localTasks = (e: Env) =>
  sql<{ id: string; title: string; due_date: string | null; updated_at: Date }>(app.dbUrl, `select id, title, due_date::text, updated_at from tasks where workspace_id = $1 and deleted_at is null order by title`, [e.workspaceId]);
const remoteAll = async (e: Env, object: string) => ((await sbx(e.key, `/${object}?limit=100`)).data as any[]).filter((r) => !r.deleted);
const linkCount = async (e: Env) => (await sql<{ n: number }>(app.dbUrl, 'select count(*)::int as n from sync_links where rule_id = $1 and remote_id is not null', [e.ruleId]))[0]!.n;

async function memberToken(e: Env, role: 'member' | 'admin') {
  const em = app.pb.rt.em();
  const m = em.create(Member, { workspace: e.workspaceId, displayName: role, email: `${role}-${e.ruleId.slice(0, 8)}@example.com`, role });
  await em.flush();
  return (await mintToken(em, { workspaceId: e.workspaceId, memberId: m.id, name: 'test' })).token;
}

describe('initial match', () => {
  it('3 tasks on each side, 2 matching by title + due date: the preview says link 2, create 1 each way; the run does exactly that; a second run changes nothing', async () => {
    const e = await setup(
      'Match tasks',
      'tasks',
      [
        { title: 'Write the spec', dueDate: '2026-12-01' },
        { title: 'Review', dueDate: '2026-12-02' },
        { title: 'Only here', dueDate: '2026-12-03' },
      ],
      [
        { name: 'Write the spec', due_on: '2026-12-01' },
        { name: 'Review', due_on: '2026-12-02' },
        { name: 'Only in the Sandbox', due_on: '2026-12-04' },
      ],
    );
    const res = await preview(e);
    const p = (await res.json()) as any;
    expect(res.status, JSON.stringify(p)).toBe(200);
    expect(p).toMatchObject({ firstRun: true, direction: 'both', link: 2, createRemote: 1, createLocal: 1, unmatchedLocal: 1, unmatchedRemote: 1, ambiguous: [], ambiguousCount: 0, warnings: [] });
    expect(p.summary).toBe('Will link 2, create 1 in Patchbay Sandbox, create 1 here.');
    // A preview writes nothing.
    expect(await linkCount(e)).toBe(0);
    expect((await sql(app.dbUrl, 'select 1 from sync_match_keys')).length).toBe(0);

    const first = await run(e);
    expect(first).toMatchObject({ status: 'succeeded', counts: { pushed: 1, errors: 0, conflicts: 0 } });
    const tasks = await localTasks(e);
    expect(tasks.map((t) => t.title)).toEqual(['Only here', 'Only in the Sandbox', 'Review', 'Write the spec']);
    const remote = await remoteAll(e, 'tasks');
    expect(remote.map((r) => r.name).sort()).toEqual(['Only here', 'Only in the Sandbox', 'Review', 'Write the spec']);
    expect(await linkCount(e)).toBe(4);
    expect((await sql(app.dbUrl, 'select 1 from sync_match_keys')).length).toBe(0);
    expect((await sql<{ matched_at: Date | null }>(app.dbUrl, 'select matched_at from sync_rules where id = $1', [e.ruleId]))[0]!.matched_at).not.toBeNull();

    // Matched once: the preview now says so, and a second run changes nothing on either side.
    expect(await (await preview(e)).json()).toMatchObject({ firstRun: false, link: 0, createRemote: 0, createLocal: 0 });
    const second = await run(e);
    expect(second).toMatchObject({ status: 'succeeded', counts: { pushed: 0, linked: 0, conflicts: 0, errors: 0, deleted: 0 } });
    expect(await localTasks(e)).toEqual(tasks);
    expect(await remoteAll(e, 'tasks')).toEqual(remote);
  });

  it('contacts match by email whatever its case; two candidates for one email are listed and left unlinked', async () => {
    const e = await setup(
      'Match contacts',
      'contacts',
      [
        { name: 'Ada Lovelace', email: 'ADA@Match.example' },
        { name: 'Bob Byte', email: 'bob@match.example' },
        { name: 'Bob Twice', email: 'BOB@match.example' },
      ],
      [
        { first_name: 'Ada', last_name: 'Lovelace', email: 'ada@match.example', phone_number: '+1 555 0100' },
        { first_name: 'Bob', last_name: 'Byte', email: 'bob@match.example' },
        { first_name: 'Dee', last_name: 'Remote', email: 'dee@match.example' },
      ],
    );
    const p = (await (await preview(e)).json()) as any;
    expect(p).toMatchObject({ firstRun: true, matchBy: 'email (case-insensitive)', link: 1, createRemote: 2, createLocal: 2, ambiguousCount: 1 });
    expect(p.ambiguous).toEqual([{ key: 'bob@match.example', localCount: 2, localIds: expect.any(Array), remoteCount: 1, remoteIds: expect.any(Array) }]);
    expect(p.ambiguous[0].localIds).toHaveLength(2);
    expect(p.ambiguous[0].remoteIds).toHaveLength(1);
    expect(p.summary).toBe('Will link 1, create 2 in Patchbay Sandbox, create 2 here. 1 ambiguous match left unlinked (their records sync as new).');

    const first = await run(e);
    expect(first.status).toBe('succeeded');
    expect(first.warnings.join('\n')).toMatch(/1 ambiguous email left unlinked.*bob@match\.example \(2 here, 1 in Patchbay Sandbox\)/);
    // Ada is linked, not duplicated on either side.
    const ada = await sql<{ id: string }>(app.dbUrl, `select id from contacts where workspace_id = $1 and lower(email) = 'ada@match.example'`, [e.workspaceId]);
    expect(ada).toHaveLength(1);
    expect((await remoteAll(e, 'contacts')).filter((c) => c.email.toLowerCase() === 'ada@match.example')).toHaveLength(1);
    const [adaLink] = await sql<{ snapshot: any }>(app.dbUrl, 'select snapshot from sync_links where rule_id = $1 and local_id = $2', [e.ruleId, ada[0]!.id]);
    expect(adaLink!.snapshot.v.name).toBe('Ada Lovelace');
    // A value only one side had fills the other (the two-way field had no common base).
    expect((await sql<{ phone: string | null }>(app.dbUrl, 'select phone from contacts where id = $1', [ada[0]!.id]))[0]!.phone).toBe('+1 555 0100');
    // The ambiguous ones were not guessed: each record syncs as new (as the preview said).
    expect(first.counts).toMatchObject({ pushed: 2 });
    expect((await remoteAll(e, 'contacts')).length).toBe(5);
    const second = await run(e);
    expect(second.counts).toMatchObject({ pushed: 0, linked: 0, conflicts: 0 });
  });

  it("an `in` rule's preview creates nothing at the provider; its run creates only what it said here", async () => {
    const e = await setup(
      'Match inbound',
      'tasks',
      [{ title: 'Shared', dueDate: '2026-12-01' }, { title: 'Shared too' }, { title: 'Mine' }],
      [{ name: 'Shared', due_on: '2026-12-01' }, { name: 'Shared too' }, { name: 'Theirs' }],
      { direction: 'in' },
    );
    const p = (await (await preview(e)).json()) as any;
    expect(p).toMatchObject({ direction: 'in', link: 2, createRemote: 0, createLocal: 1, unmatchedLocal: 1, unmatchedRemote: 1 });
    expect(p.summary).toBe('Will link 2, create 1 here. 1 local record without a match stays here only (the rule only syncs in).');
    const first = await run(e);
    expect(first).toMatchObject({ status: 'succeeded', counts: { pushed: 0 } });
    expect((await localTasks(e)).map((t) => t.title)).toEqual(['Mine', 'Shared', 'Shared too', 'Theirs']);
    expect(await remoteAll(e, 'tasks')).toHaveLength(3);
    expect(await linkCount(e)).toBe(3);
  });

  it('an `out` rule creates nothing here; a matched pair that differs takes the local value at the provider', async () => {
    const e = await setup(
      'Match outbound',
      'tasks',
      [{ title: 'Shared', description: 'Written here' }, { title: 'Mine' }],
      [{ name: 'Shared', notes: 'Written there' }, { name: 'Theirs' }],
      { direction: 'out' },
    );
    const p = (await (await preview(e)).json()) as any;
    expect(p).toMatchObject({ direction: 'out', link: 1, createRemote: 1, createLocal: 0, unmatchedRemote: 1 });
    expect(p.summary).toBe('Will link 1, create 1 in Patchbay Sandbox. 1 Patchbay Sandbox record without a match stays there only (the rule only syncs out).');
    const first = await run(e);
    expect(first).toMatchObject({ status: 'succeeded', counts: { pushed: 2, errors: 0 } });
    expect((await localTasks(e)).map((t) => t.title)).toEqual(['Mine', 'Shared']);
    const remote = await remoteAll(e, 'tasks');
    expect(remote.map((r) => r.name).sort()).toEqual(['Mine', 'Shared', 'Theirs']);
    expect(remote.find((r) => r.name === 'Shared').notes).toContain('Written here');
    expect((await run(e)).counts).toMatchObject({ pushed: 0, linked: 0 });
  });

  it('needs sync_rules.manage: a member is refused, an admin previews; an unknown rule is a 404', async () => {
    const e = await setup('Match access', 'tasks', [{ title: 'One' }], [{ name: 'One' }]);
    const member = await memberToken(e, 'member');
    const refused = await preview(e, member);
    expect(refused.status).toBe(403);
    const admin = await memberToken(e, 'admin');
    const ok = await preview(e, admin);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ link: 1, createRemote: 0, createLocal: 0, summary: 'Will link 1, create 0 in Patchbay Sandbox, create 0 here.' });
    const missing = await app.fetch(`/api/v1/connections/${e.connectionId}/rules/6f1d2c3b-4a5e-4f60-8b7a-9c0d1e2f3a4b/preview`, { token: e.token });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as any).error.code).toBe('not_found');
  });

  it('a task scheduled from a provider item is matched to that item by its source link, even after its title changed here', async () => {
    const e = await setup('Match source', 'tasks', [], [{ name: 'Call the bank', due_on: '2026-12-05' }]);
    const [item] = await remoteAll(e, 'tasks');
    const made = await app.json('/api/v1/tasks/from-source', { method: 'POST', token: e.token, json: { connectionId: e.connectionId, remoteId: item.id } });
    expect(made.taskCreated).toBe(true);
    // Renamed here: title + due date no longer match, the stored link still does.
    expect((await app.fetch(`/api/v1/tasks/${made.task.id}`, { method: 'PATCH', token: e.token, json: { title: 'Call the bank about the loan' } })).status).toBe(200);
    const p = (await (await preview(e)).json()) as any;
    expect(p).toMatchObject({ link: 1, createRemote: 0, createLocal: 0 });
    const first = await run(e);
    expect(first).toMatchObject({ status: 'succeeded' });
    expect((await localTasks(e)).map((t) => t.id)).toEqual([made.task.id]);
    expect(await remoteAll(e, 'tasks')).toHaveLength(1);
    expect(await sql(app.dbUrl, 'select local_id, remote_id from sync_links where rule_id = $1', [e.ruleId])).toEqual([{ local_id: made.task.id, remote_id: item.id }]);
  });

  it('scheduling items of a rule that already ran: a pulled item adopts its synced task; a new item is linked, so no run duplicates it on either side', async () => {
    const e = await setup('Schedule after sync', 'tasks', [], [{ name: 'Pulled item', due_on: '2026-12-06' }]);
    expect(await run(e)).toMatchObject({ status: 'succeeded' });
    const [pulled] = await localTasks(e);
    const [pulledItem] = await remoteAll(e, 'tasks');
    const adopted = await app.json('/api/v1/tasks/from-source', { method: 'POST', token: e.token, json: { connectionId: e.connectionId, remoteId: pulledItem.id } });
    expect(adopted).toMatchObject({ taskCreated: false, task: { id: pulled!.id } });

    const fresh = await sbx(e.key, '/tasks', 'POST', { name: 'Scheduled before the next run', due_on: '2026-12-07' });
    const made = await app.json('/api/v1/tasks/from-source', { method: 'POST', token: e.token, json: { connectionId: e.connectionId, remoteId: fresh.id } });
    expect(made.taskCreated).toBe(true);
    expect(await run(e)).toMatchObject({ status: 'succeeded', counts: { errors: 0 } });
    expect((await remoteAll(e, 'tasks')).map((r) => r.name).sort()).toEqual(['Pulled item', 'Scheduled before the next run']);
    expect((await localTasks(e)).map((t) => t.id).sort()).toEqual([pulled!.id, made.task.id].sort());
    expect(await linkCount(e)).toBe(2);
  });
});
