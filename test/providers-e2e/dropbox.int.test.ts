/**
 * Dropbox end to end through the admin API: OAuth 2.0 with PKCE and `token_access_type=offline`
 * (a refresh token that is kept), the account from users/get_current_account, and a revoke at
 * /2/auth/token/revoke on disconnect.
 */
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fullAccount } from '../providers/fixtures/dropbox.ts';
import { expectPkceBodyAuthExchange, received, REDIRECT_URI, startE2E, type E2E } from './support.ts';

const CLIENT_ID = 'x7k2m9q4dropbox';
const CLIENT_SECRET = 'dropbox-app-secret-3f9a7c1e5b';
const CODE = 'dropbox-auth-code-AAAAAAAAAAAAAAAAAAAAAAAA';
const ACCESS = 'sl.u.AFdropboxShortLivedAccessTokenE2E0123456789abcdef';
const REFRESH = 'dropbox-long-lived-refresh-token-0123456789abcdef';

// https://www.dropbox.com/developers/documentation/http/documentation#oauth2-token (code flow, offline).
const tokenResponse = {
  access_token: ACCESS,
  expires_in: 14400,
  token_type: 'bearer',
  scope: 'account_info.read files.metadata.read',
  refresh_token: REFRESH,
  account_id: fullAccount.account_id,
  uid: '12345678',
};

let e2e: E2E;
beforeAll(async () => {
  e2e = await startE2E({ PROVIDER_DROPBOX_CLIENT_ID: CLIENT_ID, PROVIDER_DROPBOX_CLIENT_SECRET: CLIENT_SECRET });
});
afterAll(async () => {
  await e2e?.close();
});

const currentAccount = () => received(nock('https://api.dropboxapi.com').post('/2/users/get_current_account').reply(200, fullAccount, { 'content-type': 'application/json' }));

describe('Dropbox through the admin API — OAuth 2.0 + PKCE, offline', () => {
  let id: string;

  it('connect: authorize URL with token_access_type=offline and both scopes → callback → exchange with the verifier → get_current_account', async () => {
    const { url, params } = await e2e.startOAuth({ provider: 'dropbox', displayName: 'Dropbox' });
    expect(url.origin + url.pathname).toBe('https://www.dropbox.com/oauth2/authorize');
    expect(params).toEqual({
      response_type: 'code',
      client_id: CLIENT_ID,
      redirect_uri: REDIRECT_URI,
      state: expect.stringMatching(/^[\w-]+\.[\w-]+$/),
      scope: 'account_info.read files.metadata.read',
      token_access_type: 'offline',
      code_challenge: expect.stringMatching(/^[\w-]{43}$/),
      code_challenge_method: 'S256',
    });

    const token = received(nock('https://api.dropboxapi.com').post('/oauth2/token').reply(200, tokenResponse, { 'content-type': 'application/json' }));
    const me = currentAccount();
    const page = await e2e.callback({ code: CODE, state: params.state! });
    expect(page.status, page.html).toBe(200);
    expect(page.html).toContain('Dropbox is connected as Franz Ferdinand (Personal)');

    expectPkceBodyAuthExchange(token, { code: CODE, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, challenge: params.code_challenge });
    expect(me).toHaveLength(1);
    expect(me[0]!.headers.get('authorization')).toBe(`Bearer ${ACCESS}`);
    expect(me[0]!.headers.get('content-type')).toBe('application/json');
    expect(me[0]!.body).toBe('null');

    const [row] = await e2e.rows('dropbox');
    expect(row).toMatchObject({
      status: 'connected',
      auth_kind: 'oauth2',
      metadata: { accountId: fullAccount.account_id, accountName: 'Franz Ferdinand (Personal)', scopes: ['account_info.read', 'files.metadata.read'], extra: { email: 'franz@gmail.com' } },
    });
    expect(row!.token_expires_at).not.toBeNull(); // four-hour access tokens
    expect(e2e.decrypt(row!.credentials!)).toMatchObject({ type: 'oauth2', accessToken: ACCESS, refreshToken: REFRESH });
    id = row!.id;
  });

  it('test: get_current_account with the stored token', async () => {
    const me = currentAccount();
    const res = await e2e.call(`/api/v1/connections/${id}/test`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: true, account: { id: fullAccount.account_id, name: 'Franz Ferdinand (Personal)' }, connection: { status: 'connected' } });
    expect(me).toHaveLength(1);
  });

  it('disconnect: POST /2/auth/token/revoke with the Bearer token and body null; credentials deleted', async () => {
    const revoke = received(nock('https://api.dropboxapi.com').post('/2/auth/token/revoke').reply(200, 'null', { 'content-type': 'application/json' }));
    const res = await e2e.call(`/api/v1/connections/${id}/disconnect`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ revoke: 'revoked', note: 'Access was revoked at Dropbox.', connection: { status: 'disconnected' } });
    expect(revoke).toHaveLength(1);
    expect(revoke[0]!.headers.get('authorization')).toBe(`Bearer ${ACCESS}`);
    expect(revoke[0]!.body).toBe('null');
    expect(await e2e.row(id)).toMatchObject({ status: 'disconnected', credentials: null });
  });

  it('a code Dropbox refuses (invalid_grant) connects nothing and says so', async () => {
    await e2e.expectRefusedCode({
      provider: 'dropbox',
      name: 'Dropbox',
      displayName: 'Dropbox two',
      code: 'dropbox-stale-code-0000',
      refuse: () => {
        nock('https://api.dropboxapi.com').post('/oauth2/token').reply(400, { error: 'invalid_grant', error_description: 'code has already been used' }, { 'content-type': 'application/json' });
      },
    });
  });
});

describe('Dropbox secrets', () => {
  it('no token, code or client secret in any API body, page, log line or log/event/audit row', async () => {
    await e2e.expectNoSecrets([ACCESS, REFRESH, CLIENT_SECRET, CODE]);
  });
});
