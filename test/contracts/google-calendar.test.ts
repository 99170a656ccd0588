import { describe, expect, it } from 'vitest';
import { googleCalendar } from '../../src/providers/google-calendar/index.ts';
import { calendarListEntrySchema } from '../../src/providers/google-calendar/connector.ts';
import { eventSchema, eventsPageSchema } from '../../src/providers/google-calendar/adapters/event-shape.ts';
import { eventIdFor, eventsAdapter } from '../../src/providers/google-calendar/adapters/events.ts';
import { channelSchema, webhooks } from '../../src/providers/google-calendar/webhooks.ts';
import { testContext } from '../providers/helpers.ts';
import { checkRequest, instances, loadDiscovery, responseSchema } from './describe.ts';
import { exercise, expectFixtureValid, expectRequestsValid, expectSchemaNotStricter } from './harness.ts';

const doc = loadDiscovery('google-calendar.discovery.json');
const PATH = '/calendar/v3/users/me/calendarList/primary';
const creds = { type: 'oauth2' as const, accessToken: 'ya29.a0AfH6SMBx-access-token', refreshToken: '1//0g-refresh-token-value', scopes: [] };
const entry = { kind: 'calendar#calendarListEntry', etag: '"1700000000000000"', id: 'ada@example.com', summary: 'ada@example.com', timeZone: 'Europe/London', colorId: '14', accessRole: 'owner' };

