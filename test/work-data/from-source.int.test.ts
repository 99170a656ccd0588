/**
 * Task relationships (HourStack): POST /api/v1/tasks/from-source against the real Sandbox (and
 * Asana through nock), over real Postgres. One source item imported three times — open, open,
 * then after its task is marked done — gives one task with two time entries, then a second task
 * with one; simultaneous imports make one task; the database refuses a second open task for an
 * item; the errors say what is wrong.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../src/connections/actor.ts';
import { markErrored } from '../../src/connections/system-transitions.ts';
import { Connection } from '../../src/entities/connection.ts';
import { Workspace } from '../../src/entities/workspace.ts';
import { getProvider } from '../../src/providers/registry.ts';
import { createAccount } from '../../src/sandbox/store.ts';
import { parseAt } from '../../src/commands/handlers/schedule.ts';
import { itemIdOf, sourceLinkedTask } from '../../src/work/task-sources.ts';
import { FakeAsana } from '../fakes/asana-api.ts';
import { errorBody, json, startTestApp, type TestApp } from '../helpers/app.ts';
import { memberWithToken } from '../helpers/members.ts';
import { npmChat } from '../helpers/npm-chat.ts';
import { sql } from '../helpers/sql.ts';
import { sbx } from '../sandbox/support.ts';
import { eventsOf, otherWorkspace } from './support.ts';

let app: TestApp;
let member: { token: string; member: { id: string } };
let workspaceId: string;
let key: string;
let connectionId: string;

beforeAll(async () => {
  app = await startTestApp({ env: { SANDBOX_ENABLED: 'true' } });
  member = await memberWithToken(app, 'member', 'mia@example.com');
  workspaceId = (await app.pb.rt.em().findOneOrFail(Workspace, { slug: 'default' })).id;
  ({ key } = await createAccount(app.pb.rt.db.pool, 'HourStack Co'));
  const res = await app.fetch('/api/v1/connections', { method: 'POST', json: { provider: 'sandbox', displayName: 'Sandbox', credentials: { apiKey: key } } });
  expect(res.status).toBe(201);
  connectionId = (await json(res)).connection.id;
}, 60_000);
afterAll(async () => {
  await app?.close();
});

async function sandboxTask(fields: Record<string, unknown>): Promise<string> {
  const res = await sbx(app, key, '/tasks', { method: 'POST', json: fields });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

const schedule = (body: Record<string, unknown>, token = member.token) => app.fetch('/api/v1/tasks/from-source', { method: 'POST', json: body, token });

async function scheduled(body: Record<string, unknown>) {
  const res = await schedule(body);
  const out = await json(res);
  expect(res.status, JSON.stringify(out)).toBe(201);
  return out as { task: any; timeEntry: any; taskCreated: boolean; source: { connectionId: string; remoteId: string } };
}

const tasksFor = (remoteId: string) =>
  sql<{ id: string; title: string; status: string; scheduled_minutes: number | null; description: string | null; entries: number }>(
    app.dbUrl,
    `select t.id, t.title, t.status, t.scheduled_minutes, t.description, (select count(*)::int from time_entries e where e.task_id = t.id and e.deleted_at is null) as entries
       from tasks t where t.source_remote_id = $1 order by t.created_at`,
    [remoteId],
  );

describe('POST /api/v1/tasks/from-source', () => {
  it('imports one item three times: open, open, then after done → one task with two entries, then a second task with one', async () => {
    const remoteId = await sandboxTask({ name: 'Write the spec [1h30m]', notes: '<p>Scope &amp; <b>owners</b></p>', due_on: '2026-12-04' });

    const first = await scheduled({ connectionId, remoteId, start: '2026-11-30T09:00:00Z' });
    expect(first.taskCreated).toBe(true);
    expect(first.source).toEqual({ connectionId, remoteId });
    // Title syntax applied: the bracket becomes scheduled minutes; HTML notes become text.
    expect(first.task).toMatchObject({ title: 'Write the spec', scheduledMinutes: 90, status: 'open', description: 'Scope & owners', dueDate: '2026-12-04', createdBy: member.member.id });
    // Minutes default to the task's scheduled minutes; the entry is the caller's own time.
    expect(first.timeEntry).toMatchObject({ taskId: first.task.id, startAt: '2026-11-30T09:00:00.000Z', minutes: 90, memberId: member.member.id });

    const second = await scheduled({ connectionId, remoteId, minutes: 45 });
    expect(second.taskCreated).toBe(false);
    expect(second.task.id).toBe(first.task.id);
    expect(second.timeEntry).toMatchObject({ taskId: first.task.id, minutes: 45 });
    // Start defaults to now.
    expect(Math.abs(Date.parse(second.timeEntry.startAt) - Date.now())).toBeLessThan(60_000);

    const done = await app.fetch(`/api/v1/tasks/${first.task.id}`, { method: 'PATCH', json: { status: 'done' }, token: member.token });
    expect(done.status).toBe(200);

    const third = await scheduled({ connectionId, remoteId });
    expect(third.taskCreated).toBe(true);
    expect(third.task.id).not.toBe(first.task.id);
    expect(third.timeEntry).toMatchObject({ taskId: third.task.id, minutes: 90 });

    expect(await tasksFor(remoteId)).toEqual([
      expect.objectContaining({ id: first.task.id, status: 'done', entries: 2 }),
      expect.objectContaining({ id: third.task.id, status: 'open', entries: 1 }),
    ]);

    // Through the work services: task_added and timetracking_added, as for any task.
    expect((await eventsOf(app, first.task.id)).map((e) => e.type)).toEqual(['task_added', 'task_updated', 'task_status_changed']);
    expect(await eventsOf(app, first.timeEntry.id)).toEqual([expect.objectContaining({ type: 'timetracking_added', via: 'api', actor_member_id: member.member.id })]);
    expect((await eventsOf(app, third.task.id)).map((e) => e.type)).toEqual(['task_added']);

    // The link on the task view, and the lookup other code uses.
    expect(await app.json(`/api/v1/tasks/${third.task.id}`, { token: member.token })).toMatchObject({ id: third.task.id, source: { connectionId, remoteId } });
    expect((await app.json(`/api/v1/tasks/${first.task.id}`, { token: member.token })).source).toEqual({ connectionId, remoteId });
    expect((await sourceLinkedTask(app.pb.rt.em(), workspaceId, connectionId, remoteId))?.id).toBe(third.task.id);
    expect(await sourceLinkedTask(app.pb.rt.em(), workspaceId, connectionId, 'tsk_nothing')).toBeNull();
  });

  it('without a title bracket, the entry lasts 30 minutes; the item may be given as its Sandbox URL', async () => {
    const remoteId = await sandboxTask({ name: 'Call the printer' });
    const out = await scheduled({ connectionId, remoteId: `${app.url}/sandbox/api/tasks/${remoteId}` });
    expect(out.source.remoteId).toBe(remoteId);
    expect(out.task).toMatchObject({ title: 'Call the printer', scheduledMinutes: null });
    expect(out.timeEntry.minutes).toBe(30);
  });

  it('two simultaneous imports of a new item make one task (with both entries)', async () => {
    const remoteId = await sandboxTask({ name: 'Race me [20m]' });
    const results = await Promise.all([1, 2, 3].map(() => schedule({ connectionId, remoteId })));
    expect(results.map((r) => r.status)).toEqual([201, 201, 201]);
    const bodies = await Promise.all(results.map((r) => json(r)));
    expect(bodies.filter((b) => b.taskCreated)).toHaveLength(1);
    expect(new Set(bodies.map((b) => b.task.id)).size).toBe(1);
    expect(await tasksFor(remoteId)).toEqual([expect.objectContaining({ status: 'open', entries: 3 })]);
  });

  it('the database refuses a second open task for an item: reopening an old done task is a 409', async () => {
    const remoteId = await sandboxTask({ name: 'Twice' });
    const a = await scheduled({ connectionId, remoteId });
    expect((await app.fetch(`/api/v1/tasks/${a.task.id}`, { method: 'PATCH', json: { status: 'done' }, token: member.token })).status).toBe(200);
    const b = await scheduled({ connectionId, remoteId });
    expect(b.taskCreated).toBe(true);
    const reopen = await app.fetch(`/api/v1/tasks/${a.task.id}`, { method: 'PATCH', json: { status: 'open' }, token: member.token });
    expect(reopen.status).toBe(409);
    expect((await errorBody(reopen)).message).toContain('never linked to two open tasks');
    // And straight in SQL, past every service.
    await expect(sql(app.dbUrl, `update tasks set status = 'open' where id = $1`, [a.task.id])).rejects.toThrow(/tasks_source_open_unique/);
    // A deleted open task frees the item.
    expect((await app.fetch(`/api/v1/tasks/${b.task.id}`, { method: 'DELETE', token: member.token })).status).toBe(204);
    const c = await scheduled({ connectionId, remoteId });
    expect(c.taskCreated).toBe(true);
  });
});

describe('POST /api/v1/tasks/from-source: errors', () => {
  it('400 with the issues for bad input', async () => {
    const res = await schedule({ connectionId: 'nope', remoteId: '', minutes: 0, extra: 1 });
    expect(res.status).toBe(400);
    const body = await errorBody(res);
    expect(body.code).toBe('validation_failed');
    const paths = (body.details as Array<{ path: string }>).map((d) => d.path).sort();
    expect(paths).toEqual(expect.arrayContaining(['connectionId', 'remoteId', 'minutes']));
  });

  it('404 for an unknown connection, and for one of another workspace', async () => {
    const res = await schedule({ connectionId: '00000000-0000-4000-8000-000000000000', remoteId: 'tsk_1' });
    expect(res.status).toBe(404);
    expect((await errorBody(res)).message).toContain("Connection '00000000-0000-4000-8000-000000000000' was not found");
    const other = await otherWorkspace(app, 'elsewhere');
    const theirs = await app.fetch('/api/v1/connections', { method: 'POST', token: other.token, json: { provider: 'sandbox', displayName: 'Theirs', credentials: { apiKey: key } } });
    expect(theirs.status).toBe(201);
    const remoteId = await sandboxTask({ name: 'Not yours' });
    expect((await schedule({ connectionId: (await json(theirs)).connection.id, remoteId })).status).toBe(404);
    expect(await tasksFor(remoteId)).toEqual([]);
  });

  it('404 naming the provider for an item it does not have', async () => {
    const res = await schedule({ connectionId, remoteId: 'tsk_00000000000000000000' });
    expect(res.status).toBe(404);
    expect((await errorBody(res)).message).toBe("Patchbay Sandbox has no task 'tsk_00000000000000000000' (connection Sandbox).");
  });

  it('422 for a provider without tasks', async () => {
    const em = app.pb.rt.em();
    const c = em.create(Connection, { workspace: workspaceId, providerSlug: 'hubspot', displayName: 'HubSpot', authKind: 'oauth2', credentials: app.pb.rt.vault.encrypt({ type: 'oauth2', accessToken: 'x', scopes: [] }) });
    await em.flush();
    const res = await schedule({ connectionId: c.id, remoteId: '123' });
    expect(res.status).toBe(422);
    expect((await errorBody(res)).message).toContain('HubSpot has no tasks Patchbay can read');
  });

  it('409 for a paused connection, as a sync refuses; nothing is stored', async () => {
    const res = await app.fetch('/api/v1/connections', { method: 'POST', json: { provider: 'sandbox', displayName: 'Paused box', credentials: { apiKey: key } } });
    const paused = (await json(res)).connection.id;
    expect((await app.fetch(`/api/v1/connections/${paused}/pause`, { method: 'POST', json: {} })).status).toBe(200);
    const remoteId = await sandboxTask({ name: 'Not now' });
    const out = await schedule({ connectionId: paused, remoteId });
    expect(out.status).toBe(409);
    expect((await errorBody(out)).message).toContain('Paused box is paused. Resume it first');
    expect(await tasksFor(remoteId)).toEqual([]);
  });

  it('409 for an errored connection, saying how to recover', async () => {
    const res = await app.fetch('/api/v1/connections', { method: 'POST', json: { provider: 'sandbox', displayName: 'Broken box', credentials: { apiKey: key } } });
    const broken = (await json(res)).connection.id;
    await markErrored(app.pb.rt, systemActor(workspaceId, 'test'), broken, 'Authentication failed');
    const out = await schedule({ connectionId: broken, remoteId: await sandboxTask({ name: 'Later' }) });
    expect(out.status).toBe(409);
    expect((await errorBody(out)).message).toBe('Broken box is errored (Authentication failed). Reconnect it or test it to recover, then schedule from it.');
  });
});

describe('Asana items', () => {
  it('reads an Asana task by its URL through the tasks adapter, title syntax applied', async () => {
    const em = app.pb.rt.em();
    const c = em.create(Connection, {
      workspace: workspaceId,
      providerSlug: 'asana',
      displayName: 'Asana',
      authKind: 'oauth2',
      credentials: app.pb.rt.vault.encrypt({ type: 'oauth2', accessToken: 'asana-access-0123456789', refreshToken: 'asana-refresh-9876543210', scopes: ['tasks:read'] }),
    });
    await em.flush();
    const asana = new FakeAsana();
    const t = asana.add('1207894561234567', { name: 'Review the deck [45m]' });
    asana.serve(['get']);
    const out = await scheduled({ connectionId: c.id, remoteId: `https://app.asana.com/0/1207894561234567/${t.gid}/f` });
    expect(out.source).toEqual({ connectionId: c.id, remoteId: t.gid });
    expect(out.task).toMatchObject({ title: 'Review the deck', scheduledMinutes: 45 });
    expect(out.timeEntry.minutes).toBe(45);
  });

  it('takes the ids out of Asana and Sandbox links', () => {
    const asana = getProvider('asana');
    expect(itemIdOf(asana, '1209876543210987')).toBe('1209876543210987');
    expect(itemIdOf(asana, 'https://app.asana.com/0/1207894561234567/1209876543210987')).toBe('1209876543210987');
    expect(itemIdOf(asana, 'https://app.asana.com/0/1207894561234567/1209876543210987/f')).toBe('1209876543210987');
    expect(itemIdOf(asana, 'https://app.asana.com/1/1200000000000001/project/1207894561234567/task/1209876543210987?focus=true')).toBe('1209876543210987');
    expect(itemIdOf(getProvider('sandbox'), 'http://localhost:3000/sandbox/api/tasks/tsk_0123456789abcdef0123')).toBe('tsk_0123456789abcdef0123');
    expect(() => itemIdOf(asana, 'https://app.asana.com/0/home')).toThrow(/paste the task's id instead/);
  });
});

describe('chat: schedule <connection> <item> [at <time>]', () => {
  it('a Member schedules from the terminal: a task the first time, then time on it; a bad time is a usage error', async () => {
    const remoteId = await sandboxTask({ name: 'Plan the offsite [2h]' });
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const env = { SANDBOX_ENABLED: 'true', SANDBOX_URL: `${app.url}/sandbox/api` };
    const first = await npmChat(app.dbUrl, ['--as', 'mia@example.com', 'schedule', 'Sandbox', remoteId, 'at', 'tomorrow', '9:00'], '', env);
    expect(first.code, first.stderr + first.stdout).toBe(0);
    expect(first.stdout).toContain(`scheduled Plan the offsite (Sandbox ${remoteId}): a new task, 120 min from ${tomorrow} 09:00 UTC.`);
    const again = await npmChat(app.dbUrl, ['--as', 'mia@example.com', 'schedule', 'sandbox', `${app.url}/sandbox/api/tasks/${remoteId}`], '', env);
    expect(again.code, again.stderr + again.stdout).toBe(0);
    expect(again.stdout).toContain(`scheduled Plan the offsite again (Sandbox ${remoteId}): 120 min from`);
    expect(await tasksFor(remoteId)).toEqual([expect.objectContaining({ title: 'Plan the offsite', status: 'open', entries: 2 })]);
    const [task] = await tasksFor(remoteId);
    expect((await eventsOf(app, task!.id))[0]).toMatchObject({ type: 'task_added', via: 'cli', actor_member_id: member.member.id });

    const bad = await npmChat(app.dbUrl, ['--as', 'mia@example.com', 'schedule', 'Sandbox', remoteId, 'at', 'noonish'], '', env);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('noonish is not a time I can read');
    expect(bad.stdout).toContain('schedule <connection> <item id or URL> [at <time>]');
    expect(await tasksFor(remoteId)).toEqual([expect.objectContaining({ entries: 2 })]);
  }, 60_000);

  it('reads HH:MM, today/tomorrow HH:MM and ISO date-times, in UTC', () => {
    const now = new Date('2026-11-29T22:30:00Z');
    expect(parseAt('14:30', now)?.toISOString()).toBe('2026-11-29T14:30:00.000Z');
    expect(parseAt('tomorrow 9:00', now)?.toISOString()).toBe('2026-11-30T09:00:00.000Z');
    expect(parseAt('Today 09:05', now)?.toISOString()).toBe('2026-11-29T09:05:00.000Z');
    expect(parseAt('2026-12-01T09:00:00+01:00', now)?.toISOString()).toBe('2026-12-01T08:00:00.000Z');
    expect(parseAt('2026-12-01 09:00', now)?.toISOString()).toBe('2026-12-01T09:00:00.000Z');
    for (const bad of ['25:00', 'noon', 'next week', '2026-13-01T00:00Z']) expect(parseAt(bad, now), bad).toBeNull();
  });
});
