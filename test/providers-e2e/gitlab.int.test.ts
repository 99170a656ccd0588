/**
 * GitLab end to end through the admin API, in both of its modes: OAuth 2.0 with PKCE on gitlab.com
 * (revoked on disconnect), and a personal access token on a self-managed instance whose URL the
 * connection stores (tested before saving at that host, through the egress guard; no revoke call).
 */
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gitlab } from '../../src/providers/gitlab/index.ts';
import { errorBody } from '../helpers/app.ts';
import { REDIRECT_URI, expectPkceBodyAuthExchange, formOf, received, startE2E, type E2E } from './support.ts';

const CLIENT_ID = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678901234567890abcdef012345';
const CLIENT_SECRET = 'gloas-client-secret-0123456789abcdef0123';
const CODE = 'gitlab-auth-code-1a2b3c4d5e6f7a8b';
const ACCESS = 'de6780bc506a0446309bd9362820ba8aed28aa506c71eedbe1c5c4f9dd350e54';
const REFRESH = '8257e65c97202ed1726cf9571600918f3bffb2544b26e00a61df9897668c702c';
const PAT = 'glpat-xz8Q2v7yK3mN5pR1tW4s';
const WRONG_PAT = 'glpat-revokedrevokedrevoked0';
// The self-managed instance: admitted by the operator's EGRESS_ALLOW_PRIVATE (a .localhost name resolves to loopback).
const INSTANCE = 'https://gitlab.localhost';

// https://docs.gitlab.com/api/oauth2/#authorization-code-with-proof-key-for-code-exchange-pkce (token response).
const tokenResponse = { access_token: ACCESS, token_type: 'Bearer', expires_in: 7200, refresh_token: REFRESH, scope: 'read_user api', created_at: 1607635748 };
// https://docs.gitlab.com/api/users/#retrieve-the-current-user, as in test/providers/gitlab.test.ts.
const user = { id: 1, username: 'john_smith', name: 'John Smith', state: 'active', web_url: 'https://gitlab.com/john_smith', email: 'john@example.com' };

let e2e: E2E;
beforeAll(async () => {
  e2e = await startE2E({ PROVIDER_GITLAB_CLIENT_ID: CLIENT_ID, PROVIDER_GITLAB_CLIENT_SECRET: CLIENT_SECRET, EGRESS_ALLOW_PRIVATE: 'gitlab.localhost' });
});
afterAll(async () => {
  await e2e?.close();
});

function getUser(origin = 'https://gitlab.com') {
  return received(nock(origin).get('/api/v4/user').reply(200, user, { 'content-type': 'application/json' }));
}

describe('GitLab through the admin API — OAuth 2.0 + PKCE', () => {
  let id: string;

  it('connect: authorize URL with read_user and api → callback → token exchange with the PKCE verifier → GET /api/v4/user', async () => {
    const { url, params } = await e2e.startOAuth({ provider: 'gitlab', displayName: 'GitLab OAuth' });
    expect(url.origin + url.pathname).toBe('https://gitlab.com/oauth/authorize');
    expect(params).toEqual({
      response_type: 'code',
      client_id: CLIENT_ID,
      redirect_uri: REDIRECT_URI,
      state: expect.stringMatching(/^[\w-]+\.[\w-]+$/),
      scope: 'read_user api',
      code_challenge: expect.stringMatching(/^[\w-]{43}$/),
      code_challenge_method: 'S256',
    });

    const token = received(nock('https://gitlab.com').post('/oauth/token').reply(200, tokenResponse, { 'content-type': 'application/json; charset=utf-8' }));
    const whoami = getUser();
    const page = await e2e.callback({ code: CODE, state: params.state! });
    expect(page.status, page.html).toBe(200);
    expect(page.html).toContain('GitLab is connected as John Smith');

    expectPkceBodyAuthExchange(token, { code: CODE, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, challenge: params.code_challenge });

    expect(whoami).toHaveLength(1);
    expect(whoami[0]!.headers.get('authorization')).toBe(`Bearer ${ACCESS}`);

    const [row] = await e2e.rows('gitlab');
    expect(row).toMatchObject({
      status: 'connected',
      auth_kind: 'oauth2',
      display_name: 'GitLab OAuth',
      metadata: { accountId: '1', accountName: 'John Smith', scopes: ['read_user', 'api'], extra: { username: 'john_smith', instance: 'https://gitlab.com' } },
    });
    expect(row!.token_expires_at).not.toBeNull(); // two-hour access tokens
    expect(row!.credentials).not.toContain(ACCESS);
    expect(e2e.decrypt(row!.credentials!)).toMatchObject({ type: 'oauth2', accessToken: ACCESS, refreshToken: REFRESH });
    id = row!.id;
  });

  it('test: GET /api/v4/user with the stored token', async () => {
    const whoami = getUser();
    const res = await e2e.call(`/api/v1/connections/${id}/test`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: true, account: { id: '1', name: 'John Smith' }, connection: { status: 'connected' } });
    expect(whoami[0]!.headers.get('authorization')).toBe(`Bearer ${ACCESS}`);
  });

  it('disconnect: POST /oauth/revoke with client_id, client_secret and the access token; credentials deleted', async () => {
    const revoke = received(nock('https://gitlab.com').post('/oauth/revoke').reply(200, {}, { 'content-type': 'application/json' }));
    const res = await e2e.call(`/api/v1/connections/${id}/disconnect`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ revoke: 'revoked', note: 'Access was revoked at GitLab.', connection: { status: 'disconnected' } });

    expect(revoke).toHaveLength(1);
    expect(revoke[0]!.headers.get('content-type')).toMatch(/^application\/x-www-form-urlencoded/);
    expect(revoke[0]!.headers.get('authorization')).toBeNull();
    expect(formOf(revoke[0]!.body)).toEqual({ token: ACCESS, client_id: CLIENT_ID, client_secret: CLIENT_SECRET });

    expect(await e2e.row(id)).toMatchObject({ status: 'disconnected', credentials: null });
  });

  it('a code GitLab refuses (invalid_grant) connects nothing and says so', async () => {
    await e2e.expectRefusedCode({
      provider: 'gitlab',
      name: 'GitLab',
      displayName: 'GitLab OAuth two',
      code: 'gitlab-stale-code-0000',
      refuse: () => {
        nock('https://gitlab.com')
          .post('/oauth/token')
          .reply(400, { error: 'invalid_grant', error_description: 'The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.' }, { 'content-type': 'application/json' });
      },
    });
  });
});