describe('Google Calendar against its Discovery document', () => {
  it('names its source', () => expect(doc.source).toContain('calendar/v3/calendar-api.json'));

  it('test is calendarList.get; the revoke URL is Google OAuth, outside the Calendar description', async () => {
    expectFixtureValid(doc, 'GET', PATH, 200, entry);
    const reqs = await exercise('https://www.googleapis.com', [{ method: 'GET', path: PATH, status: 200, body: entry }], () =>
      googleCalendar.connector.test(testContext({ provider: googleCalendar, credentials: creds })),
    );
    expectRequestsValid(doc, reqs);
    expect(googleCalendar.definition.auth.oauth2!.revokeUrl).toBe('https://oauth2.googleapis.com/revoke');
  });

  it('the response schema is not stricter than the description', () => {
    expectSchemaNotStricter(doc, 'GET', PATH, calendarListEntrySchema);
    expect(instances(doc, responseSchema(doc, 'GET', PATH, 200))[0]).toEqual({});
  });

  describe('events (the sync adapter)', () => {
    const API = 'https://www.googleapis.com';
    const EVENTS = '/calendar/v3/calendars/primary/events';
    const ctx = () => testContext({ provider: googleCalendar, credentials: creds });
    // Event resource: https://developers.google.com/workspace/calendar/api/v3/reference/events#resource
    const event = {
      kind: 'calendar#event',
      etag: '"3400000000000000"',
      id: 'evt1abc',
      status: 'confirmed',
      htmlLink: 'https://www.google.com/calendar/event?eid=ZXZ0MWFiYw',
      created: '2026-11-01T09:00:00.000Z',
      updated: '2026-11-02T09:00:00.000Z',
      summary: 'Launch review',
      description: '<b>Go</b> / no-go',
      location: 'Room 4.01',
      creator: { email: 'ada@example.com', self: true },
      organizer: { email: 'ada@example.com', self: true },
      start: { dateTime: '2026-12-04T10:00:00+01:00', timeZone: 'Europe/Berlin' },
      end: { dateTime: '2026-12-04T11:00:00+01:00', timeZone: 'Europe/Berlin' },
      attendees: [{ email: 'grace@navy.example', responseStatus: 'accepted' }, { email: 'room@resource.calendar.google.com', resource: true, responseStatus: 'accepted' }],
      iCalUID: 'evt1abc@google.com',
      sequence: 0,
      reminders: { useDefault: true },
      eventType: 'default',
    };
    const instance = { ...event, id: 'rec9_20261201T090000Z', recurringEventId: 'rec9', originalStartTime: { dateTime: '2026-12-01T10:00:00+01:00', timeZone: 'Europe/Berlin' } };
    const cancelled = { kind: 'calendar#event', etag: '"1"', id: 'gone1', status: 'cancelled' };
    const page1 = { kind: 'calendar#events', etag: '"p1"', summary: 'ada@example.com', updated: '2026-11-02T09:00:00.000Z', timeZone: 'Europe/Berlin', accessRole: 'owner', defaultReminders: [{ method: 'popup', minutes: 10 }], nextPageToken: 'CiAKGjBp', items: [event, instance] };
    const page2 = { kind: 'calendar#events', etag: '"p2"', summary: 'ada@example.com', updated: '2026-11-02T09:00:00.000Z', timeZone: 'Europe/Berlin', accessRole: 'owner', nextSyncToken: 'CPDAlvWDx70CEPDAlvWDx70CGAU=', items: [cancelled] };
    const gone = { error: { errors: [{ domain: 'calendar', reason: 'fullSyncRequired', message: 'Sync token is no longer valid, a full sync is required.' }], code: 410, message: 'Sync token is no longer valid, a full sync is required.' } };

    it('the fixtures are Events and Event as described; the adapter\'s schemas are not stricter', () => {
      for (const body of [page1, page2]) expectFixtureValid(doc, 'GET', EVENTS, 200, body);
      expectFixtureValid(doc, 'GET', `${EVENTS}/evt1abc`, 200, event);
      expectSchemaNotStricter(doc, 'GET', EVENTS, eventsPageSchema);
      expectSchemaNotStricter(doc, 'GET', `${EVENTS}/evt1abc`, eventSchema);
    });

    it('events.list: a full pull (timeMin, pageToken), then incremental (syncToken only), then 410', async () => {
      let cursor: unknown = null;
      const full = await exercise(API, [{ method: 'GET', path: EVENTS, status: 200, body: page1 }], async () => (cursor = (await eventsAdapter.listChanged(ctx(), { cursor: null, scope: {}, pageSize: 100 })).cursor));
      const next = await exercise(API, [{ method: 'GET', path: EVENTS, status: 200, body: page2 }], () => eventsAdapter.listChanged(ctx(), { cursor, scope: {}, pageSize: 100 }));
      const incremental = await exercise(API, [{ method: 'GET', path: EVENTS, status: 410, body: gone }], () =>
        eventsAdapter.listChanged(ctx(), { cursor: { calendarId: 'primary', syncToken: page2.nextSyncToken, pageToken: null, timeMin: null }, scope: {}, pageSize: 100 }),
      );
      expectRequestsValid(doc, [...full, ...next, ...incremental]);
      expect(full[0]!.url.searchParams.get('timeMin')).toMatch(/Z$/);
      expect(next[0]!.url.searchParams.get('pageToken')).toBe('CiAKGjBp');
      expect(next[0]!.url.searchParams.get('timeMin')).toBe(full[0]!.url.searchParams.get('timeMin'));
      const inc = incremental[0]!.url.searchParams;
      expect(inc.get('syncToken')).toBe(page2.nextSyncToken);
      // Google refuses these with a sync token; the others must stay as the full pull had them.
      for (const p of ['timeMin', 'timeMax', 'orderBy', 'q', 'iCalUID', 'updatedMin', 'privateExtendedProperty', 'sharedExtendedProperty']) expect(inc.has(p), p).toBe(false);
      for (const p of ['singleEvents', 'showDeleted', 'maxResults']) expect(inc.get(p), p).toBe(full[0]!.url.searchParams.get(p));
    });

    it('events.insert with the derived id, 409 → events.get; events.update of the event read (If-Match), 412 → read again; events.delete', async () => {
      const id = eventIdFor('intent-key-1');
      const conflict = { error: { errors: [{ domain: 'global', reason: 'duplicate', message: 'The requested identifier already exists.' }], code: 409, message: 'The requested identifier already exists.' } };
      const fields = { summary: 'Launch review', description: '<p>Go</p>', location: 'Room 4.01', start: '2026-12-04T09:00:00.000Z', end: '2026-12-04T10:00:00.000Z', allDay: false, timeZone: 'Europe/Berlin', attendees: ['grace@navy.example'] };
      const created = await exercise(API, [{ method: 'POST', path: EVENTS, status: 200, body: { ...event, id } }], () => eventsAdapter.create(ctx(), fields, { idempotencyKey: 'intent-key-1', scope: {} }));
      const again = await exercise(
        API,
        [
          { method: 'POST', path: EVENTS, status: 409, body: conflict },
          { method: 'GET', path: `${EVENTS}/${id}`, status: 200, body: { ...event, id } },
        ],
        () => eventsAdapter.create(ctx(), fields, { idempotencyKey: 'intent-key-1', scope: {} }),
      );
      const stale = { error: { errors: [{ domain: 'global', reason: 'conditionNotMet', message: 'Precondition Failed', locationType: 'header', location: 'If-Match' }], code: 412, message: 'Precondition Failed' } };
      const patched = await exercise(
        API,
        [
          { method: 'GET', path: `${EVENTS}/evt1abc`, status: 200, body: event },
          { method: 'PUT', path: `${EVENTS}/evt1abc`, status: 412, body: stale },
          { method: 'GET', path: `${EVENTS}/evt1abc`, status: 200, body: { ...event, etag: '"3400000000000001"' } },
          { method: 'PUT', path: `${EVENTS}/evt1abc`, status: 200, body: event },
        ],
        () => eventsAdapter.update(ctx(), 'evt1abc', { summary: 'Launch review (moved)', start: '2026-12-04T12:00:00.000Z', attendees: ['grace@navy.example', 'alan@example.com'] }, {}),
      );
      const allDay = await exercise(
        API,
        [
          { method: 'GET', path: `${EVENTS}/evt1abc`, status: 200, body: event },
          { method: 'PUT', path: `${EVENTS}/evt1abc`, status: 200, body: event },
        ],
        () => eventsAdapter.update(ctx(), 'evt1abc', { allDay: true, description: null }, {}),
      );
      const deleted = await exercise(API, [{ method: 'DELETE', path: `${EVENTS}/evt1abc`, status: 204 }], () => eventsAdapter.delete(ctx(), 'evt1abc', {}));
      const requests = [...created, ...again, ...patched, ...allDay, ...deleted];
      expect(requests.map((r) => r.method)).toEqual(['POST', 'POST', 'GET', 'GET', 'PUT', 'GET', 'PUT', 'GET', 'PUT', 'DELETE']);
      expectRequestsValid(doc, requests);
      expect(patched[1]!.headers.get('if-match')).toBe(event.etag);
      expect(patched[3]!.headers.get('if-match')).toBe('"3400000000000001"');
      const put = JSON.parse(patched[3]!.body);
      expect(put).toMatchObject({ summary: 'Launch review (moved)', location: 'Room 4.01', start: { dateTime: '2026-12-04T13:00:00+01:00', timeZone: 'Europe/Berlin' }, end: event.end });
      // Grace keeps her response; the room stays; Alan is added.
      expect(put.attendees).toEqual([{ email: 'grace@navy.example', responseStatus: 'accepted' }, { email: 'alan@example.com' }, event.attendees[1]]);
      expect(JSON.parse(created[0]!.body)).toMatchObject({ id, start: { dateTime: '2026-12-04T10:00:00+01:00', timeZone: 'Europe/Berlin' }, end: { dateTime: '2026-12-04T11:00:00+01:00' } });
      expect(id).toMatch(/^[0-9a-v]{5,1024}$/);
      // Switching to all-day writes start and end whole (no dateTime left over); a cleared description is left out.
      const whole = JSON.parse(allDay[1]!.body);
      expect(whole).toMatchObject({ id: 'evt1abc', summary: 'Launch review', start: { date: '2026-12-04' }, end: { date: '2026-12-05' } });
      expect(whole.start).toEqual({ date: '2026-12-04' });
      expect(whole).not.toHaveProperty('description');
      // An insert without start and end is refused by the description (Discovery annotates them required for insert).
      expect(checkRequest(doc, { ...created[0]!, body: JSON.stringify({ id, summary: 'x' }) })).toEqual(['body.end: required', 'body.start: required']);
    });
  });

  describe('push channels (webhooks.ts)', () => {
    const API = 'https://www.googleapis.com';
    const WATCH = '/calendar/v3/calendars/primary/events/watch';
    const ctx = () => testContext({ provider: googleCalendar, credentials: creds });
    // Channel as events.watch answers it: https://developers.google.com/workspace/calendar/api/guides/push
    const channel = { kind: 'api#channel', id: '3f1e0a52-8c1d-4c55-9a7e-1f7b0a3c9d11', resourceId: 'o3hgv1538sdjfh', resourceUri: 'https://www.googleapis.com/calendar/v3/calendars/primary/events?alt=json', token: 'abc', expiration: '1765000000000' };

    it('events.watch and channels.stop as described; the Channel schema is not stricter than the description', async () => {
      expectFixtureValid(doc, 'POST', WATCH, 200, channel);
      expectSchemaNotStricter(doc, 'POST', WATCH, channelSchema);
      let registered: unknown;
      const watch = await exercise(API, [{ method: 'POST', path: WATCH, status: 200, body: channel }], async () => {
        registered = await webhooks.register!(ctx(), { url: 'https://patchbay.example.com/webhooks/google-calendar/c/r', resource: 'primary', registrationId: 'r', secret: 'abc' });
      });
      const stop = await exercise(API, [{ method: 'POST', path: '/calendar/v3/channels/stop', status: 204 }], () => webhooks.unregister!(ctx(), { remoteId: `${channel.id}|${channel.resourceId}`, resource: 'primary', secret: 'abc' }));
      expectRequestsValid(doc, [...watch, ...stop]);
      expect(JSON.parse(watch[0]!.body)).toMatchObject({ type: 'web_hook', token: 'abc', address: 'https://patchbay.example.com/webhooks/google-calendar/c/r', params: { ttl: '604800' } });
      expect(registered).toEqual({ remoteId: `${channel.id}|${channel.resourceId}`, expiresAt: new Date(1765000000000) });
      expect(JSON.parse(stop[0]!.body)).toEqual({ id: channel.id, resourceId: channel.resourceId });
    });
  });
});
