/**
 * Salesforce end to end through the admin API: the web server flow with PKCE, the token response's
 * `instance_url` as the host of every later call (through the egress guard), the daily-limit 403
 * pausing the connection for the defined hour and doubling while it persists, and the revoke on
 * the instance at disconnect.
 */
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../helpers/sql.ts';
import { expectPkceBodyAuthExchange, formOf, REDIRECT_URI, received, startE2E, type E2E } from './support.ts';

const CLIENT_ID = '3MVG9lKcPoNINVBIPJjdw1J9LLM82HnFVVX19KY1uA5mu0QqEWhqKpoW3svG3X';
const CLIENT_SECRET = 'sf-consumer-secret-5E8C1B2A9D7F3E60';
const CODE = 'aPrxsmIEeqM9PiQroGEWx1UiMQd95_5JUZVEhsOFhS8EVvbfYBBJli2W5fn3zbo.8hojaNW_1g';
const ACCESS = '00Dxx0000001gPL!AR8AQJXg5oj8jXSgxJfA0lBog.39AsX.LVpxezPwuX5VAIrrbb';
const REFRESH = '5Aep861TSESvWeug_xvFHRBTTbf_YrTWgEyjBJrjQ4fXEmmuRh5WzRQ3x2Wd9kgcUMX';
const INSTANCE = 'https://acme.my.salesforce.com';
const SCOPES = 'api refresh_token id';

// POST /services/oauth2/token (web server flow): https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_web_server_flow.htm
const tokenResponse = {
  access_token: ACCESS,
  refresh_token: REFRESH,
  signature: 'CMJ4l+CCaPQiKjoOEwEig9H4wqhpuLSk4J2urAe+fVg=',
  scope: SCOPES,
  instance_url: INSTANCE,
  id: 'https://login.salesforce.com/id/00Dxx0000001gPLEAY/005xx000001SwiUAAS',
  token_type: 'Bearer',
  issued_at: '1764504000000',
};
// As in test/providers/salesforce.test.ts (trimmed).
const userinfo = { sub: tokenResponse.id, user_id: '005xx000001SwiUAAS', organization_id: '00Dxx0000001gPLEAY', name: 'Ada Admin', preferred_username: 'admin@acme.example', email: 'admin@acme.example' };
const limitBody = [{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }];

let e2e: E2E;
beforeAll(async () => {
  e2e = await startE2E({ PROVIDER_SALESFORCE_CLIENT_ID: CLIENT_ID, PROVIDER_SALESFORCE_CLIENT_SECRET: CLIENT_SECRET });
  e2e.app.pb.rt.net.resolver = async (host) => {
    if (host === 'acme.my.salesforce.com') return [{ address: '13.110.54.10', family: 4 }];
    // A connection's own login host and sandbox instance are reached through the egress guard.
    if (host === 'test.salesforce.com') return [{ address: '13.110.54.20', family: 4 }];
    if (host === 'acme--uat.sandbox.my.salesforce.com') return [{ address: '13.110.54.30', family: 4 }];
    throw new Error(`ENOTFOUND ${host}`);
  };
});
afterAll(async () => {
  await e2e?.close();
});

const whoAmI = () => received(nock(INSTANCE).get('/services/oauth2/userinfo').reply(200, userinfo, { 'content-type': 'application/json;charset=UTF-8' }));
const pausedFor = async (id: string) => {
  const [r] = await sql<{ status: string; paused_by: string | null; paused_until: Date | null; metadata: { rateLimitPause?: { seconds: number } } }>(
    e2e.app.dbUrl,
    'select status, paused_by, paused_until, metadata from connections where id = $1',
    [id],
  );
  return { ...r!, seconds: r!.paused_until ? Math.round((r!.paused_until.getTime() - Date.now()) / 1000) : null };
};

