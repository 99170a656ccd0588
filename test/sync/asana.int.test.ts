/**
 * The engine with the Asana tasks adapter, against a stateful Asana answered through nock with
 * the documented shapes (test/fakes/asana-api.ts), over real Postgres and graphile-worker: a rule
 * made through the API with its suggested mapping, a paginated full pull, incremental pulls on
 * `modified_since`, pushed creates (with their external-gid marker) and updates, deletes both
 * ways — Asana's are read from the events API at each incremental pull; an expired sync token
 * (412) sends the rule to a full pull that sweeps what was deleted meanwhile — a conflict inside
 * the grace window, and a create whose answer was lost, found again by its marker.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TASK_OPT_FIELDS } from '../../src/providers/asana/adapters/records.ts';
import { FakeAsana, type Route } from '../fakes/asana-api.ts';
import { workspaceWithConnection } from '../helpers/connections.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { sql } from '../helpers/sql.ts';
import { firstRunOf, runNow } from './support.ts';

const PROJECT = '1207894561234567';
const OTHER_PROJECT = '1207894561239999';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ workers: true, env: { SYNC_PAGE_SIZE: '2' } });
}, 60_000);
afterAll(async () => app?.close());

type Env = { asana: FakeAsana; connectionId: string; ruleId: string; token: string; workspaceId: string; first: any };

/**
 * A workspace of its own, an Asana connection, the fake serving `routes` with `seed`'s tasks, and
 * a rule on PROJECT with the suggested mapping — whose first run (a full pull) starts at once and
 * is awaited here.
 */
async function setup(name: string, routes: Route[], seed: (a: FakeAsana) => void = () => {}, rule: Record<string, unknown> = {}): Promise<Env> {
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  const ws = await workspaceWithConnection(app, { slug, name, provider: 'asana', displayName: `Asana ${name}`, credentials: { type: 'oauth2', accessToken: 'asana-access-0123456789', refreshToken: 'asana-refresh-9876543210', scopes: ['users:read', 'tasks:read', 'tasks:write', 'tasks:delete'] } });
  const asana = new FakeAsana();
  seed(asana);
  asana.serve(routes);
  const res = await app.fetch(`/api/v1/connections/${ws.connectionId}/rules`, {
    method: 'POST',
    token: ws.token,
    json: { remoteObject: 'tasks', direction: 'both', scope: { project: PROJECT }, intervalSeconds: 86_400, ...rule },
  });
  const body = (await res.json()) as any;
  expect(res.status, JSON.stringify(body)).toBe(201);
  const e = { asana, connectionId: ws.connectionId, ruleId: body.rule.id, token: ws.token, workspaceId: ws.workspaceId };
  return { ...e, first: await firstRunOf(app, e) };
}

const sync = (e: Env) => runNow(app, e);

type LocalTask = { id: string; title: string; description: string | null; status: string; due_date: string | null; assignee_email: string | null; labels: string[]; scheduled_minutes: number | null; deleted_at: Date | null; removed_remotely_at: Date | null };
const localByRemote = async (e: Env, remoteId: string) =>
  (await sql<LocalTask>(
    app.dbUrl,
    `select t.id, t.title, t.description, t.status, t.due_date::text, t.assignee_email, t.labels, t.scheduled_minutes, t.deleted_at, t.removed_remotely_at
       from tasks t join sync_links l on l.local_id = t.id where l.rule_id = $1 and l.remote_id = $2`,
    [e.ruleId, remoteId],
  ))[0];
const localTitles = async (e: Env) => (await sql<{ title: string }>(app.dbUrl, 'select title from tasks where workspace_id = $1 and deleted_at is null order by title', [e.workspaceId])).map((r) => r.title);

