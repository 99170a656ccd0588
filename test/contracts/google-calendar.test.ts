import { describe, expect, it } from 'vitest';
import { googleCalendar } from '../../src/providers/google-calendar/index.ts';
import { calendarListEntrySchema } from '../../src/providers/google-calendar/connector.ts';
import { testContext } from '../providers/helpers.ts';
import { instances, loadDiscovery, responseSchema } from './describe.ts';
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
});
