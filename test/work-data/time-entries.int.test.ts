import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorBody, json, startTestApp, type TestApp } from '../helpers/app.ts';
import { memberWithToken } from '../helpers/members.ts';
import { sql } from '../helpers/sql.ts';
import { eventsOf, otherWorkspace, sameTransaction } from './support.ts';

let app: TestApp;
let member: { token: string; member: { id: string } };
let taskId: string;
beforeAll(async () => {
  app = await startTestApp();
  member = await memberWithToken(app, 'member', 'mia@example.com');
  taskId = (await app.json('/api/v1/tasks', { method: 'POST', json: { title: 'Outline' }, token: member.token })).id;
});
afterAll(async () => {
  await app.close();
});

async function create(body: Record<string, unknown>, token = member.token) {
  const res = await app.fetch('/api/v1/time-entries', { method: 'POST', json: body, token });
  expect(res.status).toBe(201);
  return (await json(res)) as { id: string; updatedAt: string; [k: string]: unknown };
}
const patch = (id: string, body: unknown) => app.fetch(`/api/v1/time-entries/${id}`, { method: 'PATCH', json: body, token: member.token });

describe('time entries', () => {
  it("records a Member's own time by default, changes and deletes it, each with its timetracking event", async () => {
    const entry = await create({ taskId, startAt: '2026-11-29T09:30:00+01:00', minutes: 45 });
    expect(entry).toMatchObject({ taskId, memberId: member.member.id, assigneeEmail: null, startAt: '2026-11-29T08:30:00.000Z', minutes: 45, note: null });
    const [row] = await sql(app.dbUrl, 'select task_id, member_id, minutes from time_entries where id = $1', [entry.id]);
    expect(row).toEqual({ task_id: taskId, member_id: member.member.id, minutes: 45 });

    const res = await patch(entry.id, { minutes: 60, note: 'First outline' });
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ minutes: 60, note: 'First outline' });
    expect((await patch(entry.id, { minutes: 60, startAt: '2026-11-29T08:30:00Z' })).status).toBe(200);
    expect((await app.fetch(`/api/v1/time-entries/${entry.id}`, { method: 'DELETE', token: member.token })).status).toBe(204);

    const events = await eventsOf(app, entry.id);
    expect(events.map((e) => e.type)).toEqual(['timetracking_added', 'timetracking_updated', 'timetracking_deleted']);
    for (const e of events) expect(e).toMatchObject({ via: 'api', actor_member_id: member.member.id });
    expect(events[1]!.data).toEqual({ changedFields: ['minutes', 'note'], previous: { minutes: 45, note: null }, origin: null });
    expect(await sameTransaction(app, 'time_entries', entry.id, events[2]!.txid)).toBe(true);
    expect((await app.fetch(`/api/v1/time-entries/${entry.id}`, { token: member.token })).status).toBe(404);
    const listed = await app.json('/api/v1/time-entries?include_deleted=true', { token: member.token });
    expect(listed.data.map((e: { id: string }) => e.id)).toContain(entry.id);
  });

  it('records time of someone known only by email', async () => {
    const entry = await create({ taskId, assigneeEmail: 'contractor@example.org', startAt: '2026-11-29T08:00:00Z', minutes: 0 });
    expect(entry).toMatchObject({ memberId: null, assigneeEmail: 'contractor@example.org', minutes: 0 });
  });

  it.each([
    [{ taskId: 'nope', startAt: '2026-11-29T08:00:00Z', minutes: 5 }, 'taskId'],
    [{ startAt: '2026-11-29T08:00:00Z', minutes: -1 }, 'minutes'],
    [{ startAt: 'today', minutes: 5 }, 'startAt'],
    [{ assigneeEmail: 'x', startAt: '2026-11-29T08:00:00Z', minutes: 5 }, 'assigneeEmail'],
  ])('refuses %j with a 400 naming %s', async (body, path) => {
    const res = await app.fetch('/api/v1/time-entries', { method: 'POST', json: { taskId, ...body }, token: member.token });
    expect(res.status).toBe(400);
    expect((await errorBody(res)).details).toEqual(expect.arrayContaining([expect.objectContaining({ location: 'body', path })]));
  });

  it('refuses both a member and an email, a stranger as member, and a task of another workspace', async () => {
    const base = { taskId, startAt: '2026-11-29T08:00:00Z', minutes: 5 };
    const both = await app.fetch('/api/v1/time-entries', { method: 'POST', json: { ...base, memberId: member.member.id, assigneeEmail: 'a@b.example' }, token: member.token });
    expect(both.status).toBe(400);
    expect((await errorBody(both)).details).toEqual([expect.objectContaining({ path: 'assigneeEmail' })]);
    const other = await otherWorkspace(app, 'time-elsewhere');
    const stranger = await app.fetch('/api/v1/time-entries', { method: 'POST', json: { ...base, memberId: other.workspaceId }, token: member.token });
    expect(stranger.status).toBe(400);
    expect((await errorBody(stranger)).details).toEqual([expect.objectContaining({ path: 'memberId' })]);
    const foreign = await app.fetch('/api/v1/time-entries', { method: 'POST', json: base, token: other.token });
    expect(foreign.status).toBe(404);
    expect((await errorBody(foreign)).message).toContain(`Task '${taskId}'`);
    expect(await sql(app.dbUrl, 'select id from time_entries where workspace_id = $1', [other.workspaceId])).toEqual([]);
  });

  it('answers 404 across workspaces and pages by updated_since', async () => {
    const entry = await create({ taskId, startAt: '2026-11-29T08:00:00Z', minutes: 5 });
    const other = await otherWorkspace(app, 'time-paging');
    for (const init of [{}, { method: 'PATCH', json: { minutes: 1 } }, { method: 'DELETE' }]) {
      expect((await app.fetch(`/api/v1/time-entries/${entry.id}`, { ...init, token: other.token })).status).toBe(404);
    }
    const feed = await app.json(`/api/v1/time-entries?updated_since=${encodeURIComponent(entry.updatedAt)}`, { token: member.token });
    expect(feed.data.map((e: { id: string }) => e.id)).toEqual([entry.id]);
    const otherTask = (await app.json('/api/v1/tasks', { method: 'POST', json: { title: 'Other' }, token: member.token })).id;
    const onOther = await create({ taskId: otherTask, startAt: '2026-11-29T08:00:00Z', minutes: 7 });
    const byTask = await app.json(`/api/v1/time-entries?limit=200&task_id=${otherTask}`, { token: member.token });
    expect(byTask.data.map((e: { id: string }) => e.id)).toEqual([onOther.id]);
    expect((await app.fetch('/api/v1/time-entries?task_id=nope', { token: member.token })).status).toBe(400);
  });
});
