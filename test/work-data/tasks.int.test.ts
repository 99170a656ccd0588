import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorBody, json, startTestApp, type TestApp } from '../helpers/app.ts';
import { memberWithToken } from '../helpers/members.ts';
import { sql } from '../helpers/sql.ts';
import { eventsOf, otherWorkspace, sameTransaction } from './support.ts';

let app: TestApp;
let member: { token: string; member: { id: string } };
beforeAll(async () => {
  app = await startTestApp();
  member = await memberWithToken(app, 'member', 'mia@example.com');
});
afterAll(async () => {
  await app.close();
});

const full = { title: 'Draft the launch plan', description: 'Owners and dates', dueDate: '2026-12-04', assigneeEmail: 'ada@example.com', scheduledMinutes: 90, labels: ['planning', 'launch'] };

async function create(body: Record<string, unknown> = { title: 'A task' }, token = member.token) {
  const res = await app.fetch('/api/v1/tasks', { method: 'POST', json: body, token });
  expect(res.status).toBe(201);
  return (await json(res)) as { id: string; status: string; updatedAt: string; [k: string]: unknown };
}
const patch = (id: string, body: unknown, token = member.token) => app.fetch(`/api/v1/tasks/${id}`, { method: 'PATCH', json: body, token });

describe('tasks: create and read', () => {
  it('lets a Member create a task, stores it, and records task_added in the same transaction', async () => {
    const task = await create(full);
    expect(task).toMatchObject({ ...full, status: 'open', createdBy: member.member.id, deletedAt: null });
    const [row] = await sql(app.dbUrl, 'select title, status, due_date::text as due, assignee_email, scheduled_minutes, labels, workspace_id from tasks where id = $1', [task.id]);
    expect(row).toMatchObject({ title: full.title, status: 'open', due: '2026-12-04', assignee_email: 'ada@example.com', scheduled_minutes: 90, labels: ['planning', 'launch'] });
    const events = await eventsOf(app, task.id);
    expect(events.map((e) => e.type)).toEqual(['task_added']);
    expect(events[0]).toMatchObject({ via: 'api', actor_member_id: member.member.id, data: { origin: null } });
    expect(events[0]!.snapshot).toEqual(task);
    expect(await sameTransaction(app, 'tasks', task.id, events[0]!.txid)).toBe(true);
    expect(await app.json(`/api/v1/tasks/${task.id}`, { token: member.token })).toEqual({ ...task, source: null }); // GET adds the provider item a task was made from
  });

  it('shows the events in the domain-event feed, typed', async () => {
    const task = await create();
    const feed = await app.json(`/api/v1/events?entityId=${task.id}`);
    expect(feed.data).toEqual([expect.objectContaining({ type: 'task_added', entityType: 'task', entityId: task.id, triggeredBy: { memberId: member.member.id, via: 'api' } })]);
  });
});

describe('tasks: update', () => {
  it('changes only the given fields and emits task_updated with what changed', async () => {
    const task = await create(full);
    const res = await patch(task.id, { title: 'Draft the plan (v2)', description: null });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body).toMatchObject({ ...full, title: 'Draft the plan (v2)', description: null, status: 'open' });
    const events = await eventsOf(app, task.id);
    expect(events.map((e) => e.type)).toEqual(['task_added', 'task_updated']);
    expect(events[1]!.data).toEqual({ changedFields: ['title', 'description'], previous: { title: full.title, description: full.description }, origin: null });
    expect(await sameTransaction(app, 'tasks', task.id, events[1]!.txid)).toBe(true);
  });

  it('emits task_status_changed beside task_updated when the status changes, in one transaction', async () => {
    const task = await create();
    expect((await patch(task.id, { status: 'done' })).status).toBe(200);
    const events = (await eventsOf(app, task.id)).slice(1);
    expect(events.map((e) => e.type)).toEqual(['task_updated', 'task_status_changed']);
    expect(events[0]!.data).toMatchObject({ changedFields: ['status'], previous: { status: 'open' } });
    expect(events[1]!.data).toEqual({ previousStatus: 'open', status: 'done', origin: null });
    expect(events[0]!.txid).toBe(events[1]!.txid);
    expect(await sameTransaction(app, 'tasks', task.id, events[1]!.txid)).toBe(true);
    const [row] = await sql(app.dbUrl, 'select status from tasks where id = $1', [task.id]);
    expect(row!.status).toBe('done');
  });

  it('writes and emits nothing for an update that changes nothing', async () => {
    const task = await create(full);
    const res = await patch(task.id, { title: full.title, labels: [...full.labels], status: 'open' });
    expect(res.status).toBe(200);
    expect((await json(res)).updatedAt).toBe(task.updatedAt);
    expect((await patch(task.id, {})).status).toBe(200);
    expect((await eventsOf(app, task.id)).map((e) => e.type)).toEqual(['task_added']);
  });
});