describe('Salesforce through the admin API (web server flow + PKCE, instance_url)', () => {
  let id: string;

  it('connect: authorize at login.salesforce.com → exchange with the verifier → userinfo on the instance_url', async () => {
    const { url, params } = await e2e.startOAuth({ provider: 'salesforce' });
    expect(url.origin + url.pathname).toBe('https://login.salesforce.com/services/oauth2/authorize');
    expect(params).toEqual({
      response_type: 'code',
      client_id: CLIENT_ID,
      redirect_uri: REDIRECT_URI,
      state: expect.stringMatching(/^[\w-]+\.[\w-]+$/),
      scope: SCOPES,
      code_challenge: expect.stringMatching(/^[\w-]{43}$/),
      code_challenge_method: 'S256',
    });
    const token = received(nock('https://login.salesforce.com').post('/services/oauth2/token').reply(200, tokenResponse, { 'content-type': 'application/json;charset=UTF-8' }));
    const calls = whoAmI();
    const page = await e2e.callback({ code: CODE, state: params.state! });
    expect(page.status, page.html).toBe(200);
    expect(page.html).toContain('Salesforce is connected as Ada Admin');
    expectPkceBodyAuthExchange(token, { code: CODE, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, challenge: params.code_challenge });
    expect(calls.map((c) => `${c.url.origin}${c.url.pathname}`)).toEqual([`${INSTANCE}/services/oauth2/userinfo`]);
    expect(calls[0]!.headers.get('authorization')).toBe(`Bearer ${ACCESS}`);

    const [row] = await e2e.rows('salesforce');
    expect(row).toMatchObject({
      status: 'connected',
      metadata: { accountId: '005xx000001SwiUAAS', accountName: 'Ada Admin', scopes: SCOPES.split(' '), extra: { organizationId: '00Dxx0000001gPLEAY', instanceUrl: INSTANCE } },
    });
    expect(e2e.decrypt(row!.credentials!)).toMatchObject({ accessToken: ACCESS, refreshToken: REFRESH, extra: { instance_url: INSTANCE, id: tokenResponse.id } });
    id = row!.id;
  });

  it('test: the stored instance_url is the host', async () => {
    const calls = whoAmI();
    const res = await e2e.call(`/api/v1/connections/${id}/test`, { method: 'POST' });
    expect(res.body).toMatchObject({ ok: true, account: { id: '005xx000001SwiUAAS', name: 'Ada Admin' } });
    expect(calls.map((c) => c.url.origin)).toEqual([INSTANCE]);
  });

  it('403 REQUEST_LIMIT_EXCEEDED pauses the connection for one hour; hit again while it persists, for two', async () => {
    nock(INSTANCE).get('/services/oauth2/userinfo').reply(403, limitBody, { 'content-type': 'application/json' });
    const first = await e2e.call(`/api/v1/connections/${id}/test`, { method: 'POST' });
    expect(first.body).toMatchObject({ ok: false, error: { code: 'rate_limited' } });
    let c = await pausedFor(id);
    expect(c).toMatchObject({ status: 'paused', paused_by: 'rate_limit', metadata: { rateLimitPause: { seconds: 3600 } } });
    expect(Math.abs(c.seconds! - 3600)).toBeLessThan(30);

    nock(INSTANCE).get('/services/oauth2/userinfo').reply(403, limitBody, { 'content-type': 'application/json' });
    await e2e.call(`/api/v1/connections/${id}/test`, { method: 'POST' });
    c = await pausedFor(id);
    expect(c).toMatchObject({ status: 'paused', paused_by: 'rate_limit', metadata: { rateLimitPause: { seconds: 7200 } } });
    expect(Math.abs(c.seconds! - 7200)).toBeLessThan(30);
  });

  it('disconnect: POST {instance_url}/services/oauth2/revoke with the refresh token; credentials deleted', async () => {
    const revoke = received(nock(INSTANCE).post('/services/oauth2/revoke').reply(200));
    const res = await e2e.call(`/api/v1/connections/${id}/disconnect`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ revoke: 'revoked', connection: { status: 'disconnected' } });
    expect(revoke).toHaveLength(1);
    expect(formOf(revoke[0]!.body)).toMatchObject({ token: REFRESH });
    expect(await e2e.row(id)).toMatchObject({ status: 'disconnected', credentials: null });
  });

  it('a code Salesforce refuses (invalid_grant) connects nothing and says so', async () => {
    await e2e.expectRefusedCode({
      provider: 'salesforce',
      name: 'Salesforce',
      displayName: 'Salesforce two',
      code: 'sf-stale-code-0000',
      refuse: () => {
        nock('https://login.salesforce.com').post('/services/oauth2/token').reply(400, { error: 'invalid_grant', error_description: 'expired authorization code' }, { 'content-type': 'application/json' });
      },
    });
  });

  it('no token, code or client secret in any API body, page, log line or log/event/audit row', async () => {
    await e2e.expectNoSecrets([ACCESS, REFRESH, CLIENT_SECRET, CODE]);
  });
});

