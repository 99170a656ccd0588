/**
 * Linear end to end through the admin API, in both of its modes: OAuth 2.0 with PKCE (revoked
 * on disconnect) and a personal API key (typed field, tested before saving, no revoke call).
 */
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linear } from '../../src/providers/linear/index.ts';
import { VIEWER_QUERY } from '../../src/providers/linear/connector.ts';
import { errorBody } from '../helpers/app.ts';
import { REDIRECT_URI, expectPkceBodyAuthExchange, formOf, received, startE2E, type E2E } from './support.ts';

const CLIENT_ID = 'b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6';
const CLIENT_SECRET = 'linear-client-secret-0f1e2d3c4b5a6978';
const CODE = 'linear-auth-code-9a8b7c6d5e4f3a2b';
const ACCESS = 'lin_oauth_access_0123456789abcdef';
const REFRESH = 'lin_oauth_refresh_fedcba9876543210';
const KEY = 'lin_api_0123456789abcdefghijklmnopqrstuvwxyzABCD';
const WRONG_KEY = 'lin_api_revokedrevokedrevokedrevoked00';

// https://linear.app/developers/oauth-2-0-authentication (token response; `scope` is an array).
const tokenResponse = { access_token: ACCESS, token_type: 'Bearer', expires_in: 86399, scope: ['read', 'write'], refresh_token: REFRESH };
// The viewer query's answer, as in test/providers/linear.test.ts.
const viewer = { data: { viewer: { id: '2f1c1a5e-7d3c-4a8b-9f16-0c0f0b1f2e3d', name: 'Ada Lovelace', email: 'ada@example.com' } } };
const USER_ID = viewer.data.viewer.id;
// A rejected key, as in test/providers/linear.test.ts.
const authError = {
  errors: [
    {
      message: 'Authentication required, not authenticated',
      extensions: {
        type: 'authentication error',
        code: 'AUTHENTICATION_ERROR',
        statusCode: 401,
        userPresentableMessage: 'You need to authenticate to access this operation.',
      },
    },
  ],
};

let e2e: E2E;
beforeAll(async () => {
  e2e = await startE2E({ PROVIDER_LINEAR_CLIENT_ID: CLIENT_ID, PROVIDER_LINEAR_CLIENT_SECRET: CLIENT_SECRET });
});
afterAll(async () => {
  await e2e?.close();
});

function viewerQuery() {
  return received(nock('https://api.linear.app').post('/graphql').reply(200, viewer, { 'content-type': 'application/json' }));
}

describe('Linear through the admin API — OAuth 2.0 + PKCE', () => {
  let id: string;

  it('connect: authorize URL with comma-separated scopes → callback → token exchange with the PKCE verifier → viewer', async () => {
    const { url, params } = await e2e.startOAuth({ provider: 'linear', displayName: 'Linear OAuth' });
    expect(url.origin + url.pathname).toBe('https://linear.app/oauth/authorize');
    expect(params).toEqual({
      prompt: 'consent',
      response_type: 'code',
      client_id: CLIENT_ID,
      redirect_uri: REDIRECT_URI,
      state: expect.stringMatching(/^[\w-]+\.[\w-]+$/),
      scope: 'read,write',
      code_challenge: expect.stringMatching(/^[\w-]{43}$/),
      code_challenge_method: 'S256',
    });

    const token = received(nock('https://api.linear.app').post('/oauth/token').reply(200, tokenResponse, { 'content-type': 'application/json' }));
    const whoami = viewerQuery();
    const page = await e2e.callback({ code: CODE, state: params.state! });
    expect(page.status).toBe(200);
    expect(page.html).toContain('Linear is connected as Ada Lovelace');

    expectPkceBodyAuthExchange(token, { code: CODE, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, challenge: params.code_challenge });

    expect(whoami).toHaveLength(1);
    expect(whoami[0]!.headers.get('authorization')).toBe(`Bearer ${ACCESS}`);
    expect(JSON.parse(whoami[0]!.body)).toEqual({ query: VIEWER_QUERY });

    const [row] = await e2e.rows('linear');
    expect(row).toMatchObject({
      status: 'connected',
      auth_kind: 'oauth2',
      display_name: 'Linear OAuth',
      metadata: { accountId: USER_ID, accountName: 'Ada Lovelace', scopes: ['read', 'write'] },
    });
    expect(row!.credentials).not.toContain(ACCESS);
    expect(row!.credentials).not.toContain(REFRESH);
    expect(e2e.decrypt(row!.credentials!)).toMatchObject({ type: 'oauth2', accessToken: ACCESS, refreshToken: REFRESH });
    id = row!.id;
  });

  it('test: the viewer query with the stored token', async () => {
    const whoami = viewerQuery();
    const res = await e2e.call(`/api/v1/connections/${id}/test`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: true, account: { id: USER_ID, name: 'Ada Lovelace' }, connection: { status: 'connected' } });
    expect(whoami[0]!.headers.get('authorization')).toBe(`Bearer ${ACCESS}`);
  });

  it('disconnect: POST /oauth/revoke with the access token; credentials deleted', async () => {
    const revoke = received(nock('https://api.linear.app').post('/oauth/revoke').reply(200));
    const res = await e2e.call(`/api/v1/connections/${id}/disconnect`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ revoke: 'revoked', note: 'Access was revoked at Linear.', connection: { status: 'disconnected' } });

    expect(revoke).toHaveLength(1);
    expect(revoke[0]!.method).toBe('POST');
    expect(revoke[0]!.url.pathname).toBe('/oauth/revoke');
    expect(revoke[0]!.headers.get('authorization')).toBe(`Bearer ${ACCESS}`);
    expect(revoke[0]!.headers.get('content-type')).toMatch(/^application\/x-www-form-urlencoded/);
    expect(formOf(revoke[0]!.body)).toEqual({ token: ACCESS, token_type_hint: 'access_token' });

    expect(await e2e.row(id)).toMatchObject({ status: 'disconnected', credentials: null });
  });

  it('a code Linear refuses (invalid_grant) connects nothing and says so', async () => {
    await e2e.expectRefusedCode({
      provider: 'linear',
      name: 'Linear',
      displayName: 'Linear OAuth two',
      code: 'linear-stale-code-0000',
      refuse: () => {
        nock('https://api.linear.app')
          .post('/oauth/token')
          .reply(400, { error: 'invalid_grant', error_description: 'Invalid authorization code' }, { 'content-type': 'application/json' });
      },
    });
  });
});