describe('GitLab through the admin API — personal access token on a self-managed instance', () => {
  let id: string;

  it('connect: POST /connections with the token and urls.apiBaseUrl; tested at that instance before saving', async () => {
    const whoami = getUser(INSTANCE);
    const res = await e2e.call('/api/v1/connections', { method: 'POST', json: { provider: 'gitlab', displayName: 'GitLab Acme', credentials: { token: PAT }, urls: { apiBaseUrl: INSTANCE } } });
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({ account: { id: '1', name: 'John Smith' }, connection: { provider: 'gitlab', status: 'connected', authKind: 'api_key' } });

    expect(whoami).toHaveLength(1);
    expect(whoami[0]!.url.origin).toBe(INSTANCE);
    expect(whoami[0]!.headers.get('authorization')).toBe(`Bearer ${PAT}`);

    id = res.body.connection.id;
    const row = await e2e.row(id);
    expect(row).toMatchObject({ auth_kind: 'api_key', metadata: { accountId: '1', urls: { apiBaseUrl: INSTANCE }, extra: { instance: INSTANCE } } });
    expect(e2e.decrypt(row.credentials!)).toEqual({ type: 'api_key', fields: { token: PAT } });
  });

  it('test: goes to the stored instance again, not gitlab.com', async () => {
    const whoami = getUser(INSTANCE);
    const res = await e2e.call(`/api/v1/connections/${id}/test`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(whoami).toHaveLength(1);
    expect(whoami[0]!.url.href).toBe(`${INSTANCE}/api/v4/user`);
  });

  it('disconnect: personal tokens are not revoked — not_supported with the revoke note', async () => {
    // No nock: a revoke request would fail the test.
    const res = await e2e.call(`/api/v1/connections/${id}/disconnect`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ revoke: 'not_supported', note: gitlab.definition.revokeNote, connection: { status: 'disconnected' } });
    expect(await e2e.row(id)).toMatchObject({ status: 'disconnected', credentials: null });
  });

  it('an instance the operator did not admit (internal address) is refused before anything is called', async () => {
    const res = await e2e.call('/api/v1/connections', { method: 'POST', json: { provider: 'gitlab', displayName: 'GitLab internal', credentials: { token: PAT }, urls: { apiBaseUrl: 'https://intranet.localhost' } } });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'validation_failed', details: [expect.objectContaining({ path: 'urls.apiBaseUrl' })] });
  });

  it('a token GitLab rejects → 422 provider_auth_failed, and no row is written', async () => {
    const before = (await e2e.rows('gitlab')).length;
    nock('https://gitlab.com').get('/api/v4/user').reply(401, { message: '401 Unauthorized' }, { 'content-type': 'application/json' });
    const res = await e2e.app.fetch('/api/v1/connections', { method: 'POST', json: { provider: 'gitlab', displayName: 'GitLab bad', credentials: { token: WRONG_PAT } } });
    expect(res.status).toBe(422);
    const err = await errorBody(res);
    e2e.seen.push(JSON.stringify(err));
    expect(err.code).toBe('provider_auth_failed');
    expect(await e2e.rows('gitlab')).toHaveLength(before);
  });
});

describe('GitLab secrets', () => {
  it('no token, code or client secret in any API body, page, log line or log/event/audit row', async () => {
    await e2e.expectNoSecrets([ACCESS, REFRESH, CLIENT_SECRET, CODE, PAT, WRONG_PAT]);
  });
});
