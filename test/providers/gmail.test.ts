import nock from 'nock';
import { describe, expect, it } from 'vitest';
import type { AppError } from '../../src/errors.ts';
import { gmail } from '../../src/providers/gmail/index.ts';
import { buildAuthorizeUrl, requestedScopes } from '../../src/providers/_shared/oauth.ts';
import { resolveProviderUrls } from '../../src/providers/_shared/urls.ts';
import { caught, testContext } from './helpers.ts';

const API = 'https://gmail.googleapis.com';
const ACCESS = 'ya29.a0AfH6SMBx-gmail-access-token';
const REFRESH = '1//0g-gmail-refresh-token-value';
const creds = { type: 'oauth2' as const, accessToken: ACCESS, refreshToken: REFRESH, scopes: ['https://www.googleapis.com/auth/gmail.readonly'] };
const json = { 'content-type': 'application/json; charset=UTF-8' };

// Profile: https://developers.google.com/workspace/gmail/api/reference/rest/v1/users/getProfile
const profile = { emailAddress: 'ada@example.com', messagesTotal: 4182, threadsTotal: 3907, historyId: '1234567' };
const ctx = () => testContext({ provider: gmail, credentials: creds });

describe('gmail', () => {
  it('test: GET /gmail/v1/users/me/profile with the bearer token → the mailbox address', async () => {
    nock(API, { reqheaders: { authorization: `Bearer ${ACCESS}` } }).get('/gmail/v1/users/me/profile').reply(200, profile, json);
    expect(await gmail.connector.test(ctx())).toEqual({ accountId: 'ada@example.com', accountName: 'ada@example.com' });
  });

  it('test: 401 → provider_auth_failed with Google\'s message', async () => {
    nock(API)
      .get('/gmail/v1/users/me/profile')
      .reply(401, { error: { code: 401, message: 'Request had invalid authentication credentials.', status: 'UNAUTHENTICATED' } }, json);
    const err = (await caught(() => gmail.connector.test(ctx()))) as AppError;
    expect(err.code).toBe('provider_auth_failed');
    expect(err.message).toContain('invalid authentication credentials');
  });

  // https://developers.google.com/workspace/gmail/api/guides/handle-errors: 403 userRateLimitExceeded,
  // rateLimitExceeded, dailyLimitExceeded — limits, not refused credentials.
  it.each(['userRateLimitExceeded', 'rateLimitExceeded', 'dailyLimitExceeded'])('403 %s → rate_limited, not provider_auth_failed', async (reason) => {
    const body = { error: { errors: [{ domain: 'usageLimits', reason, message: 'Limit Exceeded' }], code: 403, message: 'Limit Exceeded' } };
    nock(API).get('/gmail/v1/users/me/profile').reply(403, body, json);
    expect(((await caught(() => gmail.connector.test(ctx()))) as AppError).code).toBe('rate_limited');
  });

  it('429 with Retry-After → rate_limited for that long; another 403 stays an auth failure', async () => {
    nock(API).get('/gmail/v1/users/me/profile').reply(429, { error: { code: 429, message: 'Too many concurrent requests for user', status: 'RESOURCE_EXHAUSTED' } }, { ...json, 'retry-after': '12' });
    const rl = (await caught(() => gmail.connector.test(ctx()))) as AppError;
    expect([rl.code, rl.retryAfterSeconds]).toEqual(['rate_limited', 12]);
    const forbidden = { error: { errors: [{ domain: 'global', reason: 'insufficientPermissions', message: 'Insufficient Permission' }], code: 403, message: 'Insufficient Permission' } };
    nock(API).get('/gmail/v1/users/me/profile').reply(403, forbidden, json);
    expect(((await caught(() => gmail.connector.test(ctx()))) as AppError).code).toBe('provider_auth_failed');
  });

  it('a profile without emailAddress (Discovery requires none) → provider_error naming the missing id', async () => {
    nock(API).get('/gmail/v1/users/me/profile').reply(200, { historyId: '1' }, json);
    const err = (await caught(() => gmail.connector.test(ctx()))) as AppError;
    expect(err.code).toBe('provider_error');
    expect(err.message).toBe('Gmail answered GET /gmail/v1/users/{userId}/profile without an account id');
  });

  it('revoke: POST https://oauth2.googleapis.com/revoke?token=<refresh token>, no bearer', async () => {
    const scope = nock('https://oauth2.googleapis.com', { reqheaders: { 'content-type': 'application/x-www-form-urlencoded' }, badheaders: ['authorization'] })
      .post('/revoke', '')
      .query({ token: REFRESH })
      .reply(200, {}, { 'content-type': 'application/json' });
    const c = ctx();
    await gmail.connector.revoke!(c);
    scope.done();
    expect(c.logs.join('')).not.toContain(REFRESH);
  });

  it('authorize URL: offline access with consent; read and send, nothing broader', () => {
    const url = new URL(
      buildAuthorizeUrl(gmail, resolveProviderUrls(gmail, { raw: {} }), { clientId: 'id' }, {
        state: 's',
        redirectUri: 'https://pb.example/oauth/callback',
        scopes: requestedScopes(gmail.definition),
        codeChallenge: 'c',
      }),
    );
    expect(url.origin + url.pathname).toBe('https://accounts.google.com/o/oauth2/v2/auth');
    expect(url.searchParams.get('access_type')).toBe('offline');
    expect(url.searchParams.get('prompt')).toBe('consent');
    expect(url.searchParams.get('scope')).toBe('https://www.googleapis.com/auth/gmail.readonly https://www.googleapis.com/auth/gmail.send');
  });

  it('takes no webhooks: Gmail push needs Google Cloud Pub/Sub (out of scope)', () => {
    expect(gmail.webhooks).toBeUndefined();
  });
});
