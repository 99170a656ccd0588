import nock from 'nock';
import { describe, expect, it } from 'vitest';
import type { AppError } from '../../src/errors.ts';
import { clickup } from '../../src/providers/clickup/index.ts';
import { authorizedUser } from './fixtures/clickup.ts';
import { caught, testContext } from './helpers.ts';

const API = 'https://api.clickup.com';
const PK = 'pk_183_0123456789ABCDEFGHIJKLMNOPQRSTUV';
const ACCESS = '183_clickup-oauth-access-0123456789abcdef';
const apiKey = { type: 'api_key' as const, fields: { apiToken: PK } };
const oauth = { type: 'oauth2' as const, accessToken: ACCESS, scopes: [] };

describe('clickup', () => {
  it('test: GET /api/v2/user with the personal token as is (no Bearer) → id and username', async () => {
    const scope = nock(API, { reqheaders: { authorization: PK } }).get('/api/v2/user').reply(200, authorizedUser, { 'content-type': 'application/json' });
    const c = testContext({ provider: clickup, credentials: apiKey });
    expect(await clickup.connector.test(c)).toEqual({ accountId: '183', accountName: 'Ada Lovelace', extra: { email: 'ada@example.com' } });
    scope.done();
    expect(c.logs.join('')).not.toContain(PK);
  });

  it('test: OAuth tokens go as Bearer; without a username the email names the account', async () => {
    nock(API, { reqheaders: { authorization: `Bearer ${ACCESS}` } })
      .get('/api/v2/user')
      .reply(200, { user: { ...authorizedUser.user, username: null } }, { 'content-type': 'application/json' });
    expect(await clickup.connector.test(testContext({ provider: clickup, credentials: oauth }))).toMatchObject({ accountId: '183', accountName: 'ada@example.com' });
  });

  it('test: an answer without a user id is a provider_error', async () => {
    nock(API).get('/api/v2/user').reply(200, {}, { 'content-type': 'application/json' });
    const err = (await caught(() => clickup.connector.test(testContext({ provider: clickup, credentials: apiKey })))) as AppError;
    expect(err.code).toBe('provider_error');
  });

  it('401 (OAUTH_017 "Authorization header required" / token invalid) → provider_auth_failed without the token', async () => {
    nock(API).get('/api/v2/user').reply(401, { err: 'Token invalid', ECODE: 'OAUTH_025' }, { 'content-type': 'application/json' });
    const c = testContext({ provider: clickup, credentials: apiKey });
    const err = (await caught(() => clickup.connector.test(c))) as AppError;
    expect(err.code).toBe('provider_auth_failed');
    expect(err.message + c.logs.join('')).not.toContain(PK);
  });

  it('429 with X-RateLimit-Reset (Unix seconds) → rate_limited with the wait until then', async () => {
    const reset = Math.floor(Date.now() / 1000) + 40;
    nock(API).get('/api/v2/user').reply(429, { err: 'Rate limit reached', ECODE: 'APP_002' }, { 'content-type': 'application/json', 'x-ratelimit-limit': '100', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) });
    const err = (await caught(() => clickup.connector.test(testContext({ provider: clickup, credentials: apiKey })))) as AppError;
    expect(err.code).toBe('rate_limited');
    expect(err.retryAfterSeconds).toBeGreaterThanOrEqual(38);
    expect(err.retryAfterSeconds).toBeLessThanOrEqual(41);
  });

  it('has no revoke call, and says so', () => {
    expect(clickup.connector.revoke).toBeUndefined();
    expect(clickup.definition.revokeNote).toContain('no revoke call');
  });

  it('definition: OAuth without scopes or refresh, personal token pattern', () => {
    expect(clickup.definition.auth.oauth2).toMatchObject({ authorizeUrl: 'https://app.clickup.com/api', tokenUrl: 'https://api.clickup.com/api/v2/oauth/token', defaultScopes: [], refresh: 'none', clientAuth: 'body' });
    const field = clickup.definition.auth.credentials!.fields[0]!;
    expect(new RegExp(field.pattern!).test(PK)).toBe(true);
    expect(new RegExp(field.pattern!).test('lin_api_abcdefghijkl')).toBe(false);
  });
});