describe('tasks: validation', () => {
  it.each([
    [{ title: 'x', assigneeEmail: 'not-an-email' }, 'assigneeEmail'],
    [{ title: 'x', dueDate: '04/12/2026' }, 'dueDate'],
    [{ title: 'x', scheduledMinutes: -5 }, 'scheduledMinutes'],
    [{ title: 'x', scheduledMinutes: 1.5 }, 'scheduledMinutes'],
    [{ title: 'x', status: 'closed' }, 'status'],
    [{ title: 'x', labels: Array.from({ length: 51 }, (_, i) => `l${i}`) }, 'labels'],
    [{ title: 'x', labels: ['a'.repeat(101)] }, 'labels.0'],
    [{ title: '  ' }, 'title'],
    [{ description: 'no title' }, 'title'],
    [{ title: 'x', owner: 'someone' }, ''],
  ])('refuses %j with a 400 naming %s, and saves nothing', async (body, path) => {
    const before = await sql(app.dbUrl, 'select count(*)::int as n from tasks');
    const res = await app.fetch('/api/v1/tasks', { method: 'POST', json: body, token: member.token });
    expect(res.status).toBe(400);
    const err = await errorBody(res);
    expect(err.code).toBe('validation_failed');
    expect(err.details).toEqual(expect.arrayContaining([expect.objectContaining({ location: 'body', path })]));
    expect(await sql(app.dbUrl, 'select count(*)::int as n from tasks')).toEqual(before);
  });

  it('refuses a bad PATCH field and a bad updated_since', async () => {
    const task = await create();
    const res = await patch(task.id, { status: 'archived' });
    expect(res.status).toBe(400);
    expect((await errorBody(res)).message).toContain('body.status');
    const list = await app.fetch('/api/v1/tasks?updated_since=yesterday', { token: member.token });
    expect(list.status).toBe(400);
    expect((await errorBody(list)).details).toEqual([expect.objectContaining({ location: 'query', path: 'updated_since' })]);
  });
});

describe('tasks: delete', () => {
  it('soft-deletes, emits task_deleted, and hides the task unless include_deleted=true', async () => {
    const task = await create();
    const res = await app.fetch(`/api/v1/tasks/${task.id}`, { method: 'DELETE', token: member.token });
    expect(res.status).toBe(204);
    const [row] = await sql<{ deleted_at: Date | null }>(app.dbUrl, 'select deleted_at from tasks where id = $1', [task.id]);
    expect(row!.deleted_at).toBeInstanceOf(Date);
    const events = await eventsOf(app, task.id);
    expect(events.map((e) => e.type)).toEqual(['task_added', 'task_deleted']);
    expect(events[1]!.snapshot.deletedAt).toBe(row!.deleted_at!.toISOString());
    expect(await sameTransaction(app, 'tasks', task.id, events[1]!.txid)).toBe(true);

    expect((await app.fetch(`/api/v1/tasks/${task.id}`, { token: member.token })).status).toBe(404);
    expect((await patch(task.id, { title: 'back' })).status).toBe(404);
    expect((await app.fetch(`/api/v1/tasks/${task.id}`, { method: 'DELETE', token: member.token })).status).toBe(404);
    const all = async (q: string) => (await app.json(`/api/v1/tasks?limit=200${q}`, { token: member.token })).data.map((t: { id: string }) => t.id);
    expect(await all('')).not.toContain(task.id);
    expect(await all('&include_deleted=true')).toContain(task.id);
    expect((await eventsOf(app, task.id)).length).toBe(2);
  });
});

describe('tasks: pagination and updated_since', () => {
  it('walks the change feed oldest change first, and an update moves a task to the end', async () => {
    const ws = await otherWorkspace(app, 'paging');
    const ids: string[] = [];
    for (const title of ['one', 'two', 'three']) ids.push((await create({ title }, ws.token)).id);
    const page1 = await app.json('/api/v1/tasks?limit=2', { token: ws.token });
    expect(page1.data.map((t: { id: string }) => t.id)).toEqual(ids.slice(0, 2));
    expect(page1.nextCursor).toEqual(expect.any(String));
    const page2 = await app.json(`/api/v1/tasks?limit=2&cursor=${page1.nextCursor}`, { token: ws.token });
    expect(page2).toEqual({ data: [expect.objectContaining({ id: ids[2] })], nextCursor: null });

    const since = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 5));
    const changed = await json(await patch(ids[0]!, { status: 'done' }, ws.token));
    const feed = await app.json(`/api/v1/tasks?updated_since=${encodeURIComponent(since)}`, { token: ws.token });
    expect(feed).toEqual({ data: [changed], nextCursor: null });
    const everything = await app.json('/api/v1/tasks', { token: ws.token });
    expect(everything.data.map((t: { id: string }) => t.id)).toEqual([ids[1], ids[2], ids[0]]);
  });

  it('refuses a forged cursor', async () => {
    const res = await app.fetch('/api/v1/tasks?cursor=bm90LWEtY3Vyc29y', { token: member.token });
    expect(res.status).toBe(400);
    expect((await errorBody(res)).code).toBe('validation_failed');
  });
});

describe('tasks: workspaces', () => {
  it("answers 404 for another workspace's task and never lists or changes it", async () => {
    const task = await create();
    const other = await otherWorkspace(app, 'elsewhere');
    for (const init of [{}, { method: 'PATCH', json: { title: 'hijack' } }, { method: 'DELETE' }]) {
      const res = await app.fetch(`/api/v1/tasks/${task.id}`, { ...init, token: other.token });
      expect(res.status).toBe(404);
      expect((await errorBody(res)).code).toBe('not_found');
    }
    expect((await app.json('/api/v1/tasks', { token: other.token })).data).toEqual([]);
    const [row] = await sql(app.dbUrl, 'select title, deleted_at from tasks where id = $1', [task.id]);
    expect(row).toEqual({ title: 'A task', deleted_at: null });
    expect((await eventsOf(app, task.id)).map((e) => e.type)).toEqual(['task_added']);
  });
});