describe('Linear through the admin API — personal API key', () => {
  let id: string;

  it('connect: POST /connections with the key; tested with the viewer query (raw key in Authorization) before saving', async () => {
    const whoami = viewerQuery();
    const res = await e2e.call('/api/v1/connections', { method: 'POST', json: { provider: 'linear', displayName: 'Linear key', credentials: { apiKey: KEY } } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      account: { id: USER_ID, name: 'Ada Lovelace' },
      connection: { provider: 'linear', displayName: 'Linear key', status: 'connected', authKind: 'api_key', account: { id: USER_ID, name: 'Ada Lovelace' } },
    });

    expect(whoami).toHaveLength(1);
    expect(whoami[0]!.headers.get('authorization')).toBe(KEY); // personal keys go in as is, no Bearer
    expect(JSON.parse(whoami[0]!.body)).toEqual({ query: VIEWER_QUERY });

    id = res.body.connection.id;
    const row = await e2e.row(id);
    expect(row).toMatchObject({ status: 'connected', auth_kind: 'api_key', metadata: { accountId: USER_ID, accountName: 'Ada Lovelace' } });
    expect(row.credentials).not.toContain(KEY);
    expect(e2e.decrypt(row.credentials!)).toEqual({ type: 'api_key', fields: { apiKey: KEY } });
  });

  it('test: the viewer query with the stored key', async () => {
    const whoami = viewerQuery();
    const res = await e2e.call(`/api/v1/connections/${id}/test`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: true, account: { id: USER_ID, name: 'Ada Lovelace' } });
    expect(whoami[0]!.headers.get('authorization')).toBe(KEY);
  });

  it('disconnect: API keys have no revoke call — not_supported with the revoke note; the key is deleted', async () => {
    // No nock: a revoke request would fail the test.
    const res = await e2e.call(`/api/v1/connections/${id}/disconnect`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ revoke: 'not_supported', note: linear.definition.revokeNote, connection: { status: 'disconnected' } });
    expect(await e2e.row(id)).toMatchObject({ status: 'disconnected', credentials: null });
  });

  it('a key Linear rejects → 422 provider_auth_failed, and no row is written', async () => {
    const before = (await e2e.rows('linear')).length;
    nock('https://api.linear.app').post('/graphql').reply(400, authError, { 'content-type': 'application/json' });
    const res = await e2e.app.fetch('/api/v1/connections', { method: 'POST', json: { provider: 'linear', displayName: 'Linear bad', credentials: { apiKey: WRONG_KEY } } });
    expect(res.status).toBe(422);
    const err = await errorBody(res);
    e2e.seen.push(JSON.stringify(err));
    expect(err.code).toBe('provider_auth_failed');
    expect(err.message).toContain('You need to authenticate');
    expect(await e2e.rows('linear')).toHaveLength(before);
  });

  it('a key that does not look like one is refused before Linear is called', async () => {
    const res = await e2e.call('/api/v1/connections', { method: 'POST', json: { provider: 'linear', displayName: 'Linear typo', credentials: { apiKey: 'sk_live_notalinearkey' } } });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'validation_failed', details: [expect.objectContaining({ path: 'credentials.apiKey' })] });
    expect(res.text).not.toContain('sk_live_notalinearkey');
  });
});

describe('Linear secrets', () => {
  it('no token, key, code or client secret in any API body, page, log line or log/event/audit row', async () => {
    await e2e.expectNoSecrets([ACCESS, REFRESH, CLIENT_SECRET, CODE, KEY, WRONG_KEY]);
  });
});
