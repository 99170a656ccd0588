import nock from 'nock';
import { describe, expect, it } from 'vitest';
import type { AppError } from '../../src/errors.ts';
import { googleSheets } from '../../src/providers/google-sheets/index.ts';
import { buildAuthorizeUrl, requestedScopes } from '../../src/providers/_shared/oauth.ts';
import { resolveProviderUrls } from '../../src/providers/_shared/urls.ts';
import { caught, testContext } from './helpers.ts';

const API = 'https://www.googleapis.com';
const ACCESS = 'ya29.a0AfH6SMBx-sheets-access-token';
const REFRESH = '1//0g-sheets-refresh-token-value';
const creds = { type: 'oauth2' as const, accessToken: ACCESS, refreshToken: REFRESH, scopes: ['https://www.googleapis.com/auth/userinfo.email'] };
const json = { 'content-type': 'application/json; charset=UTF-8' };

// Userinfoplus with only userinfo.email granted (no name or picture without userinfo.profile):
// https://developers.google.com/identity/openid-connect/openid-connect#obtaininguserprofileinformation
const userinfo = { id: '110169484474386276334', email: 'ada@example.com', verified_email: true, hd: 'example.com' };
const ctx = () => testContext({ provider: googleSheets, credentials: creds });

describe('google-sheets', () => {
  it('test: GET /oauth2/v2/userinfo with the bearer token → the account id, named by its email, with its Workspace domain', async () => {
    nock(API, { reqheaders: { authorization: `Bearer ${ACCESS}` } }).get('/oauth2/v2/userinfo').reply(200, userinfo, json);
    expect(await googleSheets.connector.test(ctx())).toEqual({ accountId: '110169484474386276334', accountName: 'ada@example.com', extra: { domain: 'example.com' } });
  });

  it('a consumer account (no hd) has no domain; no email → the id names it', async () => {
    nock(API).get('/oauth2/v2/userinfo').reply(200, { id: '42', email: 'grace@gmail.com', verified_email: true }, json);
    expect(await googleSheets.connector.test(ctx())).toEqual({ accountId: '42', accountName: 'grace@gmail.com', extra: {} });
    nock(API).get('/oauth2/v2/userinfo').reply(200, { id: '43' }, json);
    expect(await googleSheets.connector.test(ctx())).toMatchObject({ accountId: '43', accountName: '43' });
  });

  it('test: 401 → provider_auth_failed; 429 → rate_limited; a userinfo without id → provider_error', async () => {
    nock(API).get('/oauth2/v2/userinfo').reply(401, { error: { code: 401, message: 'Request is missing required authentication credential.', status: 'UNAUTHENTICATED' } }, json);
    const err = (await caught(() => googleSheets.connector.test(ctx()))) as AppError;
    expect(err.code).toBe('provider_auth_failed');
    expect(err.message).toContain('missing required authentication credential');
    nock(API).get('/oauth2/v2/userinfo').reply(429, { error: { code: 429, message: 'Quota exceeded', status: 'RESOURCE_EXHAUSTED' } }, { ...json, 'retry-after': '30' });
    const rl = (await caught(() => googleSheets.connector.test(ctx()))) as AppError;
    expect([rl.code, rl.retryAfterSeconds]).toEqual(['rate_limited', 30]);
    nock(API).get('/oauth2/v2/userinfo').reply(200, { email: 'ada@example.com' }, json);
    const none = (await caught(() => googleSheets.connector.test(ctx()))) as AppError;
    expect([none.code, none.message]).toEqual(['provider_error', 'Google Sheets answered GET /oauth2/v2/userinfo without an account id']);
  });

  it('403 rateLimitExceeded → rate_limited; another 403 stays an auth failure', async () => {
    const limited = { error: { errors: [{ domain: 'usageLimits', reason: 'rateLimitExceeded', message: 'Rate Limit Exceeded' }], code: 403, message: 'Rate Limit Exceeded' } };
    nock(API).get('/oauth2/v2/userinfo').reply(403, limited, json);
    expect(((await caught(() => googleSheets.connector.test(ctx()))) as AppError).code).toBe('rate_limited');
    const forbidden = { error: { errors: [{ domain: 'global', reason: 'insufficientPermissions', message: 'Insufficient Permission' }], code: 403, message: 'Insufficient Permission' } };
    nock(API).get('/oauth2/v2/userinfo').reply(403, forbidden, json);
    expect(((await caught(() => googleSheets.connector.test(ctx()))) as AppError).code).toBe('provider_auth_failed');
  });

  it('revoke: POST https://oauth2.googleapis.com/revoke?token=<refresh token>, no bearer', async () => {
    const scope = nock('https://oauth2.googleapis.com', { reqheaders: { 'content-type': 'application/x-www-form-urlencoded' }, badheaders: ['authorization'] })
      .post('/revoke', '')
      .query({ token: REFRESH })
      .reply(200, {}, { 'content-type': 'application/json' });
    const c = ctx();
    await googleSheets.connector.revoke!(c);
    scope.done();
    expect(c.logs.join('')).not.toContain(REFRESH);
  });

  it('authorize URL: offline access with consent; the email for the test, spreadsheets for rows', () => {
    const url = new URL(
      buildAuthorizeUrl(googleSheets, resolveProviderUrls(googleSheets, { raw: {} }), { clientId: 'id' }, {
        state: 's',
        redirectUri: 'https://pb.example/oauth/callback',
        scopes: requestedScopes(googleSheets.definition),
        codeChallenge: 'c',
      }),
    );
    expect(url.origin + url.pathname).toBe('https://accounts.google.com/o/oauth2/v2/auth');
    expect(url.searchParams.get('access_type')).toBe('offline');
    expect(url.searchParams.get('prompt')).toBe('consent');
    expect(url.searchParams.get('scope')).toBe('https://www.googleapis.com/auth/userinfo.email https://www.googleapis.com/auth/spreadsheets');
  });
});
