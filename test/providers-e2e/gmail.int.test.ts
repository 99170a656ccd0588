/**
 * Gmail end to end through the admin API: Google OAuth with PKCE and offline access, the
 * users.getProfile test, and the token revoke on disconnect.
 */
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDIRECT_URI, expectPkceBodyAuthExchange, received, startE2E, type E2E } from './support.ts';

const CLIENT_ID = '1234567890-gmail123def456.apps.googleusercontent.com';
const CLIENT_SECRET = 'GOCSPX-gmail-client-secret-0123';
const CODE = '4/0AY0e-g7gmail-auth-code-abcdef';
// Token values as in test/providers/gmail.test.ts.
const ACCESS = 'ya29.a0AfH6SMBx-gmail-access-token';
const REFRESH = '1//0g-gmail-refresh-token-value';

// Read (gmail.readonly, which also covers the users.getProfile test) and send; nothing else.
const REQUESTED = ['https://www.googleapis.com/auth/gmail.readonly', 'https://www.googleapis.com/auth/gmail.send'];
const GRANTED = REQUESTED;

// https://developers.google.com/identity/protocols/oauth2/web-server#exchange-authorization-code (no id_token: no openid scope)
const tokenResponse = { access_token: ACCESS, expires_in: 3599, refresh_token: REFRESH, scope: GRANTED.join(' '), token_type: 'Bearer' };
// Profile, as in test/providers/gmail.test.ts.
const profile = { emailAddress: 'ada@example.com', messagesTotal: 4182, threadsTotal: 3907, historyId: '1234567' };

let e2e: E2E;
beforeAll(async () => {
  e2e = await startE2E({ PROVIDER_GMAIL_CLIENT_ID: CLIENT_ID, PROVIDER_GMAIL_CLIENT_SECRET: CLIENT_SECRET });
});
afterAll(async () => {
  await e2e?.close();
});

function getProfile() {
  return received(nock('https://gmail.googleapis.com').get('/gmail/v1/users/me/profile').reply(200, profile, { 'content-type': 'application/json; charset=UTF-8' }));
}

describe('Gmail through the admin API (Google OAuth, offline access, PKCE)', () => {
  let id: string;

  it('connect: authorize URL with access_type=offline and prompt=consent → callback → token exchange → users.getProfile', async () => {
    const { url, params } = await e2e.startOAuth({ provider: 'gmail' });
    expect(url.origin + url.pathname).toBe('https://accounts.google.com/o/oauth2/v2/auth');
    expect(params).toEqual({
      access_type: 'offline',
      prompt: 'consent',
      response_type: 'code',
      client_id: CLIENT_ID,
      redirect_uri: REDIRECT_URI,
      state: expect.stringMatching(/^[\w-]+\.[\w-]+$/),
      scope: REQUESTED.join(' '),
      code_challenge: expect.stringMatching(/^[\w-]{43}$/),
      code_challenge_method: 'S256',
    });

    const token = received(nock('https://oauth2.googleapis.com').post('/token').reply(200, tokenResponse, { 'content-type': 'application/json; charset=utf-8' }));
    const whoami = getProfile();
    const page = await e2e.callback({ code: CODE, state: params.state!, scope: GRANTED.join(' ') });
    expect(page.status).toBe(200);
    expect(page.html).toContain('Gmail is connected as ada@example.com');

    expectPkceBodyAuthExchange(token, { code: CODE, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, challenge: params.code_challenge });

    expect(whoami).toHaveLength(1);
    expect(whoami[0]!.headers.get('authorization')).toBe(`Bearer ${ACCESS}`);

    const [row] = await e2e.rows('gmail');
    expect(row).toMatchObject({
      status: 'connected',
      auth_kind: 'oauth2',
      display_name: 'Gmail',
      metadata: { accountId: 'ada@example.com', accountName: 'ada@example.com', scopes: GRANTED },
    });
    for (const secret of [ACCESS, REFRESH]) expect(row!.credentials).not.toContain(secret);
    expect(e2e.decrypt(row!.credentials!)).toMatchObject({ type: 'oauth2', accessToken: ACCESS, refreshToken: REFRESH });
    expect(row!.token_expires_at!.getTime()).toBeGreaterThan(Date.now() + 55 * 60_000);
    id = row!.id;
  });

  it('test: users.getProfile with the stored token', async () => {
    const whoami = getProfile();
    const res = await e2e.call(`/api/v1/connections/${id}/test`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: true, account: { id: 'ada@example.com', name: 'ada@example.com' }, connection: { status: 'connected' } });
    expect(whoami[0]!.headers.get('authorization')).toBe(`Bearer ${ACCESS}`);
  });

  it('disconnect: POST https://oauth2.googleapis.com/revoke?token=<refresh token>; credentials deleted', async () => {
    const revoke = received(nock('https://oauth2.googleapis.com').post('/revoke').query(true).reply(200, {}, { 'content-type': 'application/json' }));
    const res = await e2e.call(`/api/v1/connections/${id}/disconnect`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ revoke: 'revoked', note: 'Access was revoked at Gmail.', connection: { status: 'disconnected' } });

    expect(revoke).toHaveLength(1);
    expect(revoke[0]!.method).toBe('POST');
    expect(revoke[0]!.url.pathname).toBe('/revoke');
    expect(Object.fromEntries(revoke[0]!.url.searchParams)).toEqual({ token: REFRESH }); // revoking the refresh token ends the grant
    expect(revoke[0]!.headers.get('content-type')).toBe('application/x-www-form-urlencoded');
    expect(revoke[0]!.headers.get('authorization')).toBeNull();
    expect(revoke[0]!.body).toBe('');

    expect(await e2e.row(id)).toMatchObject({ status: 'disconnected', credentials: null });
  });

  it('a code Google refuses (invalid_grant) connects nothing and says so', async () => {
    await e2e.expectRefusedCode({
      provider: 'gmail',
      name: 'Gmail',
      displayName: 'Mailbox two',
      code: '4/0AY0e-stale-gmail-code',
      refuse: () => {
        nock('https://oauth2.googleapis.com')
          .post('/token')
          .reply(400, { error: 'invalid_grant', error_description: 'Bad Request' }, { 'content-type': 'application/json; charset=utf-8' });
      },
    });
  });

  it('no token, code or client secret in any API body, page, log line or log/event/audit row', async () => {
    await e2e.expectNoSecrets([ACCESS, REFRESH, CLIENT_SECRET, CODE]);
  });
});
