/**
 * Pipedrive end to end through the admin API: OAuth 2.0 with the app as HTTP Basic at the token
 * endpoint, the `api_domain` of the token response as the host of every later call (through the
 * egress guard), Basic-auth webhooks v2 through the real ingress, and the revoke on disconnect.
 */
import { randomUUID } from 'node:crypto';
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../helpers/sql.ts';
import { basicAuth, formOf, REDIRECT_URI, received, startE2E, type E2E } from './support.ts';

const CLIENT_ID = 'b4d083d9216986345b32';
const CLIENT_SECRET = 'pipedrive-client-secret-19ad0c3b7e5f';
const CODE = '12345:678910:pipedrive-auth-code-0a1b2c3d';
const ACCESS = 'v1:pipedrive-access-9f8e7d6c5b4a39281706';
const REFRESH = '12345:678910:pipedrive-refresh-5e4d3c2b1a';
const API = 'https://acme.pipedrive.com';
const HOOK_SECRET = 'patchbay:Vq3x9TzL7mK2pR8sW4yN5cD1';

const SCOPES = 'base contacts:read deals:read';
// POST https://oauth.pipedrive.com/oauth/token: https://pipedrive.readme.io/docs/marketplace-oauth-authorization (step 3).
const tokenResponse = { access_token: ACCESS, token_type: 'Bearer', refresh_token: REFRESH, scope: SCOPES, expires_in: 3599, api_domain: API };
// GET /api/v1/users/me, as in test/providers/pipedrive.test.ts (trimmed).
const me = { success: true, data: { id: 123, name: 'Jane Doe', email: 'jane@acme.example', company_id: 7654321, company_name: 'Acme Inc', company_domain: 'acme', is_you: true } };
const ACCOUNT = 'Jane Doe (Acme Inc)';

let e2e: E2E;
beforeAll(async () => {
  e2e = await startE2E({ PROVIDER_PIPEDRIVE_CLIENT_ID: CLIENT_ID, PROVIDER_PIPEDRIVE_CLIENT_SECRET: CLIENT_SECRET });
  // The company host is user-chosen (from the token response): the egress guard resolves it, offline here.
  e2e.app.pb.rt.net.resolver = async (host) => {
    if (host === 'acme.pipedrive.com') return [{ address: '185.55.212.10', family: 4 }];
    throw new Error(`ENOTFOUND ${host}`);
  };
});
afterAll(async () => {
  await e2e?.close();
});

const whoAmI = () => received(nock(API).get('/api/v1/users/me').reply(200, me, { 'content-type': 'application/json' }));

