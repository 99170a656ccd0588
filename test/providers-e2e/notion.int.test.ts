/**
 * Notion end to end through the admin API: OAuth 2.0 for a public integration (`owner=user`, no
 * scopes, HTTP Basic at the token endpoint, a token response carrying the workspace), the
 * `GET /v1/users/me` test with `Notion-Version`, and `POST /v1/oauth/revoke` on disconnect.
 */
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { botUser } from '../providers/fixtures/notion.ts';
import { basicAuth, formOf, REDIRECT_URI, received, startE2E, type E2E } from './support.ts';

const CLIENT_ID = '1f2d872b-594c-80a7-a2b6-0037f5b1d3e4';
const CLIENT_SECRET = 'secret_notion-client-Zx9y8W7v6U5t4S3r2Q1p';
const CODE = 'notion-code-03f8e2c1-7a5b-4d9e-8f10-2b3c4d5e6f70';
const ACCESS = 'ntn_4560123456789abcdefNotionAccessToken0';
const REFRESH = 'nrt_notion-refresh-9f8e7d6c5b4a39281706';
const WORKSPACE = '8a5f1b2c-3d4e-4f60-8a7b-9c0d1e2f3a4b';

// POST /v1/oauth/token: https://developers.notion.com/reference/create-a-token
const tokenResponse = {
  access_token: ACCESS,
  refresh_token: REFRESH,
  token_type: 'bearer',
  bot_id: botUser.id,
  workspace_name: 'Acme HQ',
  workspace_icon: 'https://www.notion.so/images/acme.png',
  workspace_id: WORKSPACE,
  owner: { type: 'user', user: { object: 'user', id: '5389a034-eb5c-47b5-8a9e-f79c99ef166c' } },
  duplicated_template_id: null,
  request_id: 'f7a1c2d3-0000-4000-8000-000000000001',
};

let e2e: E2E;
beforeAll(async () => {
  e2e = await startE2E({ PROVIDER_NOTION_CLIENT_ID: CLIENT_ID, PROVIDER_NOTION_CLIENT_SECRET: CLIENT_SECRET });
});
afterAll(async () => {
  await e2e?.close();
});

const whoAmI = () => received(nock('https://api.notion.com').get('/v1/users/me').reply(200, botUser, { 'content-type': 'application/json' }));

describe('Notion through the admin API (OAuth 2.0, public integration)', () => {
  let id: string;

  it('connect: authorize URL with owner=user and no scope → callback → Basic-authenticated token exchange → /v1/users/me', async () => {
    const { url, params } = await e2e.startOAuth({ provider: 'notion' });
    expect(url.origin + url.pathname).toBe('https://api.notion.com/v1/oauth/authorize');
    // Notion has no OAuth scopes: no `scope` parameter at all.
    expect(params).toEqual({ owner: 'user', response_type: 'code', client_id: CLIENT_ID, redirect_uri: REDIRECT_URI, state: expect.stringMatching(/^[\w-]+\.[\w-]+$/) });

    const token = received(nock('https://api.notion.com').post('/v1/oauth/token').reply(200, tokenResponse, { 'content-type': 'application/json' }));
    const me = whoAmI();
    const page = await e2e.callback({ code: CODE, state: params.state! });
    expect(page.status).toBe(200);
    expect(page.html).toContain('Notion is connected as Acme HQ');

    expect(token).toHaveLength(1);
    expect(token[0]!.headers.get('authorization')).toBe(basicAuth(CLIENT_ID, CLIENT_SECRET));
    expect(formOf(token[0]!.body)).toEqual({ grant_type: 'authorization_code', code: CODE, redirect_uri: REDIRECT_URI });

    expect(me).toHaveLength(1);
    expect(me[0]!.headers.get('authorization')).toBe(`Bearer ${ACCESS}`);
    expect(me[0]!.headers.get('notion-version')).toBe('2025-09-03');

    const [row] = await e2e.rows('notion');
    expect(row).toMatchObject({
      status: 'connected',
      auth_kind: 'oauth2',
      display_name: 'Notion',
      metadata: { accountId: botUser.id, accountName: 'Acme HQ', scopes: [], extra: { botId: botUser.id, workspaceId: WORKSPACE, workspaceName: 'Acme HQ' } },
    });
    expect(row!.credentials).not.toContain(ACCESS);
    expect(e2e.decrypt(row!.credentials!)).toMatchObject({ type: 'oauth2', accessToken: ACCESS, refreshToken: REFRESH, extra: { workspace_id: WORKSPACE, bot_id: botUser.id } });
    id = row!.id;
  });

  it('test: /v1/users/me with the stored token', async () => {
    const me = whoAmI();
    const res = await e2e.call(`/api/v1/connections/${id}/test`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: true, account: { id: botUser.id, name: 'Acme HQ' }, connection: { status: 'connected' } });
    expect(me).toHaveLength(1);
  });

  it('disconnect: POST /v1/oauth/revoke with the access token as JSON, the app as HTTP Basic; credentials deleted', async () => {
    const revoke = received(nock('https://api.notion.com').post('/v1/oauth/revoke').reply(200, { request_id: '3c90c3cc-0d44-4b50-8888-8dd25736052a' }, { 'content-type': 'application/json' }));
    const res = await e2e.call(`/api/v1/connections/${id}/disconnect`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ revoke: 'revoked', note: 'Access was revoked at Notion.', connection: { status: 'disconnected' } });
    expect(revoke).toHaveLength(1);
    expect(revoke[0]!.url.search).toBe('');
    expect(revoke[0]!.headers.get('authorization')).toBe(basicAuth(CLIENT_ID, CLIENT_SECRET));
    expect(revoke[0]!.headers.get('notion-version')).toBe('2025-09-03');
    expect(JSON.parse(revoke[0]!.body)).toEqual({ token: ACCESS });
    expect(await e2e.row(id)).toMatchObject({ status: 'disconnected', credentials: null });
  });

  it('a code Notion refuses (invalid_grant) connects nothing and says so', async () => {
    await e2e.expectRefusedCode({
      provider: 'notion',
      name: 'Notion',
      displayName: 'Notion two',
      code: 'notion-stale-code-0000',
      refuse: () => {
        nock('https://api.notion.com').post('/v1/oauth/token').reply(400, { error: 'invalid_grant', error_description: 'Invalid code.' }, { 'content-type': 'application/json' });
      },
    });
  });

  it('no token, code or client secret in any API body, page, log line or log/event/audit row', async () => {
    await e2e.expectNoSecrets([ACCESS, REFRESH, CLIENT_SECRET, CODE]);
  });
});
