/**
 * HubSpot end to end through the admin API: OAuth 2.0 with PKCE (30-minute access tokens), the
 * access-token metadata test, and the refresh-token delete on disconnect.
 */
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { introspection } from '../providers/fixtures/hubspot.ts';
import { REDIRECT_URI, expectPkceBodyAuthExchange, formOf, received, startE2E, type E2E } from './support.ts';

const CLIENT_ID = '5fd0a1b2-3c4d-4e5f-8a9b-0c1d2e3f4a5b';
const CLIENT_SECRET = 'hubspot-client-secret-9f8e7d6c5b4a';
const CODE = 'na1-code-1a2b3c4d-5e6f-7a8b-9c0d';
// Token values as in test/providers/hubspot.test.ts.
const ACCESS = 'CKDZpunPLhICAQEYs-gDIIGOBii1hQIyGQAf3xBKEgsYjYMJVvlHEz9tFHAwSq1TQAM40s0D';
const REFRESH = 'na1-ab12-cd34-ef56-gh78-abcdef123456';

const SCOPES = ['oauth', 'crm.objects.contacts.read', 'crm.objects.contacts.write', 'crm.lists.read', 'crm.lists.write', 'crm.objects.deals.read', 'crm.objects.deals.write'];

// POST /oauth/v1/token: https://developers.hubspot.com/docs/api-reference/legacy/authentication/oauth-tokens/v1/refresh-oauth-token
const tokenResponse = { token_type: 'bearer', refresh_token: REFRESH, access_token: ACCESS, expires_in: 1800, hub_id: 62515, user_id: 123456, scopes: SCOPES };
// POST /oauth/v3/token/introspect, as in test/providers/hubspot.test.ts.
const info = { ...introspection, client_id: CLIENT_ID, scopes: SCOPES };

let e2e: E2E;
beforeAll(async () => {
  e2e = await startE2E({ PROVIDER_HUBSPOT_CLIENT_ID: CLIENT_ID, PROVIDER_HUBSPOT_CLIENT_SECRET: CLIENT_SECRET });
});
afterAll(async () => {
  await e2e?.close();
});

function tokenInfo() {
  return received(nock('https://api.hubapi.com').post('/oauth/v3/token/introspect').reply(200, info, { 'content-type': 'application/json;charset=utf-8' }));
}

