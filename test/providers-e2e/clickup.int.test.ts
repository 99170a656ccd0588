/**
 * ClickUp end to end through the admin API, in both of its modes: OAuth 2.0 (no scopes, a token
 * that does not expire, no refresh token) and a personal API token (`pk_…`, raw in Authorization).
 * Neither has a revoke call: disconnect says so and deletes the credentials.
 */
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clickup } from '../../src/providers/clickup/index.ts';
import { errorBody } from '../helpers/app.ts';
import { authorizedUser } from '../providers/fixtures/clickup.ts';
import { REDIRECT_URI, formOf, received, startE2E, type E2E } from './support.ts';

const CLIENT_ID = 'QVOQP06ZXC6CMGVFKB0ZT7J9Y7APOYGO';
const CLIENT_SECRET = 'clickup-client-secret-9ZX8YW7VU6TS5RQ4';
const CODE = 'clickup-code-4b67ac88e5064a299d42';
const ACCESS = '183_clickup-oauth-access-0123456789abcdef';
const PK = 'pk_183_0123456789ABCDEFGHIJKLMNOPQRSTUV';
const WRONG_PK = 'pk_183_REVOKEDREVOKEDREVOKEDREVOKED00';
const USER_ID = String(authorizedUser.user.id);

let e2e: E2E;
beforeAll(async () => {
  e2e = await startE2E({ PROVIDER_CLICKUP_CLIENT_ID: CLIENT_ID, PROVIDER_CLICKUP_CLIENT_SECRET: CLIENT_SECRET });
});
afterAll(async () => {
  await e2e?.close();
});

const whoAmI = () => received(nock('https://api.clickup.com').get('/api/v2/user').reply(200, authorizedUser, { 'content-type': 'application/json' }));

describe('ClickUp through the admin API — OAuth 2.0', () => {
  let id: string;

  it('connect: authorize URL without scope → callback → token exchange in the body → /api/v2/user', async () => {
    const { url, params } = await e2e.startOAuth({ provider: 'clickup', displayName: 'ClickUp OAuth' });
    expect(url.origin + url.pathname).toBe('https://app.clickup.com/api');
    // ClickUp has no OAuth scopes: no `scope` parameter at all.
    expect(params).toEqual({ response_type: 'code', client_id: CLIENT_ID, redirect_uri: REDIRECT_URI, state: expect.stringMatching(/^[\w-]+\.[\w-]+$/) });

    // https://developer.clickup.com/reference/getaccesstoken: the answer is only { access_token }.
    const token = received(nock('https://api.clickup.com').post('/api/v2/oauth/token').reply(200, { access_token: ACCESS }, { 'content-type': 'application/json' }));
    const me = whoAmI();
    const page = await e2e.callback({ code: CODE, state: params.state! });
    expect(page.status).toBe(200);
    expect(page.html).toContain('ClickUp is connected as Ada Lovelace');

    expect(token).toHaveLength(1);
    expect(formOf(token[0]!.body)).toEqual({ grant_type: 'authorization_code', code: CODE, redirect_uri: REDIRECT_URI, client_id: CLIENT_ID, client_secret: CLIENT_SECRET });
    expect(me).toHaveLength(1);
    expect(me[0]!.headers.get('authorization')).toBe(`Bearer ${ACCESS}`);

    const [row] = await e2e.rows('clickup');
    expect(row).toMatchObject({ status: 'connected', auth_kind: 'oauth2', display_name: 'ClickUp OAuth', token_expires_at: null, metadata: { accountId: USER_ID, accountName: 'Ada Lovelace', scopes: [], extra: { email: 'ada@example.com' } } });
    expect(row!.credentials).not.toContain(ACCESS);
    expect(e2e.decrypt(row!.credentials!)).toMatchObject({ type: 'oauth2', accessToken: ACCESS });
    id = row!.id;
  });

  it('test: /api/v2/user with the stored token', async () => {
    const me = whoAmI();
    const res = await e2e.call(`/api/v1/connections/${id}/test`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: true, account: { id: USER_ID, name: 'Ada Lovelace' }, connection: { status: 'connected' } });
    expect(me).toHaveLength(1);
  });

  it('disconnect: no revoke call exists — not_supported with the revoke note; credentials deleted', async () => {
    // No nock: any request would fail the test.
    const res = await e2e.call(`/api/v1/connections/${id}/disconnect`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ revoke: 'not_supported', note: clickup.definition.revokeNote, connection: { status: 'disconnected' } });
    expect(await e2e.row(id)).toMatchObject({ status: 'disconnected', credentials: null });
  });

  it('a code ClickUp refuses connects nothing and says so', async () => {
    await e2e.expectRefusedCode({
      provider: 'clickup',
      name: 'ClickUp',
      displayName: 'ClickUp two',
      code: 'clickup-stale-code-0000',
      refuse: () => {
        nock('https://api.clickup.com').post('/api/v2/oauth/token').reply(400, { error: 'invalid_grant', error_description: 'Code not found' }, { 'content-type': 'application/json' });
      },
    });
  });
});

describe('ClickUp through the admin API — personal API token', () => {
  let id: string;

  it('connect: POST /connections with the token; tested with /api/v2/user (token as is) before saving', async () => {
    const me = whoAmI();
    const res = await e2e.call('/api/v1/connections', { method: 'POST', json: { provider: 'clickup', displayName: 'ClickUp token', credentials: { apiToken: PK } } });
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({ account: { id: USER_ID, name: 'Ada Lovelace' }, connection: { provider: 'clickup', status: 'connected', authKind: 'api_key' } });
    expect(me[0]!.headers.get('authorization')).toBe(PK);
    id = res.body.connection.id;
    const row = await e2e.row(id);
    expect(row.credentials).not.toContain(PK);
    expect(e2e.decrypt(row.credentials!)).toEqual({ type: 'api_key', fields: { apiToken: PK } });
  });

  it('disconnect: not_supported with the revoke note; the token is deleted', async () => {
    const res = await e2e.call(`/api/v1/connections/${id}/disconnect`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ revoke: 'not_supported', note: clickup.definition.revokeNote });
    expect(await e2e.row(id)).toMatchObject({ status: 'disconnected', credentials: null });
  });

  it('a token ClickUp rejects → 422 provider_auth_failed, and no row is written', async () => {
    const before = (await e2e.rows('clickup')).length;
    nock('https://api.clickup.com').get('/api/v2/user').reply(401, { err: 'Token invalid', ECODE: 'OAUTH_025' }, { 'content-type': 'application/json' });
    const res = await e2e.app.fetch('/api/v1/connections', { method: 'POST', json: { provider: 'clickup', displayName: 'ClickUp bad', credentials: { apiToken: WRONG_PK } } });
    expect(res.status).toBe(422);
    const err = await errorBody(res);
    e2e.seen.push(JSON.stringify(err));
    expect(err.code).toBe('provider_auth_failed');
    expect(await e2e.rows('clickup')).toHaveLength(before);
  });
});

describe('ClickUp secrets', () => {
  it('no token, code or client secret in any API body, page, log line or log/event/audit row', async () => {
    await e2e.expectNoSecrets([ACCESS, CLIENT_SECRET, CODE, PK, WRONG_PK]);
  });
});
