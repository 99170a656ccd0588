/**
 * Airtable end to end through the admin API, in both of its modes: OAuth 2.0 with PKCE and HTTP
 * Basic client authentication (no revoke call exists: disconnect says so), and a personal access
 * token (`pat…`, also not revoked).
 */
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { airtable } from '../../src/providers/airtable/index.ts';
import { errorBody } from '../helpers/app.ts';
import { basicAuth, formOf, REDIRECT_URI, received, s256, startE2E, type E2E } from './support.ts';

const CLIENT_ID = '4e9b2c1d-7f3a-4b8e-9c0d-airtable-client';
const CLIENT_SECRET = 'b6f0c3a9d2e1f4a7c8b5d0e3f6a9c2b5d8e1f4a7c0b3d6e9f2a5c8b1d4e7f0a3';
const CODE = 'airtable-auth-code-7c1e9a0b3d5f';
const ACCESS = 'oaa.AirtableAccessToken.v1.usrL2PNC5o3H4lBEi.0123456789abcdef';
const REFRESH = 'oar.AirtableRefreshToken.v1.usrL2PNC5o3H4lBEi.fedcba9876543210';
const PAT = 'patAbCdEfGhIjKlMn0.0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';
const WRONG_PAT = 'patRevokedRevoked0.ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff';
const SCOPES = 'user.email:read data.records:read data.records:write schema.bases:read';

// https://airtable.com/developers/web/api/oauth-reference ("Token creation request", successful response).
const tokenResponse = { access_token: ACCESS, refresh_token: REFRESH, token_type: 'Bearer', scope: SCOPES, expires_in: 3600, refresh_expires_in: 5184000 };
// https://airtable.com/developers/web/api/get-user-id-scopes
const whoami = { id: 'usrL2PNC5o3H4lBEi', email: 'foo@bar.com', scopes: SCOPES.split(' ') };

let e2e: E2E;
beforeAll(async () => {
  e2e = await startE2E({ PROVIDER_AIRTABLE_CLIENT_ID: CLIENT_ID, PROVIDER_AIRTABLE_CLIENT_SECRET: CLIENT_SECRET });
});
afterAll(async () => {
  await e2e?.close();
});

const getWhoami = (body: unknown = whoami) => received(nock('https://api.airtable.com').get('/v0/meta/whoami').reply(200, body as nock.Body, { 'content-type': 'application/json' }));

