import nock from 'nock';
import { describe, expect, it } from 'vitest';
import type { AppError } from '../../src/errors.ts';
import { googleCalendar } from '../../src/providers/google-calendar/index.ts';
import { eventIdFor, eventsAdapter } from '../../src/providers/google-calendar/adapters/events.ts';
import { flatFields, zonedDateTime } from '../../src/providers/google-calendar/adapters/event-shape.ts';
import { buildAuthorizeUrl, requestedScopes } from '../../src/providers/_shared/oauth.ts';
import { resolveProviderUrls } from '../../src/providers/_shared/urls.ts';
import { caught, testContext } from './helpers.ts';

const API = 'https://www.googleapis.com';
const ACCESS = 'ya29.a0AfH6SMBx-access-token';
const REFRESH = '1//0g-refresh-token-value';
const creds = { type: 'oauth2' as const, accessToken: ACCESS, refreshToken: REFRESH, scopes: ['openid', 'email'] };

// CalendarListEntry: https://developers.google.com/workspace/calendar/api/v3/reference/calendarList#resource
const entry = {
  kind: 'calendar#calendarListEntry',
  etag: '"1700000000000000"',
  id: 'ada@example.com',
  summary: 'ada@example.com',
  timeZone: 'Europe/London',
  colorId: '14',
  accessRole: 'owner',
  primary: true,
};

