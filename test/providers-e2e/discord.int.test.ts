/**
 * Discord end to end through the admin API: OAuth 2.0 (`identify guilds`, HTTP Basic at the token
 * endpoint), the `GET /api/v10/users/@me` test, and `POST /api/oauth2/token/revoke` on disconnect.
 */
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { me } from '../providers/fixtures/discord.ts';
import { basicAuth, formOf, REDIRECT_URI, received, startE2E, type E2E } from './support.ts';

const CLIENT_ID = '157730590492196864';
const CLIENT_SECRET = 'discord-client-secret-Zx9y8W7v6U5t4S3r';
const CODE = 'NhhvTDYsFcdgNLnnLijcl7Ku7bEEeee';
const ACCESS = '6qrZcUqja7812RVdnEKjpzOL4CvHBFG';
const REFRESH = 'D43f5y0ahjqew82jZ4NViEr2YafMKhue';

// POST /oauth2/token: https://discord.com/developers/docs/topics/oauth2#authorization-code-grant-access-token-response
const tokenResponse = { access_token: ACCESS, token_type: 'Bearer', expires_in: 604800, refresh_token: REFRESH, scope: 'identify guilds' };

let e2e: E2E;
beforeAll(async () => {
  e2e = await startE2E({ PROVIDER_DISCORD_CLIENT_ID: CLIENT_ID, PROVIDER_DISCORD_CLIENT_SECRET: CLIENT_SECRET });
});
afterAll(async () => {
  await e2e?.close();
});

const whoAmI = () => received(nock('https://discord.com').get('/api/v10/users/@me').reply(200, me, { 'content-type': 'application/json' }));

describe('Discord through the admin API (OAuth 2.0)', () => {
  let id: string;

  it('connect: authorize URL with identify guilds → callback → Basic-authenticated token exchange → /users/@me', async () => {
    const { url, params } = await e2e.startOAuth({ provider: 'discord' });
    expect(url.origin + url.pathname).toBe('https://discord.com/oauth2/authorize');
    expect(params).toEqual({ response_type: 'code', client_id: CLIENT_ID, redirect_uri: REDIRECT_URI, state: expect.stringMatching(/^[\w-]+\.[\w-]+$/), scope: 'identify guilds' });

    const token = received(nock('https://discord.com').post('/api/oauth2/token').reply(200, tokenResponse, { 'content-type': 'application/json' }));
    const user = whoAmI();
    const page = await e2e.callback({ code: CODE, state: params.state! });
    expect(page.status, page.html).toBe(200);
    expect(page.html).toContain('Discord is connected as Nelly');

    expect(token).toHaveLength(1);
    expect(token[0]!.headers.get('authorization')).toBe(basicAuth(CLIENT_ID, CLIENT_SECRET));
    expect(token[0]!.headers.get('content-type')).toBe('application/x-www-form-urlencoded');
    expect(formOf(token[0]!.body)).toEqual({ grant_type: 'authorization_code', code: CODE, redirect_uri: REDIRECT_URI });

    expect(user).toHaveLength(1);
    expect(user[0]!.headers.get('authorization')).toBe(`Bearer ${ACCESS}`);

    const [row] = await e2e.rows('discord');
    expect(row).toMatchObject({
      status: 'connected',
      auth_kind: 'oauth2',
      metadata: { accountId: me.id, accountName: 'Nelly', scopes: ['identify', 'guilds'], extra: { username: 'nelly', globalName: 'Nelly' } },
    });
    expect(row!.token_expires_at).not.toBeNull(); // seven-day access tokens
    expect(row!.credentials).not.toContain(ACCESS);
    expect(e2e.decrypt(row!.credentials!)).toMatchObject({ type: 'oauth2', accessToken: ACCESS, refreshToken: REFRESH });
    id = row!.id;
  });

  it('test: /users/@me with the stored token', async () => {
    const user = whoAmI();
    const res = await e2e.call(`/api/v1/connections/${id}/test`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: true, account: { id: me.id, name: 'Nelly' }, connection: { status: 'connected' } });
    expect(user[0]!.headers.get('authorization')).toBe(`Bearer ${ACCESS}`);
  });

  it('disconnect: POST /api/oauth2/token/revoke with the access token as a form, the app as HTTP Basic; credentials deleted', async () => {
    const revoke = received(nock('https://discord.com').post('/api/oauth2/token/revoke').reply(200, {}, { 'content-type': 'application/json' }));
    const res = await e2e.call(`/api/v1/connections/${id}/disconnect`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ revoke: 'revoked', note: 'Access was revoked at Discord.', connection: { status: 'disconnected' } });
    expect(revoke).toHaveLength(1);
    expect(revoke[0]!.headers.get('authorization')).toBe(basicAuth(CLIENT_ID, CLIENT_SECRET));
    expect(revoke[0]!.headers.get('content-type')).toBe('application/x-www-form-urlencoded');
    expect(formOf(revoke[0]!.body)).toEqual({ token: ACCESS, token_type_hint: 'access_token' });
    expect(await e2e.row(id)).toMatchObject({ status: 'disconnected', credentials: null });
  });

  it('a code Discord refuses (invalid_grant) connects nothing and says so', async () => {
    await e2e.expectRefusedCode({
      provider: 'discord',
      name: 'Discord',
      displayName: 'Discord two',
      code: 'discord-stale-code-0000',
      refuse: () => {
        nock('https://discord.com').post('/api/oauth2/token').reply(400, { error: 'invalid_grant', error_description: 'Invalid "code" in request.' }, { 'content-type': 'application/json' });
      },
    });
  });

  it('no token, code or client secret in any API body, page, log line or log/event/audit row', async () => {
    await e2e.expectNoSecrets([ACCESS, REFRESH, CLIENT_SECRET, CODE]);
  });
});