describe('Airtable through the admin API — OAuth 2.0 + PKCE', () => {
  let id: string;

  it('connect: authorize URL with the four scopes and S256 → callback → Basic-authenticated exchange with the verifier → whoami', async () => {
    const { url, params } = await e2e.startOAuth({ provider: 'airtable', displayName: 'Airtable OAuth' });
    expect(url.origin + url.pathname).toBe('https://airtable.com/oauth2/v1/authorize');
    expect(params).toEqual({
      response_type: 'code',
      client_id: CLIENT_ID,
      redirect_uri: REDIRECT_URI,
      state: expect.stringMatching(/^[\w-]+\.[\w-]+$/),
      scope: SCOPES,
      code_challenge: expect.stringMatching(/^[\w-]{43}$/),
      code_challenge_method: 'S256',
    });

    const token = received(nock('https://airtable.com').post('/oauth2/v1/token').reply(200, tokenResponse, { 'content-type': 'application/json' }));
    const me = getWhoami();
    const page = await e2e.callback({ code: CODE, state: params.state! });
    expect(page.status, page.html).toBe(200);
    expect(page.html).toContain('Airtable is connected as foo@bar.com');

    expect(token).toHaveLength(1);
    expect(token[0]!.headers.get('authorization')).toBe(basicAuth(CLIENT_ID, CLIENT_SECRET));
    const form = formOf(token[0]!.body);
    expect(form).toMatchObject({ grant_type: 'authorization_code', code: CODE, redirect_uri: REDIRECT_URI, code_verifier: expect.any(String) });
    expect(form.client_secret).toBeUndefined();
    expect(s256(form.code_verifier!)).toBe(params.code_challenge);

    expect(me).toHaveLength(1);
    expect(me[0]!.headers.get('authorization')).toBe(`Bearer ${ACCESS}`);

    const [row] = await e2e.rows('airtable');
    expect(row).toMatchObject({ status: 'connected', auth_kind: 'oauth2', metadata: { accountId: 'usrL2PNC5o3H4lBEi', accountName: 'foo@bar.com', scopes: SCOPES.split(' ') } });
    expect(row!.token_expires_at).not.toBeNull(); // 60-minute access tokens
    expect(e2e.decrypt(row!.credentials!)).toMatchObject({ type: 'oauth2', accessToken: ACCESS, refreshToken: REFRESH });
    id = row!.id;
  });

  it('test: whoami with the stored token', async () => {
    const me = getWhoami();
    const res = await e2e.call(`/api/v1/connections/${id}/test`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: true, account: { id: 'usrL2PNC5o3H4lBEi', name: 'foo@bar.com' }, connection: { status: 'connected' } });
    expect(me).toHaveLength(1);
  });

  it('disconnect: Airtable has no revoke call — not_supported with the note; credentials deleted', async () => {
    // No nock: any revoke request would fail the test.
    const res = await e2e.call(`/api/v1/connections/${id}/disconnect`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ revoke: 'not_supported', note: airtable.definition.revokeNote, connection: { status: 'disconnected' } });
    expect(await e2e.row(id)).toMatchObject({ status: 'disconnected', credentials: null });
  });

  it('a code Airtable refuses (invalid_grant) connects nothing and says so', async () => {
    await e2e.expectRefusedCode({
      provider: 'airtable',
      name: 'Airtable',
      displayName: 'Airtable OAuth two',
      code: 'airtable-stale-code-0000',
      refuse: () => {
        nock('https://airtable.com').post('/oauth2/v1/token').reply(400, { error: 'invalid_grant', error_description: 'The authorization code is invalid or expired.' }, { 'content-type': 'application/json' });
      },
    });
  });
});

describe('Airtable through the admin API — personal access token', () => {
  let id: string;

  it('connect: POST /connections with the token; whoami tested before saving', async () => {
    const me = getWhoami();
    const res = await e2e.call('/api/v1/connections', { method: 'POST', json: { provider: 'airtable', displayName: 'Airtable PAT', credentials: { token: PAT } } });
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({ account: { id: 'usrL2PNC5o3H4lBEi', name: 'foo@bar.com' }, connection: { provider: 'airtable', status: 'connected', authKind: 'api_key' } });
    expect(me[0]!.headers.get('authorization')).toBe(`Bearer ${PAT}`);
    id = res.body.connection.id;
    expect(e2e.decrypt((await e2e.row(id)).credentials!)).toEqual({ type: 'api_key', fields: { token: PAT } });
  });

  it('disconnect: not revoked — not_supported with the revoke note', async () => {
    const res = await e2e.call(`/api/v1/connections/${id}/disconnect`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ revoke: 'not_supported', note: airtable.definition.revokeNote, connection: { status: 'disconnected' } });
  });

  it('a token Airtable rejects → 422 provider_auth_failed, and no row is written', async () => {
    const before = (await e2e.rows('airtable')).length;
    nock('https://api.airtable.com').get('/v0/meta/whoami').reply(401, { error: { type: 'AUTHENTICATION_REQUIRED', message: 'Authentication required' } }, { 'content-type': 'application/json' });
    const res = await e2e.app.fetch('/api/v1/connections', { method: 'POST', json: { provider: 'airtable', displayName: 'Airtable bad', credentials: { token: WRONG_PAT } } });
    expect(res.status).toBe(422);
    const err = await errorBody(res);
    e2e.seen.push(JSON.stringify(err));
    expect(err.code).toBe('provider_auth_failed');
    expect(await e2e.rows('airtable')).toHaveLength(before);
  });
});

describe('Airtable secrets', () => {
  it('no token, code or client secret in any API body, page, log line or log/event/audit row', async () => {
    await e2e.expectNoSecrets([ACCESS, REFRESH, CLIENT_SECRET, CODE, PAT, WRONG_PAT]);
  });
});
