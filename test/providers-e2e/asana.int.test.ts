/**
 * Asana end to end through the admin API: OAuth 2.0 with PKCE (client auth in the body), the
 * GET /users/me test, and the RFC 7009-style revoke of the refresh token on disconnect.
 */
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VERSION } from '../../src/version.ts';
import { REDIRECT_URI, expectPkceBodyAuthExchange, formOf, received, startE2E, type E2E } from './support.ts';

const CLIENT_ID = '1204567890123456';
const CLIENT_SECRET = 'asana-client-secret-7f3e9a1b2c';
const CODE = 'asana-auth-code-325hjkl4325hj4kl';
const ACCESS = 'asana-access-f6ds7fdsa69ags7ag9sd5a';
const REFRESH = 'asana-refresh-hjkl325hjkl4325hj4kl32fjds';

// Token exchange response: https://developers.asana.com/docs/oauth (token exchange endpoint).
const tokenResponse = {
  access_token: ACCESS,
  expires_in: 3600,
  token_type: 'bearer',
  data: { id: 12345, gid: '12345', name: 'Greg Sanchez', email: 'gsanchez@example.com' },
  refresh_token: REFRESH,
};
// GET /users/me: https://developers.asana.com/reference/getuser (as in test/providers/asana.test.ts).
const me = { data: { gid: '12345', resource_type: 'user', name: 'Greg Sanchez', email: 'gsanchez@example.com', workspaces: [] } };

const SCOPES = 'users:read tasks:read tasks:write tasks:delete projects:read workspaces:read webhooks:write webhooks:delete';

let e2e: E2E;
beforeAll(async () => {
  e2e = await startE2E({ PROVIDER_ASANA_CLIENT_ID: CLIENT_ID, PROVIDER_ASANA_CLIENT_SECRET: CLIENT_SECRET });
});
afterAll(async () => {
  await e2e?.close();
});

function usersMe() {
  const scope = nock('https://app.asana.com').get('/api/1.0/users/me').query(true).reply(200, me, { 'content-type': 'application/json' });
  return received(scope);
}

describe('Asana through the admin API (OAuth 2.0 + PKCE)', () => {
  let id: string;

  it('connect: authorize URL → callback → token exchange with the PKCE verifier → /users/me → encrypted row', async () => {
    const { url, params } = await e2e.startOAuth({ provider: 'asana' });
    expect(url.origin + url.pathname).toBe('https://app.asana.com/-/oauth_authorize');
    expect(params).toEqual({
      response_type: 'code',
      client_id: CLIENT_ID,
      redirect_uri: REDIRECT_URI,
      state: expect.stringMatching(/^[\w-]+\.[\w-]+$/),
      scope: SCOPES,
      code_challenge: expect.stringMatching(/^[\w-]{43}$/),
      code_challenge_method: 'S256',
    });

    const token = received(nock('https://app.asana.com').post('/-/oauth_token').reply(200, tokenResponse, { 'content-type': 'application/json' }));
    const whoami = usersMe();
    const page = await e2e.callback({ code: CODE, state: params.state! });
    expect(page.status).toBe(200);
    expect(page.html).toContain('Asana is connected as Greg Sanchez');

    expectPkceBodyAuthExchange(token, { code: CODE, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, challenge: params.code_challenge });

    expect(whoami).toHaveLength(1);
    expect(whoami[0]!.headers.get('authorization')).toBe(`Bearer ${ACCESS}`);
    expect(whoami[0]!.headers.get('user-agent')).toBe(`Patchbay/${VERSION}`);
    expect(whoami[0]!.url.searchParams.get('opt_fields')).toBe('name,email');

    const [row] = await e2e.rows('asana');
    expect(row).toMatchObject({
      status: 'connected',
      auth_kind: 'oauth2',
      display_name: 'Asana',
      metadata: { accountId: '12345', accountName: 'Greg Sanchez', scopes: SCOPES.split(' ') },
    });
    expect(row!.credentials).not.toContain(ACCESS);
    expect(row!.credentials).not.toContain(REFRESH);
    expect(e2e.decrypt(row!.credentials!)).toMatchObject({ type: 'oauth2', accessToken: ACCESS, refreshToken: REFRESH });
    expect(row!.token_expires_at!.getTime()).toBeGreaterThan(Date.now() + 55 * 60_000);
    id = row!.id;

    const view = await e2e.call(`/api/v1/connections/${id}`);
    expect(view.body).toMatchObject({ status: 'connected', authKind: 'oauth2', account: { id: '12345', name: 'Greg Sanchez' } });
  });

  it('test: calls /users/me with the stored token and reports the account', async () => {
    const whoami = usersMe();
    const res = await e2e.call(`/api/v1/connections/${id}/test`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: true, account: { id: '12345', name: 'Greg Sanchez' }, connection: { status: 'connected' } });
    expect(whoami[0]!.headers.get('authorization')).toBe(`Bearer ${ACCESS}`);
  });

  it('disconnect: POST /-/oauth_revoke with the client credentials and the refresh token; credentials deleted', async () => {
    const revoke = received(nock('https://app.asana.com').post('/-/oauth_revoke').reply(200));
    const res = await e2e.call(`/api/v1/connections/${id}/disconnect`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ revoke: 'revoked', note: 'Access was revoked at Asana.', connection: { status: 'disconnected' } });

    expect(revoke).toHaveLength(1);
    expect(revoke[0]!.method).toBe('POST');
    expect(revoke[0]!.url.pathname).toBe('/-/oauth_revoke');
    expect(revoke[0]!.headers.get('content-type')).toBe('application/x-www-form-urlencoded');
    expect(revoke[0]!.headers.get('authorization')).toBeNull();
    expect(formOf(revoke[0]!.body)).toEqual({ token: REFRESH, client_id: CLIENT_ID, client_secret: CLIENT_SECRET });

    expect(await e2e.row(id)).toMatchObject({ status: 'disconnected', credentials: null });
  });

  it('a code Asana refuses (invalid_grant) connects nothing and says so', async () => {
    await e2e.expectRefusedCode({
      provider: 'asana',
      name: 'Asana',
      displayName: 'Asana two',
      code: 'asana-stale-code-0000',
      refuse: () => {
        nock('https://app.asana.com')
          .post('/-/oauth_token')
          .reply(400, { error: 'invalid_grant', error_description: 'The `code` is invalid or has expired.' }, { 'content-type': 'application/json' });
      },
    });
  });

  it('no token, code or client secret in any API body, page, log line or log/event/audit row', async () => {
    await e2e.expectNoSecrets([ACCESS, REFRESH, CLIENT_SECRET, CODE]);
  });
});
