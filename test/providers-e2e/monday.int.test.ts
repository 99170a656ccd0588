/**
 * monday.com end to end through the admin API, in both of its modes: OAuth 2.0 (space-separated
 * scopes, a token that does not expire, no refresh token) and a personal API token; the GraphQL
 * `me` test with `API-Version`. Neither has a revoke call: disconnect says so.
 */
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { monday } from '../../src/providers/monday/index.ts';
import { ME_QUERY } from '../../src/providers/monday/connector.ts';
import { errorBody } from '../helpers/app.ts';
import { meAnswer } from '../providers/fixtures/monday.ts';
import { REDIRECT_URI, formOf, received, startE2E, type E2E } from './support.ts';

const CLIENT_ID = '5b1f9a0c2d3e4f5a6b7c8d9e0f1a2b3c';
const CLIENT_SECRET = 'monday-client-secret-7e6d5c4b3a29';
const CODE = 'monday-code-1f2e3d4c5b6a7988';
const ACCESS = 'eyJhbGciOiJIUzI1NiJ9.eyJ0aWQiOjk4NzY1NDMyMSwiYWFpIjoxMTIyMzN9.bW9uZGF5LW9hdXRoLWFjY2Vzcy10b2tlbg';
const PAT = 'eyJhbGciOiJIUzI1NiJ9.eyJ0aWQiOjEyMzQ1Njc4OSwidWlkIjo0MDEyNjg5fQ.c2lnbmF0dXJlLW9mLXRoZS1wZXJzb25hbC10b2tlbg';
const WRONG_PAT = 'eyJhbGciOiJIUzI1NiJ9.eyJ0aWQiOjB9.cmV2b2tlZC1wZXJzb25hbC10b2tlbi0wMDAw';
const SCOPES = 'me:read account:read boards:read boards:write';

let e2e: E2E;
beforeAll(async () => {
  e2e = await startE2E({ PROVIDER_MONDAY_CLIENT_ID: CLIENT_ID, PROVIDER_MONDAY_CLIENT_SECRET: CLIENT_SECRET });
});
afterAll(async () => {
  await e2e?.close();
});

const whoAmI = () => received(nock('https://api.monday.com').post('/v2').reply(200, meAnswer, { 'content-type': 'application/json' }));

