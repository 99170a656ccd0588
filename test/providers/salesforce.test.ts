import nock from 'nock';
import { describe, expect, it } from 'vitest';
import type { AppError } from '../../src/errors.ts';
import type { IpAddress } from '../../src/net/addresses.ts';
import { egressPolicy, type EgressPolicy } from '../../src/net/egress.ts';
import { definedPauseOf, nextDefinedPause } from '../../src/connections/system-transitions.ts';
import { salesforce } from '../../src/providers/salesforce/index.ts';
import { overrideProblems } from '../../src/providers/_shared/url-overrides.ts';
import type { Credentials } from '../../src/providers/types.ts';
import { caught, testContext } from './helpers.ts';

const ACCESS = '00Dxx0000001gPL!AR8AQJXg5oj8jXSgxJfA0lBog.39AsX.LVpxezPwuX5VAIrrbbHMuol7GQxnMeYMN7cj8EoKlA';
const REFRESH = '5Aep861TSESvWeug_xvFHRBTTbf_YrTWgEyjBJrjQ4fXEmmuRh5WzRQ3x2Wd9kgcUMX6D';
const INSTANCE = 'https://acme.my.salesforce.com';
const CLIENT = { clientId: '3MVG9lKcPoNINVBIPJjdw1J9LLM82HnFVVX19KY1uA5mu0QqEWhqKpoW3svG3X', clientSecret: 'sf-consumer-secret-5E8C1B2A9D' };
const creds = (instance_url: string): Credentials => ({
  type: 'oauth2',
  accessToken: ACCESS,
  refreshToken: REFRESH,
  scopes: ['api', 'refresh_token', 'id'],
  extra: { instance_url, id: 'https://login.salesforce.com/id/00Dxx0000001gPLEAY/005xx000001SwiUAAS' },
});
const resolver: EgressPolicy['resolver'] = async (host): Promise<IpAddress[]> => {
  if (host === 'acme.my.salesforce.com') return [{ address: '13.110.54.10', family: 4 }];
  throw new Error(`ENOTFOUND ${host}`);
};
const egress = egressPolicy({ NODE_ENV: 'test' }, { resolver });

// GET /services/oauth2/userinfo: https://help.salesforce.com/s/articleView?id=sf.remoteaccess_using_userinfo_endpoint.htm
const userinfo = {
  sub: 'https://login.salesforce.com/id/00Dxx0000001gPLEAY/005xx000001SwiUAAS',
  user_id: '005xx000001SwiUAAS',
  organization_id: '00Dxx0000001gPLEAY',
  preferred_username: 'admin@acme.example',
  nickname: 'admin',
  name: 'Ada Admin',
  email: 'admin@acme.example',
  email_verified: true,
  given_name: 'Ada',
  family_name: 'Admin',
  zoneinfo: 'America/Los_Angeles',
  user_type: 'STANDARD',
  language: 'en_US',
  locale: 'en_US',
  active: true,
};
// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm (REQUEST_LIMIT_EXCEEDED)
const limitBody = [{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }];

describe('salesforce', () => {
  it("test: userinfo on the connection's instance_url (not the login host), with the bearer token", async () => {
    const scope = nock(INSTANCE, { reqheaders: { authorization: `Bearer ${ACCESS}` } })
      .get('/services/oauth2/userinfo')
      .reply(200, userinfo, { 'content-type': 'application/json;charset=UTF-8' });
    const ctx = testContext({ provider: salesforce, credentials: creds(INSTANCE), egress });
    expect(ctx.urls).toMatchObject({ apiBaseUrl: INSTANCE, userChosen: ['apiBaseUrl'] });
    expect(await salesforce.connector.test(ctx)).toEqual({
      accountId: '005xx000001SwiUAAS',
      accountName: 'Ada Admin',
      extra: { organizationId: '00Dxx0000001gPLEAY', instanceUrl: INSTANCE },
    });
    expect(scope.isDone()).toBe(true);
  });

  it('an instance_url off Salesforce hosts is never used', () => {
    expect(testContext({ provider: salesforce, credentials: creds('https://salesforce.com.evil.example'), egress }).urls.apiBaseUrl).toBe('https://login.salesforce.com');
  });

  it('login hosts a connection may choose: login, test (sandboxes) and My Domain, https only', () => {
    const d = salesforce.definition;
    expect(overrideProblems(d, 'oauth2', { authorizeUrl: 'https://test.salesforce.com/services/oauth2/authorize', tokenUrl: 'https://acme.my.salesforce.com/services/oauth2/token' })).toEqual([]);
    expect(overrideProblems(d, 'oauth2', { tokenUrl: 'https://evil.example/services/oauth2/token' })[0]?.message).toMatch(/must be on/);
    expect(overrideProblems(d, 'oauth2', { tokenUrl: 'http://test.salesforce.com/services/oauth2/token' })[0]?.message).toBe('must use https');
    expect(overrideProblems(d, 'oauth2', { apiBaseUrl: INSTANCE })[0]?.message).toMatch(/accepts overrides of authorizeUrl, tokenUrl, revokeUrl only/);
  });

  it('revoke: POST {instance_url}/services/oauth2/revoke with the refresh token', async () => {
    const scope = nock(INSTANCE).post('/services/oauth2/revoke', (b: Record<string, string>) => b.token === REFRESH).reply(200);
    await salesforce.connector.revoke!(testContext({ provider: salesforce, credentials: creds(INSTANCE), egress, oauthClient: CLIENT }));
    expect(scope.isDone()).toBe(true);
  });

  it('403 REQUEST_LIMIT_EXCEEDED → rate_limited for the defined hour (no Retry-After), not an auth failure', async () => {
    nock(INSTANCE).get('/services/oauth2/userinfo').reply(403, limitBody, { 'content-type': 'application/json' });
    const err = (await caught(() => salesforce.connector.test(testContext({ provider: salesforce, credentials: creds(INSTANCE), egress })))) as AppError;
    expect(err.code).toBe('rate_limited');
    expect(err.retryAfterSeconds).toBe(3600);
    expect(definedPauseOf(err)).toEqual({ seconds: 3600, maxSeconds: 86_400 });
  });

  it('any other 403 stays an auth failure', async () => {
    nock(INSTANCE).get('/services/oauth2/userinfo').reply(403, [{ message: 'Bad_OAuth_Token', errorCode: 'INSUFFICIENT_ACCESS' }], { 'content-type': 'application/json' });
    const err = (await caught(() => salesforce.connector.test(testContext({ provider: salesforce, credentials: creds(INSTANCE), egress })))) as AppError;
    expect(err.code).toBe('provider_auth_failed');
  });

  it('the pause doubles while the limit persists, up to 24 h, and starts over once it has cleared', () => {
    const pause = { seconds: 3600, maxSeconds: 86_400 };
    const now = Date.parse('2026-11-30T12:00:00Z');
    const last = (seconds: number, endedAgoMs: number) => ({ seconds, until: new Date(now - endedAgoMs).toISOString() });
    expect(nextDefinedPause(undefined, pause, now)).toBe(3600);
    expect(nextDefinedPause(last(3600, 60_000), pause, now)).toBe(7200);
    expect(nextDefinedPause(last(7200, -60_000), pause, now)).toBe(14_400);
    expect(nextDefinedPause(last(57_600, 0), pause, now)).toBe(86_400);
    expect(nextDefinedPause(last(86_400, 0), pause, now)).toBe(86_400);
    expect(nextDefinedPause(last(7200, 7200_000 + 1), pause, now)).toBe(3600);
  });
});
