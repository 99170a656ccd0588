/**
 * Slack end to end through the admin API: OAuth v2 (comma-separated bot scopes, HTTP Basic at
 * oauth.v2.access, the bot token at the root of the response), the `auth.test` test, and
 * `auth.revoke` on disconnect — with Slack's HTTP 200 `{ ok: false }` errors read as what they mean.
 */
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authTestBot, revoked } from '../providers/fixtures/slack.ts';
import { basicAuth, formOf, REDIRECT_URI, received, startE2E, type E2E } from './support.ts';

const CLIENT_ID = '2141029472.691202649728';
const CLIENT_SECRET = 'e1b9e11dfcd19c1982d5de12921e17e8c';
const CODE = '4724469134.4644010092847.232b4e6d82c333b475fc30f5f5a341d2';
const ACCESS = 'xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy';

// POST oauth.v2.access: https://docs.slack.dev/reference/methods/oauth.v2.access (bot scopes only: no user token).
const tokenResponse = {
  ok: true,
  access_token: ACCESS,
  token_type: 'bot',
  scope: 'channels:read,chat:write',
  bot_user_id: 'U0KRQLJ9H',
  app_id: 'A0KRD7HC3',
  team: { id: 'T0A1B2C3D', name: 'Acme HQ' },
  enterprise: null,
  authed_user: { id: 'U1234' },
  is_enterprise_install: false,
};

let e2e: E2E;
beforeAll(async () => {
  e2e = await startE2E({ PROVIDER_SLACK_CLIENT_ID: CLIENT_ID, PROVIDER_SLACK_CLIENT_SECRET: CLIENT_SECRET });
});
afterAll(async () => {
  await e2e?.close();
});

const authTest = () => received(nock('https://slack.com').get('/api/auth.test').reply(200, authTestBot, { 'content-type': 'application/json; charset=utf-8' }));

describe('Slack through the admin API (OAuth v2, bot token)', () => {
  let id: string;

  it('connect: authorize URL with channels:read,chat:write → callback → Basic-authenticated oauth.v2.access → auth.test', async () => {
    const { url, params } = await e2e.startOAuth({ provider: 'slack' });
    expect(url.origin + url.pathname).toBe('https://slack.com/oauth/v2/authorize');
    expect(params).toEqual({
      response_type: 'code',
      client_id: CLIENT_ID,
      redirect_uri: REDIRECT_URI,
      state: expect.stringMatching(/^[\w-]+\.[\w-]+$/),
      scope: 'channels:read,chat:write',
    });

    const token = received(nock('https://slack.com').post('/api/oauth.v2.access').reply(200, tokenResponse, { 'content-type': 'application/json; charset=utf-8' }));
    const whoami = authTest();
    const page = await e2e.callback({ code: CODE, state: params.state! });
    expect(page.status, page.html).toBe(200);
    expect(page.html).toContain('Slack is connected as Acme HQ (patchbay)');

    expect(token).toHaveLength(1);
    expect(token[0]!.headers.get('authorization')).toBe(basicAuth(CLIENT_ID, CLIENT_SECRET));
    expect(formOf(token[0]!.body)).toEqual({ grant_type: 'authorization_code', code: CODE, redirect_uri: REDIRECT_URI });

    expect(whoami).toHaveLength(1);
    expect(whoami[0]!.headers.get('authorization')).toBe(`Bearer ${ACCESS}`);

    const [row] = await e2e.rows('slack');
    expect(row).toMatchObject({
      status: 'connected',
      auth_kind: 'oauth2',
      metadata: { accountId: 'T0A1B2C3D', accountName: 'Acme HQ (patchbay)', scopes: ['channels:read', 'chat:write'], extra: { teamId: 'T0A1B2C3D', user: 'patchbay', botId: 'B0KRQLJ9H' } },
    });
    expect(row!.token_expires_at).toBeNull(); // no token rotation: the bot token does not expire
    expect(row!.credentials).not.toContain(ACCESS);
    expect(e2e.decrypt(row!.credentials!)).toMatchObject({ type: 'oauth2', accessToken: ACCESS, tokenType: 'bot', extra: { team: { id: 'T0A1B2C3D' }, bot_user_id: 'U0KRQLJ9H' } });
    id = row!.id;
  });

  it('test: auth.test with the stored bot token', async () => {
    const whoami = authTest();
    const res = await e2e.call(`/api/v1/connections/${id}/test`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: true, account: { id: 'T0A1B2C3D', name: 'Acme HQ (patchbay)' }, connection: { status: 'connected' } });
    expect(whoami[0]!.headers.get('authorization')).toBe(`Bearer ${ACCESS}`);
  });

  it('test: HTTP 200 with ok:false token_revoked → the test fails as an auth failure', async () => {
    nock('https://slack.com').get('/api/auth.test').reply(200, { ok: false, error: 'token_revoked' }, { 'content-type': 'application/json' });
    const res = await e2e.call(`/api/v1/connections/${id}/test`, { method: 'POST' });
    expect(JSON.stringify(res.body)).toContain('provider_auth_failed');
    expect(JSON.stringify(res.body)).toContain('token_revoked');
  });

  it('disconnect: GET auth.revoke with the token as Bearer, nothing in the query; credentials deleted', async () => {
    const revoke = received(nock('https://slack.com').get('/api/auth.revoke').reply(200, revoked, { 'content-type': 'application/json' }));
    const res = await e2e.call(`/api/v1/connections/${id}/disconnect`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ revoke: 'revoked', note: 'Access was revoked at Slack.', connection: { status: 'disconnected' } });
    expect(revoke).toHaveLength(1);
    expect(revoke[0]!.url.search).toBe('');
    expect(revoke[0]!.headers.get('authorization')).toBe(`Bearer ${ACCESS}`);
    expect(await e2e.row(id)).toMatchObject({ status: 'disconnected', credentials: null });
  });

  it('a code Slack refuses (HTTP 200, ok:false invalid_code) connects nothing and says so', async () => {
    await e2e.expectRefusedCode({
      provider: 'slack',
      name: 'Slack',
      displayName: 'Slack two',
      code: 'slack-stale-code-0000',
      refuse: () => {
        nock('https://slack.com').post('/api/oauth.v2.access').reply(200, { ok: false, error: 'invalid_code' }, { 'content-type': 'application/json' });
      },
    });
  });

  it('no token, code or client secret in any API body, page, log line or log/event/audit row', async () => {
    await e2e.expectNoSecrets([ACCESS, CLIENT_SECRET, CODE]);
  });
});
