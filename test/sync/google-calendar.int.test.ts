/**
 * The engine with the Google Calendar events adapter, end to end: real Postgres, graphile-worker
 * runs, the rule made through the API with its suggested mapping, and a stateful fake of Google's
 * events API behind nock (test/fakes/google-calendar.ts). Every request the adapter sent is
 * checked against the Discovery cut at the end of each test.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkRequest, loadDiscovery } from '../contracts/describe.ts';
import { FakeGoogleCalendar } from '../fakes/google-calendar.ts';
import { workspaceWithConnection } from '../helpers/connections.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { sql } from '../helpers/sql.ts';
import { firstRunOf, runNow } from './support.ts';

const doc = loadDiscovery('google-calendar.discovery.json');
let app: TestApp;
beforeAll(async () => {
  // Pages of two, so a full pull of three events pages with pageToken.
  app = await startTestApp({ workers: true, env: { SYNC_PAGE_SIZE: '2' } });
}, 60_000);
afterAll(async () => app?.close());

type Env = { fake: FakeGoogleCalendar; connectionId: string; ruleId: string; token: string; first: any };

const berlin = (day: string, from: string, to: string, extra: Record<string, unknown> = {}) => ({
  start: { dateTime: `${day}T${from}:00+01:00`, timeZone: 'Europe/Berlin' },
  end: { dateTime: `${day}T${to}:00+01:00`, timeZone: 'Europe/Berlin' },
  ...extra,
});

/**
 * Its own workspace (a new rule pushes every local event of its workspace), a Google Calendar
 * connection, the fake holding `remote`, and a two-way rule with the suggested mapping, whose
 * first run (started at once, as a new rule's is) is awaited.
 */
