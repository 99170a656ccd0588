import nock from 'nock';
import { describe, expect, it } from 'vitest';
import type { AppError } from '../../src/errors.ts';
import { googleCalendar } from '../../src/providers/google-calendar/index.ts';
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
});