describe('syncing with Asana', () => {
  it('a full pull pages through the project by offset with the opt_fields the suggested mapping needs, and reads assignee emails once each', async () => {
    const e = await setup('Asana full', ['list', 'users', 'events'], (a) => {
      a.add(PROJECT, { name: 'Write the spec [1h30m]', notes: 'First & second', due_on: '2026-12-24', assignee: '1100', tags: ['urgent', 'q4'] });
      a.add(PROJECT, { name: 'Review', completed: true, assignee: '1100' });
      a.add(PROJECT, { name: 'Plain task' });
      a.add(OTHER_PROJECT, { name: 'Elsewhere' });
      a.add(PROJECT, { name: 'Fourth', assignee: '1101' });
      a.add(PROJECT, { name: 'Fifth' });
    });
    expect(e.first).toMatchObject({ status: 'succeeded', mode: 'full', counts: { pulled: 5, linked: 5, errors: 0 } });

    const rule = await app.json(`/api/v1/connections/${e.connectionId}/rules/${e.ruleId}`, { token: e.token });
    expect(rule.rule.mapping).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ local: 'title', remote: 'name', transform: 'title_minutes', direction: 'both' }),
        expect.objectContaining({ local: 'description', remote: 'notes', direction: 'both' }),
        expect.objectContaining({ local: 'status', remote: 'completed', transform: 'enum_map', values: { open: 'false', done: 'true' } }),
        expect.objectContaining({ local: 'dueDate', remote: 'due_on', direction: 'both' }),
        expect.objectContaining({ local: 'assigneeEmail', remote: 'assignee_email', direction: 'both' }),
        expect.objectContaining({ local: 'labels', remote: 'tags', direction: 'in' }),
      ]),
    );

    const spec = e.asana.byName('Write the spec [1h30m]')!;
    expect(await localByRemote(e, spec.gid)).toMatchObject({ title: 'Write the spec', scheduled_minutes: 90, description: 'First & second', status: 'open', due_date: '2026-12-24', assignee_email: 'ada@example.com', labels: ['urgent', 'q4'] });
    expect(await localByRemote(e, e.asana.byName('Review')!.gid)).toMatchObject({ title: 'Review', status: 'done', assignee_email: 'ada@example.com' });
    expect(await localByRemote(e, e.asana.byName('Fourth')!.gid)).toMatchObject({ assignee_email: 'grace@example.com', description: null });
    expect(await localTitles(e)).toEqual(['Fifth', 'Fourth', 'Plain task', 'Review', 'Write the spec']);

    // Three pages of two: the first without offset or modified_since, the others by offset.
    const lists = e.asana.of('GET', '/api/1.0/tasks');
    expect(lists.map((r) => Object.fromEntries(r.query))).toEqual([
      { project: PROJECT, limit: '2', opt_fields: TASK_OPT_FIELDS },
      { project: PROJECT, limit: '2', opt_fields: TASK_OPT_FIELDS, offset: expect.any(String) },
      { project: PROJECT, limit: '2', opt_fields: TASK_OPT_FIELDS, offset: expect.any(String) },
    ]);
    // The full pull starts with a fresh events sync token: asked without one, answered 412.
    expect(e.asana.of('GET', '/api/1.0/events').map((r) => Object.fromEntries(r.query))).toEqual([{ resource: PROJECT, opt_fields: 'action,created_at,parent,resource' }]);
    // One lookup per distinct assignee of a page (1100 twice on page one).
    expect(e.asana.of('GET', '/api/1.0/users/').map((r) => `${r.path}?${r.query}`)).toEqual(['/api/1.0/users/1100?opt_fields=email', '/api/1.0/users/1101?opt_fields=email']);
  });

  it('an incremental pull asks from the newest modification time; a local create is pushed once with its marker, an update sends only what changed, and nothing echoes', async () => {
    const e = await setup('Asana push', ['list', 'get', 'create', 'update', 'users', 'events'], (a) => {
      for (const n of ['One', 'Two', 'Three']) a.add(PROJECT, { name: n });
    });
    const newest = [...e.asana.tasks.values()].map((t) => t.modified_at).sort().at(-1)!;
    e.asana.edit(e.asana.byName('Two')!.gid, { name: 'Two, changed in Asana' });
    const made = await app.json('/api/v1/tasks', { method: 'POST', token: e.token, json: { title: 'Made in Patchbay', dueDate: '2026-12-31', assigneeEmail: 'grace@example.com', status: 'done' } });
    const before = e.asana.requests.length;

    const run = await sync(e);
    expect(run).toMatchObject({ status: 'succeeded', mode: 'incremental', counts: { pulled: 1, pushed: 1, linked: 1, errors: 0 } });
    const lists = e.asana.requests.slice(before).filter((r) => r.method === 'GET' && r.path === '/api/1.0/tasks');
    expect(lists[0]!.query.get('modified_since')).toBe(new Date(Date.parse(newest) - 30_000).toISOString());
    expect((await localByRemote(e, e.asana.byName('Two, changed in Asana')!.gid))!.title).toBe('Two, changed in Asana');

    const [post] = e.asana.of('POST', '/api/1.0/tasks');
    expect(post!.body).toEqual({
      data: { name: 'Made in Patchbay', notes: '', completed: true, due_on: '2026-12-31', assignee: 'grace@example.com', projects: [PROJECT], external: { gid: expect.stringMatching(/^patchbay-[0-9a-f-]{36}$/) } },
    });
    const created = e.asana.byName('Made in Patchbay')!;
    expect(created).toMatchObject({ completed: true, assignee: '1101', external: post!.body.data.external.gid });
    const [link] = await sql<{ local_id: string }>(app.dbUrl, 'select local_id from sync_links where rule_id = $1 and remote_id = $2', [e.ruleId, created.gid]);
    expect(link!.local_id).toBe(made.id);

    await app.fetch(`/api/v1/tasks/${made.id}`, { method: 'PATCH', token: e.token, json: { title: 'Made in Patchbay, renamed' } });
    const push = await sync(e);
    expect(push).toMatchObject({ status: 'succeeded', counts: { pushed: 1, pulled: 0 } });
    const puts = e.asana.of('PUT', '/api/1.0/tasks/');
    expect(puts.map((p) => [p.path, p.body])).toEqual([[`/api/1.0/tasks/${created.gid}`, { data: { name: 'Made in Patchbay, renamed' } }]]);

    const quiet = await sync(e);
    expect(quiet.counts).toMatchObject({ pushed: 0, pulled: 0, conflicts: 0 });
    expect(e.asana.of('PUT', '/api/1.0/tasks/')).toHaveLength(1);
    expect(e.asana.of('POST', '/api/1.0/tasks')).toHaveLength(1);
  });

  it('deletes: local ones are sent (a 404 means already gone); tasks deleted in Asana or moved out of the project come from the events API at the next incremental run', async () => {
    const e = await setup('Asana deletes', ['list', 'delete', 'events'], (a) => {
      for (const n of ['Deleted here', 'Deleted in Asana', 'Moved away', 'Deleted on both sides', 'Stays']) a.add(PROJECT, { name: n });
    });
    expect(e.first.counts).toMatchObject({ pulled: 5, linked: 5 });
    const [here, there, moved, both, stays] = ['Deleted here', 'Deleted in Asana', 'Moved away', 'Deleted on both sides', 'Stays'].map((n) => e.asana.byName(n)!);
    e.asana.remove(there!.gid);
    e.asana.edit(moved!.gid, { projects: [OTHER_PROJECT] });
    e.asana.remove(both!.gid);
    for (const t of [here!, both!]) {
      const local = (await localByRemote(e, t.gid))!;
      expect((await app.fetch(`/api/v1/tasks/${local.id}`, { method: 'DELETE', token: e.token })).status).toBe(204);
    }
    const before = e.asana.requests.length;

    const run = await sync(e);
    expect(run).toMatchObject({ status: 'succeeded', mode: 'incremental', counts: { errors: 0 } });
    // The events since the full pull's token, read before the listing.
    const [events] = e.asana.requests.slice(before).filter((r) => r.path === '/api/1.0/events');
    expect(Object.fromEntries(events!.query)).toEqual({ resource: PROJECT, opt_fields: 'action,created_at,parent,resource', sync: expect.any(String) });
    // No reconciliation needed: the incremental run marks them.
    expect((await localByRemote(e, there!.gid))!.removed_remotely_at).not.toBeNull();
    expect((await localByRemote(e, moved!.gid))!.removed_remotely_at).not.toBeNull();
    expect((await localByRemote(e, stays!.gid))!.removed_remotely_at).toBeNull();
    expect(e.asana.of('DELETE', '/api/1.0/tasks/').map((r) => r.path)).toContain(`/api/1.0/tasks/${here!.gid}`);
    expect(e.asana.tasks.has(here!.gid)).toBe(false);
    expect(e.asana.tasks.has(stays!.gid)).toBe(true);

    // Our own DELETE comes back as an event: nothing more happens.
    const deletes = e.asana.of('DELETE', '/api/1.0/tasks/').length;
    const quiet = await sync(e);
    expect(quiet).toMatchObject({ status: 'succeeded', mode: 'incremental', counts: { deleted: 0, pushed: 0, pulled: 0, errors: 0 } });
    expect(e.asana.of('DELETE', '/api/1.0/tasks/')).toHaveLength(deletes);
  });

  it('an expired events sync token (412) → a full pull that sweeps the tasks deleted meanwhile and stores the fresh token for the next incremental run', async () => {
    const e = await setup('Asana expired token', ['list', 'events'], (a) => {
      for (const n of ['Gone in the gap', 'Moved in the gap', 'Stays', 'Later gone']) a.add(PROJECT, { name: n });
    });
    const [gap, movedGap, stays, later] = ['Gone in the gap', 'Moved in the gap', 'Stays', 'Later gone'].map((n) => e.asana.byName(n)!);
    e.asana.remove(gap!.gid);
    e.asana.edit(movedGap!.gid, { projects: [OTHER_PROJECT] });
    // The token ages out: these events are in no answer any more.
    e.asana.expireTokens();
    const before = e.asana.requests.length;

    const run = await sync(e);
    expect(run).toMatchObject({ status: 'succeeded', mode: 'full', counts: { deleted: 2, errors: 0 } });
    expect(run.warnings.join(' ')).toMatch(/412.*full resync/);
    const events = e.asana.requests.slice(before).filter((r) => r.path === '/api/1.0/events');
    // The stored token (412), then a fresh one for the full pull (412 again, carrying it).
    expect(events.map((r) => r.query.has('sync'))).toEqual([true, false]);
    expect((await localByRemote(e, gap!.gid))!.removed_remotely_at).not.toBeNull();
    expect((await localByRemote(e, movedGap!.gid))!.removed_remotely_at).not.toBeNull();
    expect((await localByRemote(e, stays!.gid))!.removed_remotely_at).toBeNull();

    // The next run is incremental again, from the fresh token, and reports a delete at once.
    e.asana.remove(later!.gid);
    const next = await sync(e);
    expect(next).toMatchObject({ status: 'succeeded', mode: 'incremental', counts: { deleted: 1, errors: 0 } });
    expect((await localByRemote(e, later!.gid))!.removed_remotely_at).not.toBeNull();
    const [used] = e.asana.requests.slice(before).filter((r) => r.path === '/api/1.0/events').slice(2);
    expect(used!.query.get('sync')).toEqual(expect.any(String));
  });

  it('events page by has_more (100 a token at Asana): every answer is read, each with the token the last one gave, before the tasks are listed', async () => {
    const e = await setup('Asana events paging', ['list', 'events'], (a) => {
      for (const n of ['A', 'B', 'C', 'D', 'E', 'Kept']) a.add(PROJECT, { name: n });
    });
    e.asana.eventsPerToken = 2;
    const gone = ['A', 'B', 'C', 'D', 'E'].map((n) => e.asana.byName(n)!);
    for (const t of gone) e.asana.remove(t.gid);
    e.asana.edit(e.asana.byName('Kept')!.gid, { name: 'Kept, renamed' });
    const before = e.asana.requests.length;

    const run = await sync(e);
    expect(run).toMatchObject({ status: 'succeeded', mode: 'incremental', counts: { deleted: 5, pulled: 1, errors: 0 } });
    for (const t of gone) expect((await localByRemote(e, t.gid))!.removed_remotely_at).not.toBeNull();
    expect((await localByRemote(e, e.asana.byName('Kept, renamed')!.gid))).toMatchObject({ title: 'Kept, renamed', removed_remotely_at: null });
    const reads = e.asana.requests.slice(before).filter((r) => r.path === '/api/1.0/events' || r.path === '/api/1.0/tasks');
    // Six events (five deletes, one change) two an answer: three reads, then the listing.
    expect(reads.map((r) => r.path)).toEqual(['/api/1.0/events', '/api/1.0/events', '/api/1.0/events', '/api/1.0/tasks']);
    const tokens = reads.slice(0, 3).map((r) => r.query.get('sync'));
    expect(new Set(tokens).size).toBe(3);
  });

  it('the same field changed on both sides within the grace window: a conflict is recorded and the later write wins', async () => {
    const e = await setup('Asana conflict', ['list', 'events'], (a) => {
      a.add(PROJECT, { name: 'Shared', notes: 'Kept' });
    });
    const shared = e.asana.byName('Shared')!;
    const local = (await localByRemote(e, shared.gid))!;
    await app.fetch(`/api/v1/tasks/${local.id}`, { method: 'PATCH', token: e.token, json: { title: 'Renamed in Patchbay' } });
    await sleep(20);
    e.asana.edit(shared.gid, { name: 'Renamed in Asana' }, new Date().toISOString());

    const run = await sync(e);
    expect(run).toMatchObject({ status: 'succeeded', counts: { conflicts: 1, pulled: 1, pushed: 0 } });
    expect(run.conflicts).toEqual([expect.objectContaining({ field: 'title', localId: local.id, remoteId: shared.gid, winner: 'remote' })]);
    expect((await localByRemote(e, shared.gid))!.title).toBe('Renamed in Asana');
  });

  it('a create whose answer was lost is found by its external gid on the next run, never made twice', async () => {
    const e = await setup('Asana lost create', ['list', 'create', 'get', 'events'], () => {});
    expect(e.first).toMatchObject({ status: 'succeeded', counts: { pulled: 0 } });
    const made = await app.json('/api/v1/tasks', { method: 'POST', token: e.token, json: { title: 'Only once' } });
    e.asana.loseCreateAnswers = 1;
    const failed = await sync(e);
    expect(failed).toMatchObject({ status: 'failed' });
    expect([...e.asana.tasks.values()].filter((t) => t.name === 'Only once')).toHaveLength(1);

    const again = await sync(e);
    expect(again).toMatchObject({ status: 'succeeded', counts: { errors: 0 } });
    const task = e.asana.byName('Only once')!;
    // The engine looks the marker up before every create: not there, the create (answer lost), then found.
    const writes = e.asana.requests.filter((r) => !(r.method === 'GET' && (r.path === '/api/1.0/tasks' || r.path === '/api/1.0/events'))).map((r) => `${r.method} ${r.path}`);
    expect(writes).toEqual([`GET /api/1.0/tasks/external:${task.external}`, 'POST /api/1.0/tasks', `GET /api/1.0/tasks/external:${task.external}`]);
    expect([...e.asana.tasks.values()].filter((t) => t.name === 'Only once')).toHaveLength(1);
    const [link] = await sql<{ local_id: string }>(app.dbUrl, 'select local_id from sync_links where rule_id = $1 and remote_id = $2', [e.ruleId, task.gid]);
    expect(link!.local_id).toBe(made.id);
  });
});