describe('Salesforce sandbox: a login host chosen when the connection is started', () => {
  const SANDBOX_LOGIN = 'https://test.salesforce.com';
  const SANDBOX_INSTANCE = 'https://acme--uat.sandbox.my.salesforce.com';
  const SANDBOX_ACCESS = '00Dxx0000002sBX!AQ4AQFgW9sandboxAccessTokenq8kLmNoPqRsTuVw';
  const SANDBOX_REFRESH = '5Aep861sandboxRefreshTokenYrTWgEyjBJrjQ4fXEmmuRh5WzRQ3x2Wd9kg';
  const SANDBOX_CODE = 'aPrxsandboxCodeM9PiQroGEWx1UiMQd95_5JUZVEhsOFhS8EVvbfYBBJli2W5';
  const urls = {
    authorizeUrl: `${SANDBOX_LOGIN}/services/oauth2/authorize`,
    tokenUrl: `${SANDBOX_LOGIN}/services/oauth2/token`,
    revokeUrl: `${SANDBOX_LOGIN}/services/oauth2/revoke`,
  };
  const sandboxToken = {
    ...tokenResponse,
    access_token: SANDBOX_ACCESS,
    refresh_token: SANDBOX_REFRESH,
    instance_url: SANDBOX_INSTANCE,
    id: 'https://test.salesforce.com/id/00Dxx0000002sBXEAY/005xx000002TwjVAAS',
  };
  const sandboxUser = { ...userinfo, sub: sandboxToken.id, user_id: '005xx000002TwjVAAS', organization_id: '00Dxx0000002sBXEAY', name: 'Ada Sandbox' };
  const states = async () => Number((await sql<{ n: string }>(e2e.app.dbUrl, 'select count(*) as n from oauth_states'))[0]!.n);
  let id: string;

  it('authorize and token exchange at test.salesforce.com; the connection keeps the host', async () => {
    const { url, params } = await e2e.startOAuth({ provider: 'salesforce', displayName: 'Salesforce sandbox', urls });
    expect(url.origin + url.pathname).toBe(`${SANDBOX_LOGIN}/services/oauth2/authorize`);
    expect(params).toMatchObject({ client_id: CLIENT_ID, redirect_uri: REDIRECT_URI, code_challenge_method: 'S256' });
    const [state] = await sql<{ urls: unknown }>(e2e.app.dbUrl, 'select urls from oauth_states where id = $1', [params.state!.split('.')[0]]);
    expect(state!.urls).toEqual(urls);

    const token = received(nock(SANDBOX_LOGIN).post('/services/oauth2/token').reply(200, sandboxToken, { 'content-type': 'application/json;charset=UTF-8' }));
    const me = received(nock(SANDBOX_INSTANCE).get('/services/oauth2/userinfo').reply(200, sandboxUser, { 'content-type': 'application/json;charset=UTF-8' }));
    const page = await e2e.callback({ code: SANDBOX_CODE, state: params.state! });
    expect(page.status, page.html).toBe(200);
    expect(page.html).toContain('Salesforce is connected as Ada Sandbox');
    expectPkceBodyAuthExchange(token, { code: SANDBOX_CODE, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, challenge: params.code_challenge });
    expect(me).toHaveLength(1);

    const row = (await e2e.rows('salesforce')).find((r) => r.display_name === 'Salesforce sandbox')!;
    expect(row).toMatchObject({ status: 'connected', metadata: { accountName: 'Ada Sandbox', urls, extra: { instanceUrl: SANDBOX_INSTANCE } } });
    id = row.id;
  });

  it('a refresh (after a 401) goes to the connection\'s token URL at test.salesforce.com', async () => {
    nock(SANDBOX_INSTANCE).get('/services/oauth2/userinfo').reply(401, [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }], { 'content-type': 'application/json' });
    const refresh = received(
      nock(SANDBOX_LOGIN).post('/services/oauth2/token').reply(200, { ...sandboxToken, refresh_token: undefined, access_token: `${SANDBOX_ACCESS}2` }, { 'content-type': 'application/json' }),
    );
    const me = received(nock(SANDBOX_INSTANCE).get('/services/oauth2/userinfo').reply(200, sandboxUser, { 'content-type': 'application/json' }));
    const res = await e2e.call(`/api/v1/connections/${id}/test`, { method: 'POST' });
    expect(res.body).toMatchObject({ ok: true, account: { name: 'Ada Sandbox' } });
    expect(refresh).toHaveLength(1);
    expect(formOf(refresh[0]!.body)).toMatchObject({ grant_type: 'refresh_token', refresh_token: SANDBOX_REFRESH });
    expect(me[0]!.headers.get('authorization')).toBe(`Bearer ${SANDBOX_ACCESS}2`);
  });

  it('disconnect: the revoke goes to the sandbox instance with the refresh token', async () => {
    const revoke = received(nock(SANDBOX_INSTANCE).post('/services/oauth2/revoke').reply(200));
    const res = await e2e.call(`/api/v1/connections/${id}/disconnect`, { method: 'POST' });
    expect(res.body).toMatchObject({ revoke: 'revoked', connection: { status: 'disconnected' } });
    expect(formOf(revoke[0]!.body)).toMatchObject({ token: SANDBOX_REFRESH });
  });

  it('a host Salesforce does not use (https://evil.example) is a 400 naming it; no state is stored', async () => {
    const before = await states();
    const res = await e2e.call('/api/v1/connections/oauth', {
      method: 'POST',
      json: { provider: 'salesforce', displayName: 'Salesforce evil', urls: { authorizeUrl: 'https://evil.example/services/oauth2/authorize', tokenUrl: 'https://evil.example/services/oauth2/token' } },
    });
    expect(res.status, res.text).toBe(400);
    const must = 'must be on login.salesforce.com or test.salesforce.com or *.my.salesforce.com';
    expect(res.body).toMatchObject({
      error: {
        code: 'validation_failed',
        details: [
          { location: 'body', path: 'urls.authorizeUrl', message: must },
          { location: 'body', path: 'urls.tokenUrl', message: must },
        ],
      },
    });
    expect(await states()).toBe(before);
  });

  it('no sandbox token or code in any API body, page, log line or log/event/audit row', async () => {
    await e2e.expectNoSecrets([SANDBOX_ACCESS, SANDBOX_REFRESH, SANDBOX_CODE]);
  });
});
