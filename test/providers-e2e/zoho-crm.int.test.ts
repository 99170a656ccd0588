/**
 * Zoho CRM end to end through the admin API: OAuth 2.0 with comma-separated scopes and offline
 * access; the callback's `accounts-server` is where the code is exchanged and, stored on the
 * connection, where the refresh token is revoked; `api_domain` from the token response is the API
 * host of the CurrentUser test. (The US data center here, the definition's own hosts: another data
 * center's hosts are per-connection overrides that pass the egress guard, whose DNS lookups this
 * sandbox cannot make — test/providers/zoho-crm.test.ts injects a resolver and shows the EU hosts.)
 * A callback naming an accounts server off Zoho's hosts is not followed.
 */
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentUser } from '../providers/fixtures/zoho-crm.ts';
import { formOf, REDIRECT_URI, received, startE2E, type E2E } from './support.ts';

const CLIENT_ID = '1000.ZOHOCLIENT0123456789ABCDEFGH';
const CLIENT_SECRET = 'zoho-client-secret-0123456789abcdef';
const CODE = '1000.zohocode.0123456789abcdef0123456789abcdef';
const ACCESS = '1000.9f8e7d6c5b4a39281706a5b4c3d2e1f0.0a1b2c3d4e5f60718293a4b5c6d7e8f9';
const REFRESH = '1000.refresh5b4a39281706a5b4c3d2e1f0.0a1b2c3d4e5f60718293a4b5c6d7e8f9';
const SCOPES = 'ZohoCRM.users.READ,ZohoCRM.modules.contacts.ALL,ZohoCRM.notifications.ALL,ZohoCRM.modules.deals.ALL';
const ACCOUNTS = 'https://accounts.zoho.com';
const API = 'https://www.zohoapis.com';

// POST {accounts-server}/oauth/v2/token: https://www.zoho.com/crm/developer/docs/api/v8/access-refresh.html
const tokenResponse = { access_token: ACCESS, refresh_token: REFRESH, api_domain: API, token_type: 'Bearer', expires_in: 3600 };

let e2e: E2E;
beforeAll(async () => {
  e2e = await startE2E({ PROVIDER_ZOHO_CRM_CLIENT_ID: CLIENT_ID, PROVIDER_ZOHO_CRM_CLIENT_SECRET: CLIENT_SECRET });
});
afterAll(async () => {
  await e2e?.close();
});

const whoAmI = () => received(nock(API).get('/crm/v8/users').query({ type: 'CurrentUser' }).reply(200, currentUser, { 'content-type': 'application/json' }));

