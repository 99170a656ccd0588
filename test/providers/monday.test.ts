import nock from 'nock';
import { describe, expect, it } from 'vitest';
import type { AppError } from '../../src/errors.ts';
import { monday } from '../../src/providers/monday/index.ts';
import { ME_QUERY } from '../../src/providers/monday/connector.ts';
import { meAnswer } from './fixtures/monday.ts';
import { caught, testContext } from './helpers.ts';

const API = 'https://api.monday.com';
const PAT = 'eyJhbGciOiJIUzI1NiJ9.eyJ0aWQiOjEyMzQ1Njc4OSwidWlkIjo0MDEyNjg5fQ.c2lnbmF0dXJlLW9mLXRoZS1wZXJzb25hbC10b2tlbg';
const ACCESS = 'monday-oauth-access-0123456789abcdef';
const apiKey = { type: 'api_key' as const, fields: { apiToken: PAT } };
const oauth = { type: 'oauth2' as const, accessToken: ACCESS, scopes: ['me:read', 'account:read'] };
const json = { 'content-type': 'application/json' };
const ctx = (credentials: Parameters<typeof testContext>[0]['credentials'] = apiKey) => testContext({ provider: monday, credentials });

describe('monday', () => {
  it('test: POST /v2 with the token as is, API-Version 2026-10 and the me query → the account', async () => {
    const scope = nock(API, { reqheaders: { authorization: PAT, 'api-version': '2026-10', 'content-type': 'application/json' } })
      .post('/v2', { query: ME_QUERY })
      .reply(200, meAnswer, json);
    const c = ctx();
    expect(await monday.connector.test(c)).toEqual({
      accountId: '4012689',
      accountName: 'Acme Rockets',
      extra: { userName: 'Ada Lovelace', email: 'ada@example.com', mondayAccountId: '1825528', mondayAccountSlug: 'acme-rockets' },
    });
    scope.done();
    expect(c.logs.join('')).not.toContain(PAT);
  });

  it('test: OAuth tokens also go as is (no Bearer)', async () => {
    nock(API, { reqheaders: { authorization: ACCESS, 'api-version': '2026-10' } }).post('/v2').reply(200, meAnswer, json);
    expect(await monday.connector.test(ctx(oauth))).toMatchObject({ accountId: '4012689' });
  });

  it('COMPLEXITY_BUDGET_EXHAUSTED (HTTP 200, errors[].extensions.retry_in_seconds) → rate_limited with that wait', async () => {
    nock(API).post('/v2').reply(200, { errors: [{ message: 'Complexity budget exhausted', extensions: { code: 'COMPLEXITY_BUDGET_EXHAUSTED', retry_in_seconds: 17 } }], account_id: 1825528 }, json);
    const err = (await caught(() => monday.connector.test(ctx()))) as AppError;
    expect(err).toMatchObject({ code: 'rate_limited', retryAfterSeconds: 17 });
  });

  it('the legacy ComplexityException shape (error_code, error_data.retry_in_seconds) → rate_limited', async () => {
    nock(API).post('/v2').reply(200, { error_code: 'ComplexityException', status_code: 429, error_message: 'Complexity budget exhausted, query cost 30001 budget remaining 19986 out of 1000000 reset in 3 seconds', error_data: { retry_in_seconds: 3 }, errors: ['Complexity budget exhausted'] }, json);
    const err = (await caught(() => monday.connector.test(ctx()))) as AppError;
    expect(err).toMatchObject({ code: 'rate_limited', retryAfterSeconds: 3 });
  });

  it('HTTP 429 "Rate Limit Exceeded" with Retry-After → rate_limited with that wait', async () => {
    nock(API).post('/v2').reply(429, { errors: [{ message: 'Rate Limit Exceeded', extensions: { code: 'RATE_LIMIT_EXCEEDED', retry_in_seconds: 30 } }] }, { ...json, 'retry-after': '30' });
    const err = (await caught(() => monday.connector.test(ctx()))) as AppError;
    expect(err).toMatchObject({ code: 'rate_limited', retryAfterSeconds: 30 });
  });

  it('HTTP 401 (Not Authenticated) → provider_auth_failed without the token', async () => {
    nock(API).post('/v2').reply(401, { errors: [{ message: 'Not Authenticated', extensions: { code: 'UNAUTHORIZED' } }] }, json);
    const c = ctx();
    const err = (await caught(() => monday.connector.test(c))) as AppError;
    expect(err.code).toBe('provider_auth_failed');
    expect(err.message + c.logs.join('')).not.toContain(PAT);
  });

  it('an application error (HTTP 200, UserUnauthorizedException) → provider_auth_failed; another error → provider_error', async () => {
    nock(API).post('/v2').reply(200, { data: { me: null }, errors: [{ message: 'User unauthorized to perform action', path: ['me'], extensions: { code: 'UserUnauthorizedException', error_data: {}, status_code: 403 } }] }, json);
    expect(((await caught(() => monday.connector.test(ctx()))) as AppError).code).toBe('provider_auth_failed');
    nock(API).post('/v2').reply(400, { errors: [{ message: 'Field \'handle\' doesn\'t exist on type \'User\'', extensions: { code: 'undefinedField' } }] }, json);
    const err = (await caught(() => monday.connector.test(ctx()))) as AppError;
    expect(err.code).toBe('provider_error');
    expect(err.message).toContain('undefinedField');
  });

  it('has no revoke call, and says so; OAuth without refresh, space-separated scopes', () => {
    expect(monday.connector.revoke).toBeUndefined();
    expect(monday.definition.revokeNote).toContain('no revoke call');
    expect(monday.definition.auth.oauth2).toMatchObject({ authorizeUrl: 'https://auth.monday.com/oauth2/authorize', tokenUrl: 'https://auth.monday.com/oauth2/token', refresh: 'none', defaultScopes: ['me:read', 'account:read'] });
    const field = monday.definition.auth.credentials!.fields[0]!;
    expect(new RegExp(field.pattern!).test(PAT)).toBe(true);
    expect(new RegExp(field.pattern!).test('pk_123_abc')).toBe(false);
  });
});