async function setup(name: string, remote: Array<Record<string, any> & { id: string }>, routes: Parameters<FakeGoogleCalendar['serve']>, rule: Record<string, unknown> = {}): Promise<Env> {
  const fake = new FakeGoogleCalendar();
  for (const ev of remote) fake.put('primary', ev);
  fake.serve(...routes);
  const slug = `gcal-${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  const ws = await workspaceWithConnection(app, { slug, name, provider: 'google-calendar', displayName: `Google Calendar (${name})`, credentials: { type: 'oauth2', accessToken: 'ya29.test-access', refreshToken: '1//test-refresh', scopes: ['https://www.googleapis.com/auth/calendar.events'] } });
  const res = await app.fetch(`/api/v1/connections/${ws.connectionId}/rules`, { method: 'POST', token: ws.token, json: { remoteObject: 'events', direction: 'both', ...rule } });
  const body = (await res.json()) as any;
  expect(res.status, JSON.stringify(body)).toBe(201);
  const e = { fake, connectionId: ws.connectionId, ruleId: (body.rule ?? body).id, token: ws.token };
  return { ...e, first: await firstRunOf(app, e) };
}

const sync = (e: Env) => runNow(app, e);

/** The local event linked to a Google event id, as the API shows it. */
async function local(e: Env, remoteId: string) {
  const [link] = await sql<{ local_id: string }>(app.dbUrl, 'select local_id from sync_links where rule_id = $1 and remote_id = $2', [e.ruleId, remoteId]);
  expect(link, `a link for ${remoteId}`).toBeDefined();
  const [row] = await sql<{ deleted_at: Date | null }>(app.dbUrl, 'select deleted_at from calendar_events where id = $1', [link!.local_id]);
  const res = await app.fetch(`/api/v1/calendar-events/${link!.local_id}`, { token: e.token });
  return { id: link!.local_id, deleted: row!.deleted_at !== null, ...(res.status === 200 ? ((await res.json()) as any) : {}) };
}

const lists = (e: Env) => e.fake.requests.filter((r) => r.method === 'GET' && /\/events$/.test(r.url.pathname)).map((r) => Object.fromEntries(r.url.searchParams));
const contractProblems = (e: Env) => e.fake.requests.flatMap((r) => checkRequest(doc, r).map((p) => `${r.method} ${r.url.pathname}: ${p}`));

describe('syncing Google Calendar events', () => {
  it('a full pull pages within its window, keeps time zones and all-day dates; the next pull is incremental by sync token', async () => {
    const e = await setup(
      'Pull',
      [
        { id: 'evtimed01', summary: 'Launch review', description: '<p>Go &amp; <b>no-go</b></p>', location: 'Room 4.01', ...berlin('2027-03-10', '10:00', '11:30'), attendees: [{ email: 'grace@navy.example', responseStatus: 'accepted' }, { email: 'room4@resource.calendar.google.com', resource: true }] },
        { id: 'evallday01', summary: 'Offsite', start: { date: '2027-03-15' }, end: { date: '2027-03-17' } },
        { id: 'evuntitled', start: { dateTime: '2027-03-11T08:00:00Z' }, end: { dateTime: '2027-03-11T08:30:00Z' } },
        // Ended long before the full pull's window: never listed.
        { id: 'evold00001', summary: 'Long ago', start: { dateTime: '2020-01-06T09:00:00Z' }, end: { dateTime: '2020-01-06T10:00:00Z' } },
      ],
      ['list'],
    );
    expect(e.first, JSON.stringify(e.first)).toMatchObject({ status: 'succeeded', mode: 'full', counts: { pulled: 3, linked: 3, errors: 0 } });
    expect(await local(e, 'evtimed01')).toMatchObject({
      title: 'Launch review',
      description: 'Go & no-go',
      location: 'Room 4.01',
      startAt: '2027-03-10T09:00:00.000Z',
      endAt: '2027-03-10T10:30:00.000Z',
      allDay: false,
      timeZone: 'Europe/Berlin',
      attendees: ['grace@navy.example'],
    });
    expect(await local(e, 'evallday01')).toMatchObject({ title: 'Offsite', startAt: '2027-03-15T00:00:00.000Z', endAt: '2027-03-17T00:00:00.000Z', allDay: true, timeZone: null });
    expect(await local(e, 'evuntitled')).toMatchObject({ title: '(No title)', startAt: '2027-03-11T08:00:00.000Z' });
    const [[n]] = [await sql<{ n: number }>(app.dbUrl, 'select count(*)::int as n from sync_links where rule_id = $1', [e.ruleId])];
    expect(n!.n).toBe(3);

    // Full pull: two pages with the same timeMin, singleEvents and showDeleted; no sync token.
    const [p1, p2] = lists(e);
    expect(p1).toMatchObject({ singleEvents: 'true', showDeleted: 'true', maxResults: '2' });
    expect(Date.parse(p1!.timeMin!)).toBeLessThan(Date.now() - 89 * 86_400_000);
    expect(p1).not.toHaveProperty('syncToken');
    expect(p2).toMatchObject({ timeMin: p1!.timeMin, pageToken: expect.any(String) });

    e.fake.put('primary', { id: 'evtimed01', ...berlin('2027-03-10', '14:00', '15:00') });
    const run = await sync(e);
    expect(run).toMatchObject({ status: 'succeeded', mode: 'incremental', counts: { pulled: 1, pushed: 0, errors: 0 } });
    expect(await local(e, 'evtimed01')).toMatchObject({ title: 'Launch review', startAt: '2027-03-10T13:00:00.000Z', endAt: '2027-03-10T14:00:00.000Z', timeZone: 'Europe/Berlin' });
    const incremental = lists(e).at(-1)!;
    expect(incremental).toMatchObject({ syncToken: expect.any(String), singleEvents: 'true', showDeleted: 'true' });
    expect(incremental).not.toHaveProperty('timeMin');

    // Nothing changed on either side: nothing moves, nothing echoes back.
    expect((await sync(e)).counts).toMatchObject({ pulled: 0, pushed: 0, conflicts: 0 });
    expect(contractProblems(e)).toEqual([]);
  });

  it('a local event is created at Google once, under an id derived from its intent; a local change is written back', async () => {
    const e = await setup('Push', [], ['list', 'insert', 'get', 'update']);
    const created = await app.json('/api/v1/calendar-events', {
      method: 'POST',
      token: e.token,
      json: { title: 'Planning', description: 'Agenda\n\nSecond part', startAt: '2027-04-01T07:00:00.000Z', endAt: '2027-04-01T08:00:00.000Z', timeZone: 'Europe/Berlin', location: 'Room 2', attendees: ['grace@navy.example'] },
    });
    const pushed = await sync(e);
    expect(pushed).toMatchObject({ status: 'succeeded', counts: { pushed: 1, linked: 1, errors: 0 } });
    const inserts = e.fake.requests.filter((r) => r.method === 'POST');
    expect(inserts).toHaveLength(1);
    const sent = JSON.parse(inserts[0]!.body);
    expect(sent.id).toMatch(/^[0-9a-f]{64}$/);
    expect(sent).toMatchObject({
      summary: 'Planning',
      description: '<p>Agenda</p><p>Second part</p>',
      location: 'Room 2',
      // Summer time in Berlin by April: the wall-clock time with its offset, and the zone.
      start: { dateTime: '2027-04-01T09:00:00+02:00', timeZone: 'Europe/Berlin' },
      end: { dateTime: '2027-04-01T10:00:00+02:00', timeZone: 'Europe/Berlin' },
      attendees: [{ email: 'grace@navy.example' }],
    });
    expect((await local(e, sent.id)).id).toBe(created.id);

    await app.fetch(`/api/v1/calendar-events/${created.id}`, { method: 'PATCH', token: e.token, json: { title: 'Planning (moved)', startAt: '2027-04-01T08:00:00.000Z', endAt: '2027-04-01T09:30:00.000Z' } });
    const updated = await sync(e);
    expect(updated).toMatchObject({ status: 'succeeded', counts: { pushed: 1, errors: 0, conflicts: 0 } });
    expect(e.fake.event('primary', sent.id)).toMatchObject({
      summary: 'Planning (moved)',
      location: 'Room 2',
      start: { dateTime: '2027-04-01T10:00:00+02:00', timeZone: 'Europe/Berlin' },
      end: { dateTime: '2027-04-01T11:30:00+02:00', timeZone: 'Europe/Berlin' },
    });
    const put = e.fake.requests.find((r) => r.method === 'PUT')!;
    expect(put.headers.get('if-match')).toMatch(/^"\d+"$/);

    // The feed now shows both writes; neither comes back as a change, nothing is pushed again.
    expect((await sync(e)).counts).toMatchObject({ pushed: 0, conflicts: 0 });
    expect(e.fake.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
    expect(e.fake.events('primary')).toHaveLength(1);
    expect(contractProblems(e)).toEqual([]);
  });

  it('cancelled events are deletes here (tombstones); a local delete is a DELETE at Google', async () => {
    const e = await setup('Deletes', [
      { id: 'evcancel01', summary: 'Cancelled at Google', ...berlin('2027-03-02', '09:00', '10:00') },
      { id: 'evdelete01', summary: 'Deleted here', ...berlin('2027-03-03', '09:00', '10:00') },
    ], ['list', 'delete']);
    expect(e.first.counts).toMatchObject({ pulled: 2, linked: 2 });

    e.fake.cancel('primary', 'evcancel01');
    const pulled = await sync(e);
    expect(pulled).toMatchObject({ status: 'succeeded', counts: { deleted: 1, errors: 0 } });
    // The rule's delete policy is `mark`: kept here, marked removed at the provider.
    expect(await local(e, 'evcancel01')).toMatchObject({ deleted: false, removedRemotelyAt: expect.any(String) });

    const gone = await local(e, 'evdelete01');
    expect((await app.fetch(`/api/v1/calendar-events/${gone.id}`, { method: 'DELETE', token: e.token })).status).toBe(204);
    const pushed = await sync(e);
    expect(pushed).toMatchObject({ status: 'succeeded', counts: { pushed: 1, deleted: 1, errors: 0 } });
    expect(e.fake.event('primary', 'evdelete01')!.status).toBe('cancelled');
    // Its own delete comes back as a cancelled event: nothing more happens.
    expect((await sync(e)).counts).toMatchObject({ pushed: 0, deleted: 0, errors: 0 });
    expect(e.fake.requests.filter((r) => r.method === 'DELETE')).toHaveLength(1);
    expect(contractProblems(e)).toEqual([]);
  });

  it('the same field changed on both sides within the grace window is a conflict; the later write wins', async () => {
    const e = await setup('Conflict', [{ id: 'evstandup1', summary: 'Standup', location: 'Room 1', ...berlin('2027-03-04', '09:00', '09:15') }], ['list']);
    const standup = await local(e, 'evstandup1');
    await app.fetch(`/api/v1/calendar-events/${standup.id}`, { method: 'PATCH', token: e.token, json: { title: 'Standup (local)' } });
    await sleep(20);
    e.fake.put('primary', { id: 'evstandup1', summary: 'Standup (remote)' });
    const run = await sync(e);
    expect(run).toMatchObject({ status: 'succeeded', counts: { conflicts: 1, pushed: 0, errors: 0 } });
    expect(run.conflicts).toEqual([expect.objectContaining({ remoteId: 'evstandup1', field: 'title', localValue: 'Standup (local)', remoteValue: 'Standup (remote)', winner: 'remote' })]);
    expect(await local(e, 'evstandup1')).toMatchObject({ title: 'Standup (remote)', location: 'Room 1' });
    expect(contractProblems(e)).toEqual([]);
  });

  it('410 Gone on the sync token: a full resync, which also sees what was cancelled meanwhile', async () => {
    const e = await setup('Resync', [
      { id: 'evkeep0001', summary: 'Kept', ...berlin('2027-03-05', '09:00', '10:00') },
      { id: 'evgone0001', summary: 'Gone while the token expired', ...berlin('2027-03-06', '09:00', '10:00') },
    ], ['list']);
    e.fake.put('primary', { id: 'evkeep0001', summary: 'Kept, renamed' });
    e.fake.cancel('primary', 'evgone0001');
    e.fake.expireSyncTokens();
    const before = lists(e).length;

    const run = await sync(e);
    expect(run).toMatchObject({ status: 'succeeded', mode: 'full', counts: { deleted: 1, errors: 0 } });
    expect(run.warnings.join('\n')).toMatch(/410 Gone.*full resync/);
    const [refused, full] = lists(e).slice(before);
    expect(refused).toHaveProperty('syncToken');
    expect(full).toMatchObject({ timeMin: expect.any(String), showDeleted: 'true', singleEvents: 'true' });
    expect(full).not.toHaveProperty('syncToken');
    expect(await local(e, 'evkeep0001')).toMatchObject({ title: 'Kept, renamed' });
    expect(await local(e, 'evgone0001')).toMatchObject({ removedRemotelyAt: expect.any(String) });

    // The new token works again.
    expect(await sync(e)).toMatchObject({ status: 'succeeded', mode: 'incremental', counts: { pulled: 0 } });
    expect(lists(e).at(-1)).toHaveProperty('syncToken');
    expect(contractProblems(e)).toEqual([]);
  });

  it('a recurring event syncs as its instances: a local change writes that instance only; a cancelled instance is deleted alone', async () => {
    const instance = (day: string) => ({
      id: `rec0weekly_${day.replace(/-/g, '')}T080000Z`,
      summary: 'Weekly sync',
      recurringEventId: 'rec0weekly',
      originalStartTime: { dateTime: `${day}T09:00:00+01:00`, timeZone: 'Europe/Berlin' },
      ...berlin(day, '09:00', '09:30'),
    });
    const [a, b, c] = [instance('2027-03-01'), instance('2027-03-08'), instance('2027-03-15')];
    const e = await setup('Recurring', [a, b, c], ['list', 'get', 'update']);
    expect(e.first.counts).toMatchObject({ pulled: 3, linked: 3 });
    expect(await local(e, b.id)).toMatchObject({ title: 'Weekly sync', startAt: '2027-03-08T08:00:00.000Z', timeZone: 'Europe/Berlin' });

    const second = await local(e, b.id);
    await app.fetch(`/api/v1/calendar-events/${second.id}`, { method: 'PATCH', token: e.token, json: { title: 'Weekly sync (in room 5)', location: 'Room 5' } });
    expect(await sync(e)).toMatchObject({ status: 'succeeded', counts: { pushed: 1, errors: 0 } });
    const puts = e.fake.requests.filter((r) => r.method === 'PUT');
    expect(puts.map((r) => decodeURIComponent(r.url.pathname))).toEqual([`/calendar/v3/calendars/primary/events/${b.id}`]);
    expect(e.fake.event('primary', b.id)).toMatchObject({ summary: 'Weekly sync (in room 5)', location: 'Room 5', recurringEventId: 'rec0weekly', originalStartTime: b.originalStartTime, start: b.start });
    for (const other of [a, c]) expect(e.fake.event('primary', other.id)).toMatchObject({ summary: 'Weekly sync', etag: expect.any(String) });

    e.fake.cancel('primary', c.id);
    expect(await sync(e)).toMatchObject({ status: 'succeeded', counts: { deleted: 1, errors: 0 } });
    expect(await local(e, c.id)).toMatchObject({ removedRemotelyAt: expect.any(String) });
    expect(await local(e, a.id)).toMatchObject({ removedRemotelyAt: null, title: 'Weekly sync' });
    expect(await local(e, b.id)).toMatchObject({ removedRemotelyAt: null, title: 'Weekly sync (in room 5)' });
    expect(contractProblems(e)).toEqual([]);
  });
});