describe('Zoho CRM through the admin API (OAuth 2.0, multi-DC)', () => {
  let id: string;

  it('connect: authorize URL with offline access and comma-separated scopes → callback with location and accounts-server → exchange there → CurrentUser on api_domain', async () => {
    const { url, params } = await e2e.startOAuth({ provider: 'zoho-crm' });
    expect(url.origin + url.pathname).toBe('https://accounts.zoho.com/oauth/v2/auth');
    expect(params).toEqual({
      access_type: 'offline',
      prompt: 'consent',
      response_type: 'code',
      client_id: CLIENT_ID,
      redirect_uri: REDIRECT_URI,
      state: expect.stringMatching(/^[\w-]+\.[\w-]+$/),
      scope: SCOPES,
    });

    const token = received(nock(ACCOUNTS).post('/oauth/v2/token').reply(200, tokenResponse, { 'content-type': 'application/json' }));
    const me = whoAmI();
    const page = await e2e.callback({ code: CODE, state: params.state!, location: 'us', 'accounts-server': ACCOUNTS });
    expect(page.status, page.html).toBe(200);
    expect(page.html).toContain('Zoho CRM is connected as Patricia Boyle');

    expect(token).toHaveLength(1);
    expect(token[0]!.headers.get('authorization')).toBeNull();
    expect(formOf(token[0]!.body)).toEqual({ grant_type: 'authorization_code', code: CODE, redirect_uri: REDIRECT_URI, client_id: CLIENT_ID, client_secret: CLIENT_SECRET });
    expect(me).toHaveLength(1);
    expect(me[0]!.headers.get('authorization')).toBe(`Zoho-oauthtoken ${ACCESS}`);

    const [row] = await e2e.rows('zoho-crm');
    expect(row).toMatchObject({
      status: 'connected',
      auth_kind: 'oauth2',
      display_name: 'Zoho CRM',
      metadata: {
        accountId: '4150868000000225013',
        accountName: 'Patricia Boyle',
        scopes: SCOPES.split(','),
        extra: { apiDomain: API, accountsServer: ACCOUNTS, email: 'pboyle123@zylkr.com' },
      },
    });
    // The US accounts server is the definition's own: no per-connection override (another data center's would be).
    expect(row!.metadata).not.toHaveProperty('urls.tokenUrl');
    expect(row!.credentials).not.toContain(ACCESS);
    expect(e2e.decrypt(row!.credentials!)).toMatchObject({ type: 'oauth2', accessToken: ACCESS, refreshToken: REFRESH, extra: { api_domain: API } });
    id = row!.id;
  });

  it('test: CurrentUser with the stored token on the stored API host', async () => {
    const me = whoAmI();
    const res = await e2e.call(`/api/v1/connections/${id}/test`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: true, account: { id: '4150868000000225013', name: 'Patricia Boyle' }, connection: { status: 'connected' } });
    expect(me).toHaveLength(1);
  });

  it('disconnect: POST {accounts-server}/oauth/v2/token/revoke?token=<refresh token>; credentials deleted', async () => {
    const revoke = received(nock(ACCOUNTS).post('/oauth/v2/token/revoke').query(true).reply(200, { status: 'success' }, { 'content-type': 'application/json' }));
    const res = await e2e.call(`/api/v1/connections/${id}/disconnect`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ revoke: 'revoked', note: 'Access was revoked at Zoho CRM.', connection: { status: 'disconnected' } });
    expect(revoke).toHaveLength(1);
    expect(Object.fromEntries(revoke[0]!.url.searchParams)).toEqual({ token: REFRESH });
    expect(revoke[0]!.headers.get('authorization')).toBeNull();
    expect(await e2e.row(id)).toMatchObject({ status: 'disconnected', credentials: null });
  });

  it('a callback naming an accounts server off Zoho’s hosts is not followed: the code goes to the default accounts server', async () => {
    const { params } = await e2e.startOAuth({ provider: 'zoho-crm', displayName: 'Zoho two' });
    const token = received(nock(ACCOUNTS).post('/oauth/v2/token').reply(200, tokenResponse, { 'content-type': 'application/json' }));
    whoAmI();
    const page = await e2e.callback({ code: CODE, state: params.state!, location: 'eu', 'accounts-server': 'https://accounts.zoho.eu.attacker.example' });
    expect(page.status, page.html).toBe(200);
    expect(token).toHaveLength(1);
    const row = (await e2e.rows('zoho-crm')).find((r) => r.display_name === 'Zoho two')!;
    expect((row.metadata as { urls?: unknown }).urls).toBeUndefined();
  });

  it('a code Zoho refuses (invalid_code) connects nothing and says so', async () => {
    await e2e.expectRefusedCode({
      provider: 'zoho-crm',
      name: 'Zoho CRM',
      displayName: 'Zoho three',
      code: '1000.stale-code-0000',
      refuse: () => {
        nock(ACCOUNTS).post('/oauth/v2/token').reply(400, { error: 'invalid_grant', error_description: 'invalid code' }, { 'content-type': 'application/json' });
      },
    });
  });

  it('no token, code or client secret in any API body, page, log line or log/event/audit row', async () => {
    await e2e.expectNoSecrets([ACCESS, REFRESH, CLIENT_SECRET, CODE]);
  });
});