describe('HubSpot through the admin API (OAuth 2.0 + PKCE)', () => {
  let id: string;

  it('connect: authorize URL → callback → token exchange with the PKCE verifier → token metadata → encrypted row', async () => {
    const { url, params } = await e2e.startOAuth({ provider: 'hubspot' });
    expect(url.origin + url.pathname).toBe('https://app.hubspot.com/oauth/authorize');
    expect(params).toEqual({
      response_type: 'code',
      client_id: CLIENT_ID,
      redirect_uri: REDIRECT_URI,
      state: expect.stringMatching(/^[\w-]+\.[\w-]+$/),
      scope: SCOPES.join(' '),
      code_challenge: expect.stringMatching(/^[\w-]{43}$/),
      code_challenge_method: 'S256',
    });

    const token = received(nock('https://api.hubapi.com').post('/oauth/v1/token').reply(200, tokenResponse, { 'content-type': 'application/json;charset=utf-8' }));
    const whoami = tokenInfo();
    const page = await e2e.callback({ code: CODE, state: params.state! });
    expect(page.status).toBe(200);
    expect(page.html).toContain('HubSpot is connected as demo.hubspot.com');

    expectPkceBodyAuthExchange(token, { code: CODE, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, challenge: params.code_challenge });

    // The token goes in the form body with the app's credentials, never in the URL or a Bearer header.
    expect(whoami).toHaveLength(1);
    expect(whoami[0]!.headers.get('authorization')).toBeNull();
    expect(whoami[0]!.url.search).toBe('');
    expect(formOf(whoami[0]!.body)).toEqual({ token: ACCESS, token_type_hint: 'access_token', client_id: CLIENT_ID, client_secret: CLIENT_SECRET });

    const [row] = await e2e.rows('hubspot');
    expect(row).toMatchObject({
      status: 'connected',
      auth_kind: 'oauth2',
      display_name: 'HubSpot',
      metadata: { accountId: '62515', accountName: 'demo.hubspot.com', scopes: SCOPES, extra: { hubId: 62515, user: 'user@example.com' } },
    });
    expect(row!.credentials).not.toContain(ACCESS);
    expect(row!.credentials).not.toContain(REFRESH);
    expect(e2e.decrypt(row!.credentials!)).toMatchObject({ type: 'oauth2', accessToken: ACCESS, refreshToken: REFRESH });
    // 30-minute access token: expiry recorded so the refresh job runs ahead of it.
    const expiresIn = row!.token_expires_at!.getTime() - Date.now();
    expect(expiresIn).toBeGreaterThan(28 * 60_000);
    expect(expiresIn).toBeLessThanOrEqual(30 * 60_000);
    id = row!.id;
  });

  it('test: token metadata for the stored token', async () => {
    const whoami = tokenInfo();
    const res = await e2e.call(`/api/v1/connections/${id}/test`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: true, account: { id: '62515', name: 'demo.hubspot.com' }, connection: { status: 'connected' } });
    expect(whoami).toHaveLength(1);
  });

  it('disconnect: POST /oauth/v3/token/revoke with the refresh token; credentials deleted', async () => {
    const revoke = received(nock('https://api.hubapi.com').post('/oauth/v3/token/revoke').reply(204));
    const res = await e2e.call(`/api/v1/connections/${id}/disconnect`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ revoke: 'revoked', note: 'Access was revoked at HubSpot.', connection: { status: 'disconnected' } });

    expect(revoke).toHaveLength(1);
    expect(revoke[0]!.method).toBe('POST');
    expect(revoke[0]!.url.pathname).toBe('/oauth/v3/token/revoke');
    expect(revoke[0]!.url.search).toBe('');
    expect(formOf(revoke[0]!.body)).toEqual({ token: REFRESH, token_type_hint: 'refresh_token', client_id: CLIENT_ID, client_secret: CLIENT_SECRET });
    // The refresh token in the path is the credential: no (possibly expired) access token is sent.
    expect(revoke[0]!.headers.get('authorization')).toBeNull();

    expect(await e2e.row(id)).toMatchObject({ status: 'disconnected', credentials: null });
  });

  it('a code HubSpot refuses (BAD_AUTH_CODE) connects nothing and says so', async () => {
    const page = await e2e.expectRefusedCode({
      provider: 'hubspot',
      name: 'HubSpot',
      displayName: 'HubSpot two',
      code: 'na1-stale-code-0000',
      refuse: () => {
        // HubSpot's token endpoint errors carry `status`/`message`, not RFC 6749's `error`.
        nock('https://api.hubapi.com')
          .post('/oauth/v1/token')
          .reply(
            400,
            { status: 'BAD_AUTH_CODE', message: 'missing or unknown auth code', correlationId: 'aeb5f871-7f07-4993-9211-075dc63e7cbf' },
            { 'content-type': 'application/json;charset=utf-8' },
          );
      },
    });
    expect(page.html).toContain('missing or unknown auth code');
  });

  it('a refresh HubSpot refuses (BAD_REFRESH_TOKEN) errors the connection with "Reconnect" instead of retrying forever', async () => {
    const { params } = await e2e.startOAuth({ provider: 'hubspot', displayName: 'HubSpot three' });
    nock('https://api.hubapi.com').post('/oauth/v1/token').reply(200, tokenResponse, { 'content-type': 'application/json;charset=utf-8' });
    tokenInfo();
    expect((await e2e.callback({ code: CODE, state: params.state! })).status).toBe(200);
    const conn = (await e2e.rows('hubspot')).find((r) => r.display_name === 'HubSpot three')!;

    // The app was uninstalled at HubSpot: the access token is refused, and so is the refresh token.
    nock('https://api.hubapi.com')
      .post('/oauth/v3/token/introspect')
      .reply(401, { status: 'error', message: 'The OAuth token used to make this call expired 1 minute ago.', category: 'EXPIRED_AUTHENTICATION' }, { 'content-type': 'application/json' });
    const refresh = received(
      nock('https://api.hubapi.com')
        .post('/oauth/v1/token')
        .reply(400, { status: 'BAD_REFRESH_TOKEN', message: 'missing or invalid refresh token', correlationId: 'aeb5f871-7f07-4993-9211-075dc63e7cbf' }, { 'content-type': 'application/json;charset=utf-8' }),
    );
    const res = await e2e.call(`/api/v1/connections/${conn.id}/test`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: false, error: { code: 'provider_auth_failed' }, connection: { status: 'errored', statusReason: 'Authorization revoked — Reconnect.' } });
    expect(refresh).toHaveLength(1);
    expect(formOf(refresh[0]!.body)).toEqual({ grant_type: 'refresh_token', refresh_token: REFRESH, client_id: CLIENT_ID, client_secret: CLIENT_SECRET });
  });

  it('no token, code or client secret in any API body, page, log line or log/event/audit row', async () => {
    await e2e.expectNoSecrets([ACCESS, REFRESH, CLIENT_SECRET, CODE]);
  });
});
