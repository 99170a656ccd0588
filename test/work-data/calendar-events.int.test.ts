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

const review = {
  title: 'Launch review',
  description: 'Go / no-go',
  startAt: '2026-12-04T10:00:00+01:00',
  endAt: '2026-12-04T11:00:00+01:00',
  allDay: false,
  timeZone: 'Europe/Berlin',
  location: 'Room 4.01',
  attendees: ['ada@example.com', 'grace@navy.example'],
};

async function create(body: Record<string, unknown> = review, token = member.token) {
  const res = await app.fetch('/api/v1/calendar-events', { method: 'POST', json: body, token });
  expect(res.status).toBe(201);
  return (await json(res)) as { id: string; updatedAt: string; [k: string]: unknown };
}
const patch = (id: string, body: unknown, token = member.token) => app.fetch(`/api/v1/calendar-events/${id}`, { method: 'PATCH', json: body, token });

describe('calendar events', () => {
  it('lets a Member create, move and delete an event, each with its event in the same transaction', async () => {
    const ev = await create();
    expect(ev).toMatchObject({ ...review, startAt: '2026-12-04T09:00:00.000Z', endAt: '2026-12-04T10:00:00.000Z', createdBy: member.member.id });
    const [row] = await sql<{ start_at: Date; all_day: boolean; attendees: string[] }>(app.dbUrl, 'select start_at, all_day, attendees from calendar_events where id = $1', [ev.id]);
    expect(row).toEqual({ start_at: new Date('2026-12-04T09:00:00Z'), all_day: false, attendees: review.attendees });

    const res = await patch(ev.id, { endAt: '2026-12-04T10:30:00Z', location: null });
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ endAt: '2026-12-04T10:30:00.000Z', location: null });
    expect((await app.fetch(`/api/v1/calendar-events/${ev.id}`, { method: 'DELETE', token: member.token })).status).toBe(204);

    const events = await eventsOf(app, ev.id);
    expect(events.map((e) => e.type)).toEqual(['calendar_event_added', 'calendar_event_updated', 'calendar_event_deleted']);
    for (const e of events) expect(e).toMatchObject({ via: 'api', actor_member_id: member.member.id });
    expect(events[1]!.data).toEqual({ changedFields: ['endAt', 'location'], previous: { endAt: '2026-12-04T10:00:00.000Z', location: 'Room 4.01' }, origin: null });
    expect(await sameTransaction(app, 'calendar_events', ev.id, events[2]!.txid)).toBe(true);
    expect((await app.fetch(`/api/v1/calendar-events/${ev.id}`, { token: member.token })).status).toBe(404);
    const listed = await app.json('/api/v1/calendar-events?limit=200&include_deleted=true', { token: member.token });
    expect(listed.data.map((e: { id: string }) => e.id)).toContain(ev.id);
  });

  it('treats the same instant in another offset as no change', async () => {
    const ev = await create();
    const res = await patch(ev.id, { startAt: '2026-12-04T09:00:00Z', endAt: '2026-12-04T10:00:00.000Z' });
    expect(res.status).toBe(200);
    expect((await json(res)).updatedAt).toBe(ev.updatedAt);
    expect((await eventsOf(app, ev.id)).map((e) => e.type)).toEqual(['calendar_event_added']);
  });

  it.each([
    [{ ...review, endAt: review.startAt }, 'endAt'],
    [{ ...review, startAt: '2026-12-04' }, 'startAt'],
    [{ ...review, timeZone: 'Mars/Olympus' }, 'timeZone'],
    [{ ...review, attendees: ['not-an-email'] }, 'attendees.0'],
    [{ ...review, title: '' }, 'title'],
  ])('refuses %j with a 400 naming %s', async (body, path) => {
    const res = await app.fetch('/api/v1/calendar-events', { method: 'POST', json: body, token: member.token });
    expect(res.status).toBe(400);
    expect((await errorBody(res)).details).toEqual(expect.arrayContaining([expect.objectContaining({ location: 'body', path })]));
  });

  it('refuses a PATCH that moves the start past the end, and changes nothing', async () => {
    const ev = await create();
    const res = await patch(ev.id, { startAt: '2026-12-04T12:00:00Z' });
    expect(res.status).toBe(400);
    const err = await errorBody(res);
    expect(err.details).toEqual([expect.objectContaining({ location: 'body', path: 'startAt' })]);
    const [row] = await sql<{ start_at: Date }>(app.dbUrl, 'select start_at from calendar_events where id = $1', [ev.id]);
    expect(row!.start_at.toISOString()).toBe('2026-12-04T09:00:00.000Z');
    expect((await eventsOf(app, ev.id)).length).toBe(1);
  });

  it('pages by updated_since and answers 404 across workspaces', async () => {
    const ws = await otherWorkspace(app, 'calendar');
    const a = await create(review, ws.token);
    const b = await create(review, ws.token);
    const page1 = await app.json('/api/v1/calendar-events?limit=1', { token: ws.token });
    expect(page1.data.map((e: { id: string }) => e.id)).toEqual([a.id]);
    expect(await app.json(`/api/v1/calendar-events?limit=1&cursor=${page1.nextCursor}`, { token: ws.token })).toEqual({ data: [b], nextCursor: null });
    const feed = await app.json(`/api/v1/calendar-events?updated_since=${encodeURIComponent(b.updatedAt)}`, { token: ws.token });
    expect(feed.data.map((e: { id: string }) => e.id)).toEqual([b.id]);
    for (const init of [{}, { method: 'PATCH', json: { title: 'x' } }, { method: 'DELETE' }]) {
      expect((await app.fetch(`/api/v1/calendar-events/${a.id}`, { ...init, token: member.token })).status).toBe(404);
    }
    expect((await eventsOf(app, a.id)).length).toBe(1);
  });
});