describe('Pipedrive through the admin API (OAuth 2.0, api_domain)', () => {
  let id: string;

  it('connect: authorize URL → callback → exchange with Basic client auth → /users/me on the api_domain', async () => {
    const { url, params } = await e2e.startOAuth({ provider: 'pipedrive' });
    expect(url.origin + url.pathname).toBe('https://oauth.pipedrive.com/oauth/authorize');
    expect(params).toEqual({
      response_type: 'code',
      client_id: CLIENT_ID,
      redirect_uri: REDIRECT_URI,
      state: expect.stringMatching(/^[\w-]+\.[\w-]+$/),
      scope: SCOPES,
    });

    const token = received(nock('https://oauth.pipedrive.com').post('/oauth/token').reply(200, tokenResponse, { 'content-type': 'application/json' }));
    const calls = whoAmI();
    const page = await e2e.callback({ code: CODE, state: params.state! });
    expect(page.status, page.html).toBe(200);
    expect(page.html).toContain(`Pipedrive is connected as ${ACCOUNT}`);

    expect(token).toHaveLength(1);
    expect(token[0]!.headers.get('authorization')).toBe(basicAuth(CLIENT_ID, CLIENT_SECRET));
    expect(formOf(token[0]!.body)).toEqual({ grant_type: 'authorization_code', code: CODE, redirect_uri: REDIRECT_URI });

    expect(calls.map((c) => `${c.method} ${c.url.origin}${c.url.pathname}`)).toEqual([`GET ${API}/api/v1/users/me`]);
    expect(calls[0]!.headers.get('authorization')).toBe(`Bearer ${ACCESS}`);

    const [row] = await e2e.rows('pipedrive');
    expect(row).toMatchObject({
      status: 'connected',
      auth_kind: 'oauth2',
      metadata: { accountId: '123', accountName: ACCOUNT, scopes: SCOPES.split(' '), extra: { companyId: 7654321, companyName: 'Acme Inc', companyDomain: 'acme', apiDomain: API } },
    });
    expect(row!.credentials).not.toContain(ACCESS);
    expect(e2e.decrypt(row!.credentials!)).toMatchObject({ type: 'oauth2', accessToken: ACCESS, refreshToken: REFRESH, extra: { api_domain: API } });
    id = row!.id;
  });

  it('test: the stored api_domain is the host', async () => {
    const calls = whoAmI();
    const res = await e2e.call(`/api/v1/connections/${id}/test`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: true, account: { id: '123', name: ACCOUNT }, connection: { status: 'connected' } });
    expect(calls.map((c) => c.url.origin)).toEqual([API]);
  });

  describe('webhooks v2 (HTTP Basic set on the webhook)', () => {
    const path = () => `/webhooks/pipedrive/${id}`;
    const eventId = randomUUID();
    const body = JSON.stringify({
      data: { id: 42, name: 'Ada Lovelace', update_time: '2026-11-30T10:00:00Z' },
      previous: { name: 'Ada' },
      meta: { action: 'change', entity: 'person', entity_id: '42', id: eventId, version: '2.0', attempt: 1, company_id: '7654321', host: 'acme.pipedrive.com', timestamp: '2026-11-30T10:00:00.000Z' },
    });
    const post = (authorization: string | null, b = body) =>
      e2e.app.fetch(path(), { method: 'POST', token: null, headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) }, body: b });
    const rows = () => sql<{ delivery_id: string; kind: string; object: string | null; remote_id: string | null }>(e2e.app.dbUrl, `select delivery_id, kind, object, remote_id from inbound_receipts where source = 'webhook:pipedrive' and delivery_id = $1`, [eventId]);
    const [user, pass] = HOOK_SECRET.split(/:(.*)/s) as [string, string];

    it('before the Admin stores the credentials → 401', async () => {
      expect((await post(basicAuth(user, pass))).status).toBe(401);
    });

    it('valid credentials → 200 and one receipt for the contact; the retry (same meta.id) → duplicate', async () => {
      const put = await e2e.call(`/api/v1/connections/${id}/webhook-secret`, { method: 'PUT', json: { secret: HOOK_SECRET } });
      expect(put.status, put.text).toBe(204);
      const ok = await post(basicAuth(user, pass));
      expect(ok.status).toBe(200);
      expect(await ok.json()).toMatchObject({ received: 1, applied: 1, duplicates: 0 });
      const again = await post(basicAuth(user, pass), body.replace('"attempt":1', '"attempt":2'));
      expect(again.status).toBe(200);
      expect(await again.json()).toMatchObject({ duplicates: 1, applied: 0 });
      expect(await rows()).toEqual([{ delivery_id: eventId, kind: 'change.person', object: 'contacts', remote_id: '42' }]);
    });

    it('tampered credentials or none → 401, nothing stored', async () => {
      const other = body.replace(eventId, randomUUID());
      expect((await post(basicAuth(user, `${pass}x`), other)).status).toBe(401);
      expect((await post(basicAuth('admin', pass), other)).status).toBe(401);
      expect((await post(null, other)).status).toBe(401);
      const [n] = await sql<{ n: string }>(e2e.app.dbUrl, `select count(*) as n from inbound_receipts where source = 'webhook:pipedrive'`);
      expect(Number(n!.n)).toBe(1);
    });
  });

  it('disconnect: POST oauth.pipedrive.com/oauth/revoke with the refresh token and the app as Basic; credentials deleted', async () => {
    const revoke = received(nock('https://oauth.pipedrive.com').post('/oauth/revoke').reply(200));
    const res = await e2e.call(`/api/v1/connections/${id}/disconnect`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ revoke: 'revoked', connection: { status: 'disconnected' } });
    expect(revoke).toHaveLength(1);
    expect(revoke[0]!.headers.get('authorization')).toBe(basicAuth(CLIENT_ID, CLIENT_SECRET));
    expect(formOf(revoke[0]!.body)).toEqual({ token: REFRESH, token_type_hint: 'refresh_token' });
    expect(await e2e.row(id)).toMatchObject({ status: 'disconnected', credentials: null });
  });

  it('a code Pipedrive refuses (invalid_grant) connects nothing and says so', async () => {
    await e2e.expectRefusedCode({
      provider: 'pipedrive',
      name: 'Pipedrive',
      displayName: 'Pipedrive two',
      code: 'pipedrive-stale-code-0000',
      refuse: () => {
        nock('https://oauth.pipedrive.com').post('/oauth/token').reply(400, { error: 'invalid_grant', error_description: 'Invalid grant: authorization code is invalid' }, { 'content-type': 'application/json' });
      },
    });
  });

  it('no token, code, client secret or webhook password in any API body, page, log line or log/event/audit row', async () => {
    await e2e.expectNoSecrets([ACCESS, REFRESH, CLIENT_SECRET, CODE, HOOK_SECRET]);
  });
});