describe('monday.com through the admin API — OAuth 2.0', () => {
  let id: string;

  it('connect: authorize URL with space-separated scopes → callback → token exchange → the me query', async () => {
    const { url, params } = await e2e.startOAuth({ provider: 'monday', displayName: 'monday OAuth' });
    expect(url.origin + url.pathname).toBe('https://auth.monday.com/oauth2/authorize');
    expect(params).toEqual({ response_type: 'code', client_id: CLIENT_ID, redirect_uri: REDIRECT_URI, state: expect.stringMatching(/^[\w-]+\.[\w-]+$/), scope: SCOPES });

    // https://developer.monday.com/apps/docs/oauth (step 3: access_token, token_type, scope).
    const token = received(nock('https://auth.monday.com').post('/oauth2/token').reply(200, { access_token: ACCESS, token_type: 'Bearer', scope: SCOPES }, { 'content-type': 'application/json' }));
    const me = whoAmI();
    const page = await e2e.callback({ code: CODE, state: params.state! });
    expect(page.status).toBe(200);
    expect(page.html).toContain('Monday.com is connected as Acme Rockets');

    expect(token).toHaveLength(1);
    expect(formOf(token[0]!.body)).toEqual({ grant_type: 'authorization_code', code: CODE, redirect_uri: REDIRECT_URI, client_id: CLIENT_ID, client_secret: CLIENT_SECRET });
    expect(me).toHaveLength(1);
    expect(me[0]!.headers.get('authorization')).toBe(ACCESS);
    expect(me[0]!.headers.get('api-version')).toBe('2026-10');
    expect(JSON.parse(me[0]!.body)).toEqual({ query: ME_QUERY });

    const [row] = await e2e.rows('monday');
    expect(row).toMatchObject({
      status: 'connected',
      auth_kind: 'oauth2',
      token_expires_at: null,
      metadata: { accountId: '4012689', accountName: 'Acme Rockets', scopes: SCOPES.split(' '), extra: { email: 'ada@example.com', mondayAccountId: '1825528', mondayAccountSlug: 'acme-rockets' } },
    });
    expect(row!.credentials).not.toContain(ACCESS);
    expect(e2e.decrypt(row!.credentials!)).toMatchObject({ type: 'oauth2', accessToken: ACCESS });
    id = row!.id;
  });

  it('test: the me query with the stored token', async () => {
    const me = whoAmI();
    const res = await e2e.call(`/api/v1/connections/${id}/test`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: true, account: { id: '4012689', name: 'Acme Rockets' }, connection: { status: 'connected' } });
    expect(me).toHaveLength(1);
  });

  it('disconnect: no revoke call exists — not_supported with the revoke note; credentials deleted', async () => {
    const res = await e2e.call(`/api/v1/connections/${id}/disconnect`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ revoke: 'not_supported', note: monday.definition.revokeNote, connection: { status: 'disconnected' } });
    expect(await e2e.row(id)).toMatchObject({ status: 'disconnected', credentials: null });
  });

  it('a code monday refuses connects nothing and says so', async () => {
    await e2e.expectRefusedCode({
      provider: 'monday',
      name: 'Monday.com',
      displayName: 'monday two',
      code: 'monday-stale-code-0000',
      refuse: () => {
        nock('https://auth.monday.com').post('/oauth2/token').reply(400, { error: 'invalid_grant', error_description: 'Invalid authorization code' }, { 'content-type': 'application/json' });
      },
    });
  });
});

describe('monday.com through the admin API — personal API token', () => {
  let id: string;

  it('connect: POST /connections with the token; tested with the me query (token as is) before saving', async () => {
    const me = whoAmI();
    const res = await e2e.call('/api/v1/connections', { method: 'POST', json: { provider: 'monday', displayName: 'monday token', credentials: { apiToken: PAT } } });
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({ account: { id: '4012689', name: 'Acme Rockets' }, connection: { provider: 'monday', authKind: 'api_key', status: 'connected' } });
    expect(me[0]!.headers.get('authorization')).toBe(PAT);
    id = res.body.connection.id;
    expect(e2e.decrypt((await e2e.row(id)).credentials!)).toEqual({ type: 'api_key', fields: { apiToken: PAT } });
  });

  it('disconnect: not_supported with the revoke note; the token is deleted', async () => {
    const res = await e2e.call(`/api/v1/connections/${id}/disconnect`, { method: 'POST' });
    expect(res.body).toMatchObject({ revoke: 'not_supported', note: monday.definition.revokeNote });
    expect(await e2e.row(id)).toMatchObject({ status: 'disconnected', credentials: null });
  });

  it('a token monday rejects → 422 provider_auth_failed, and no row is written', async () => {
    const before = (await e2e.rows('monday')).length;
    nock('https://api.monday.com').post('/v2').reply(401, { errors: [{ message: 'Not Authenticated', extensions: { code: 'UNAUTHORIZED' } }] }, { 'content-type': 'application/json' });
    const res = await e2e.app.fetch('/api/v1/connections', { method: 'POST', json: { provider: 'monday', displayName: 'monday bad', credentials: { apiToken: WRONG_PAT } } });
    expect(res.status).toBe(422);
    const err = await errorBody(res);
    e2e.seen.push(JSON.stringify(err));
    expect(err.code).toBe('provider_auth_failed');
    expect(await e2e.rows('monday')).toHaveLength(before);
  });
});

describe('monday.com secrets', () => {
  it('no token, code or client secret in any API body, page, log line or log/event/audit row', async () => {
    await e2e.expectNoSecrets([ACCESS, CLIENT_SECRET, CODE, PAT, WRONG_PAT]);
  });
});