describe('google-calendar', () => {
  it('test: GET /calendar/v3/users/me/calendarList/primary → id and summary', async () => {
    nock(API, { reqheaders: { authorization: `Bearer ${ACCESS}` } })
      .get('/calendar/v3/users/me/calendarList/primary')
      .reply(200, entry, { 'content-type': 'application/json; charset=UTF-8' });
    expect(await googleCalendar.connector.test(testContext({ provider: googleCalendar, credentials: creds }))).toEqual({
      accountId: 'ada@example.com',
      accountName: 'ada@example.com',
      extra: { timeZone: 'Europe/London' },
    });
  });

  it('test: 401 → provider_auth_failed; 403 userRateLimitExceeded → rate_limited', async () => {
    nock(API)
      .get('/calendar/v3/users/me/calendarList/primary')
      .reply(401, { error: { code: 401, message: 'Request had invalid authentication credentials.', status: 'UNAUTHENTICATED' } }, { 'content-type': 'application/json' });
    const err = (await caught(() => googleCalendar.connector.test(testContext({ provider: googleCalendar, credentials: creds })))) as AppError;
    expect(err.code).toBe('provider_auth_failed');
    expect(err.message).toContain('invalid authentication credentials');

    nock(API)
      .get('/calendar/v3/users/me/calendarList/primary')
      .reply(
        403,
        { error: { errors: [{ domain: 'usageLimits', reason: 'userRateLimitExceeded', message: 'User Rate Limit Exceeded' }], code: 403, message: 'User Rate Limit Exceeded' } },
        { 'content-type': 'application/json' },
      );
    const rl = (await caught(() => googleCalendar.connector.test(testContext({ provider: googleCalendar, credentials: creds })))) as AppError;
    expect(rl.code).toBe('rate_limited');
  });

  it('revoke: POST https://oauth2.googleapis.com/revoke?token=<refresh token>', async () => {
    const scope = nock('https://oauth2.googleapis.com', { reqheaders: { 'content-type': 'application/x-www-form-urlencoded' }, badheaders: ['authorization'] })
      .post('/revoke', '')
      .query({ token: REFRESH })
      .reply(200, {}, { 'content-type': 'application/json' });
    const c = testContext({ provider: googleCalendar, credentials: creds });
    await googleCalendar.connector.revoke!(c);
    scope.done();
    expect(c.logs.join('')).not.toContain(REFRESH);
  });

  // The revoke every Google provider shares (src/providers/_shared/google.ts): its 400 handling is tested here once.
  it('revoke: an already invalid token is fine; other 400s fail', async () => {
    nock('https://oauth2.googleapis.com').post('/revoke').query(true).reply(400, { error: 'invalid_token', error_description: 'Token expired or revoked' }, { 'content-type': 'application/json' });
    await googleCalendar.connector.revoke!(testContext({ provider: googleCalendar, credentials: creds }));
    nock('https://oauth2.googleapis.com').post('/revoke').query(true).reply(400, { error: 'invalid_request' }, { 'content-type': 'application/json' });
    const err = (await caught(() => googleCalendar.connector.revoke!(testContext({ provider: googleCalendar, credentials: creds })))) as AppError;
    expect(err.code).toBe('provider_error');
  });

  it('authorize URL asks for offline access with consent, identity + calendar list by default', () => {
    const url = new URL(
      buildAuthorizeUrl(googleCalendar, resolveProviderUrls(googleCalendar, { raw: {} }), { clientId: 'id' }, {
        state: 's',
        redirectUri: 'https://pb.example/oauth/callback',
        scopes: requestedScopes(googleCalendar.definition),
        codeChallenge: 'c',
      }),
    );
    expect(url.searchParams.get('access_type')).toBe('offline');
    expect(url.searchParams.get('prompt')).toBe('consent');
    expect(url.searchParams.get('scope')).toBe(
      'openid email https://www.googleapis.com/auth/calendar.calendarlist.readonly https://www.googleapis.com/auth/calendar.events',
    );
  });

  // Google's error guide: daily quota (dailyLimitExceeded) and Calendar usage limits (quotaExceeded,
  // domain usageLimits) are 403s too; as auth failures they would error the connection ("Reconnect").
  it.each(['dailyLimitExceeded', 'quotaExceeded'])('403 %s → rate_limited, not provider_auth_failed', async (reason) => {
    const body = { error: { errors: [{ domain: 'usageLimits', reason, message: 'Calendar usage limits exceeded.' }], code: 403, message: 'Calendar usage limits exceeded.' } };
    nock(API).get('/calendar/v3/users/me/calendarList/primary').reply(403, body, { 'content-type': 'application/json; charset=UTF-8' });
    const err = (await caught(() => googleCalendar.connector.test(testContext({ provider: googleCalendar, credentials: creds })))) as AppError;
    expect(err.code).toBe('rate_limited');
  });

  it('403 forbidden for another reason is still provider_auth_failed', async () => {
    const body = { error: { errors: [{ domain: 'global', reason: 'forbidden', message: 'Forbidden' }], code: 403, message: 'Forbidden' } };
    nock(API).get('/calendar/v3/users/me/calendarList/primary').reply(403, body, { 'content-type': 'application/json; charset=UTF-8' });
    const err = (await caught(() => googleCalendar.connector.test(testContext({ provider: googleCalendar, credentials: creds })))) as AppError;
    expect(err.code).toBe('provider_auth_failed');
  });

  it('an entry without id (Discovery requires none) → provider_error naming the missing id, not a crash', async () => {
    nock(API).get('/calendar/v3/users/me/calendarList/primary').reply(200, { kind: 'calendar#calendarListEntry', summary: 'Ada' }, { 'content-type': 'application/json' });
    const err = (await caught(() => googleCalendar.connector.test(testContext({ provider: googleCalendar, credentials: creds })))) as AppError;
    expect(err.code).toBe('provider_error');
    expect(err.message).toBe('Google Calendar answered GET /calendar/v3/users/me/calendarList/{calendarId} without an account id');
  });

  describe('events adapter', () => {
    const ctx = () => testContext({ provider: googleCalendar, credentials: creds });
    const TEAM = '/calendar/v3/calendars/team%40group.calendar.google.com/events';
    const json = { 'content-type': 'application/json; charset=UTF-8' };

    it('is registered for events ↔ calendar_events with a calendar scope and tombstones', () => {
      expect(googleCalendar.adapters.map((a) => [a.remoteObject, a.localObject, a.scope?.key, a.reportsDeletes])).toEqual([['events', 'calendar_events', 'calendar', true]]);
    });

    it('flat fields: timed with its zone, all-day dates, an untitled event, rooms left out of attendees', () => {
      expect(
        flatFields({
          start: { dateTime: '2026-12-04T10:00:00+01:00', timeZone: 'Europe/Berlin' },
          end: { dateTime: '2026-12-04T11:00:00+01:00', timeZone: 'Europe/Berlin' },
          attendees: [{ email: 'grace@navy.example' }, { email: 'room@resource.calendar.google.com', resource: true }],
          organizer: { email: 'ada@example.com' },
        }),
      ).toMatchObject({ summary: '(No title)', start: '2026-12-04T10:00:00+01:00', end: '2026-12-04T11:00:00+01:00', allDay: false, timeZone: 'Europe/Berlin', attendees: ['grace@navy.example'], organizer: 'ada@example.com' });
      expect(flatFields({ summary: 'Offsite', start: { date: '2026-12-07' }, end: { date: '2026-12-09' } })).toMatchObject({ summary: 'Offsite', start: '2026-12-07', end: '2026-12-09', allDay: true, timeZone: null, attendees: [] });
      expect(zonedDateTime('2026-03-29T01:30:00.000Z', 'Europe/Berlin')).toBe('2026-03-29T03:30:00+02:00');
      expect(zonedDateTime('2026-12-04T09:00:00.000Z', 'Not/AZone')).toBe('2026-12-04T09:00:00Z');
    });

    it('listChanged: the scope\'s calendar in the path; a cancelled event without `updated` is a tombstone at the answer\'s Date', async () => {
      nock(API)
        .get(TEAM)
        .query((q) => q.syncToken === 'tok-1' && q.singleEvents === 'true' && q.showDeleted === 'true' && q.timeMin === undefined)
        .reply(200, { kind: 'calendar#events', nextSyncToken: 'tok-2', items: [{ id: 'gone1', status: 'cancelled' }, { status: 'confirmed', summary: 'no id: skipped' }] }, { ...json, date: 'Sun, 29 Nov 2026 10:00:00 GMT' });
      const page = await eventsAdapter.listChanged(ctx(), { cursor: { calendarId: 'team@group.calendar.google.com', syncToken: 'tok-1', pageToken: null, timeMin: null }, scope: { calendar: 'team@group.calendar.google.com' }, pageSize: 50 });
      expect(page).toEqual({ records: [{ id: 'gone1', updatedAt: '2026-11-29T10:00:00.000Z', deleted: true, fields: {} }], cursor: { calendarId: 'team@group.calendar.google.com', syncToken: 'tok-2', pageToken: null, timeMin: null }, hasMore: false });
    });

    it('a cursor of another calendar, or not this adapter\'s, is expired (a full pull), without a request', async () => {
      const other = (await caught(() => eventsAdapter.listChanged(ctx(), { cursor: { calendarId: 'primary', syncToken: 't', pageToken: null, timeMin: null }, scope: { calendar: 'team@group.calendar.google.com' }, pageSize: 50 }))) as AppError;
      expect(other.code).toBe('sync_cursor_expired');
      const junk = (await caught(() => eventsAdapter.listChanged(ctx(), { cursor: { since: 'x' }, scope: {}, pageSize: 50 }))) as AppError;
      expect(junk.code).toBe('sync_cursor_expired');
    });

    it('rate limits: 403 rateLimitExceeded and 429 on the feed → rate_limited', async () => {
      const limited = { error: { errors: [{ domain: 'usageLimits', reason: 'rateLimitExceeded', message: 'Rate Limit Exceeded' }], code: 403, message: 'Rate Limit Exceeded' } };
      nock(API).get('/calendar/v3/calendars/primary/events').query(true).reply(403, limited, json);
      expect(((await caught(() => eventsAdapter.listChanged(ctx(), { cursor: null, scope: {}, pageSize: 50 }))) as AppError).code).toBe('rate_limited');
      nock(API).get('/calendar/v3/calendars/primary/events').query(true).reply(429, { error: { code: 429, message: 'Too Many Requests' } }, { ...json, 'retry-after': '7' });
      const err = (await caught(() => eventsAdapter.listChanged(ctx(), { cursor: null, scope: {}, pageSize: 50 }))) as AppError;
      expect([err.code, err.retryAfterSeconds]).toEqual(['rate_limited', 7]);
    });

    it('a write refused for one event (not the organizer) is a record-level 403; other 403s stay auth failures', async () => {
      const event = { id: 'e1', etag: '"1"', summary: 'Theirs', start: { dateTime: '2026-12-04T10:00:00Z' }, end: { dateTime: '2026-12-04T11:00:00Z' } };
      const notOrganizer = { error: { errors: [{ domain: 'calendar', reason: 'forbiddenForNonOrganizer', message: 'Shared properties can only be changed by the organizer of the event.' }], code: 403, message: 'Shared properties can only be changed by the organizer of the event.' } };
      nock(API).get('/calendar/v3/calendars/primary/events/e1').reply(200, event, json).put('/calendar/v3/calendars/primary/events/e1').reply(403, notOrganizer, json);
      const err = (await caught(() => eventsAdapter.update(ctx(), 'e1', { summary: 'Mine' }, {}))) as AppError;
      expect([err.code, (err.details as { status: number }).status]).toEqual(['provider_error', 403]);
      expect(err.message).toContain('organizer');
      nock(API).delete('/calendar/v3/calendars/primary/events/e1').reply(403, { error: { errors: [{ domain: 'global', reason: 'insufficientPermissions', message: 'Insufficient Permission' }], code: 403, message: 'Insufficient Permission' } }, json);
      expect(((await caught(() => eventsAdapter.delete(ctx(), 'e1', {}))) as AppError).code).toBe('provider_auth_failed');
    });

    it('create: an answer lost to a 503 is retried with the same id; the 409 that follows reads the event made, nothing is made twice', async () => {
      const id = eventIdFor('intent-7');
      const made = { id, etag: '"5"', status: 'confirmed', updated: '2026-11-29T09:00:00.000Z', summary: 'Planning', start: { dateTime: '2027-04-01T09:00:00+02:00' }, end: { dateTime: '2027-04-01T10:00:00+02:00' } };
      const bodies: any[] = [];
      nock(API)
        .post('/calendar/v3/calendars/primary/events', (b) => bodies.push(b) > 0)
        .reply(503, { error: { code: 503, message: 'Backend Error' } }, json)
        .post('/calendar/v3/calendars/primary/events', (b) => bodies.push(b) > 0)
        .reply(409, { error: { errors: [{ domain: 'global', reason: 'duplicate', message: 'The requested identifier already exists.' }], code: 409, message: 'The requested identifier already exists.' } }, json)
        .get(`/calendar/v3/calendars/primary/events/${id}`)
        .reply(200, made, json);
      const fields = { summary: 'Planning', start: '2027-04-01T07:00:00.000Z', end: '2027-04-01T08:00:00.000Z', timeZone: 'Europe/Berlin' };
      expect(await eventsAdapter.create(ctx(), fields, { idempotencyKey: 'intent-7', scope: {} })).toMatchObject({ id, updatedAt: '2026-11-29T09:00:00.000Z', fields: { summary: 'Planning' } });
      expect(bodies.map((b) => b.id)).toEqual([id, id]);
      // Deleted since it was made: a record-level refusal, never a second event.
      nock(API)
        .post('/calendar/v3/calendars/primary/events')
        .reply(409, { error: { code: 409, message: 'The requested identifier already exists.' } }, json)
        .get(`/calendar/v3/calendars/primary/events/${id}`)
        .reply(200, { ...made, status: 'cancelled' }, json);
      const err = (await caught(() => eventsAdapter.create(ctx(), fields, { idempotencyKey: 'intent-7', scope: {} }))) as AppError;
      expect([err.code, (err.details as { status: number }).status]).toEqual(['provider_error', 409]);
    });

    it('delete: 410 (already deleted) and 404 are fine; get: 404 → null, cancelled → a tombstone', async () => {
      nock(API)
        .delete('/calendar/v3/calendars/primary/events/e1')
        .reply(410, { error: { errors: [{ domain: 'global', reason: 'deleted', message: 'Resource has been deleted' }], code: 410, message: 'Resource has been deleted' } }, json)
        .delete('/calendar/v3/calendars/primary/events/e2')
        .reply(404, { error: { code: 404, message: 'Not Found' } }, json)
        .get('/calendar/v3/calendars/primary/events/e3')
        .reply(404, { error: { code: 404, message: 'Not Found' } }, json)
        .get('/calendar/v3/calendars/primary/events/e4')
        .reply(200, { id: 'e4', status: 'cancelled', updated: '2026-11-29T09:00:00.000Z' }, json);
      await eventsAdapter.delete(ctx(), 'e1', {});
      await eventsAdapter.delete(ctx(), 'e2', {});
      expect(await eventsAdapter.get(ctx(), 'e3', {})).toBeNull();
      expect(await eventsAdapter.get(ctx(), 'e4', {})).toEqual({ id: 'e4', updatedAt: '2026-11-29T09:00:00.000Z', deleted: true, fields: {} });
    });
  });
});
