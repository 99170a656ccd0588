import nock from 'nock';
import { describe, expect, it } from 'vitest';
import type { AppError } from '../../src/errors.ts';
import { notion } from '../../src/providers/notion/index.ts';
import { refreshToken } from '../../src/providers/_shared/oauth.ts';
import { resolveProviderUrls } from '../../src/providers/_shared/urls.ts';
import { botUser } from './fixtures/notion.ts';
import { captureLogger, caught, testContext } from './helpers.ts';

const API = 'https://api.notion.com';
const ACCESS = 'ntn_4560123456789abcdefNotionAccessToken0';
const CLIENT = { clientId: '1f2d872b-594c-80a7-a2b6-0037f5b1d3e4', clientSecret: 'secret_notion-client-Zx9y8W7v6U5t4S3r2Q1p' };
const WORKSPACE = '8a5f1b2c-3d4e-4f60-8a7b-9c0d1e2f3a4b';
const creds = { type: 'oauth2' as const, accessToken: ACCESS, refreshToken: 'nrt_notion-refresh-1', scopes: [], extra: { workspace_id: WORKSPACE, workspace_name: 'Acme HQ', bot_id: '16d84278-ab0e-484c-9bdd-b35da3bd8905' } };
const basic = `Basic ${Buffer.from(`${CLIENT.clientId}:${CLIENT.clientSecret}`).toString('base64')}`;

describe('notion', () => {
  it('test: GET /v1/users/me with the Bearer token and the pinned Notion-Version → the workspace as the account name', async () => {
    nock(API, { reqheaders: { authorization: `Bearer ${ACCESS}`, 'notion-version': '2025-09-03' } })
      .get('/v1/users/me')
      .reply(200, botUser, { 'content-type': 'application/json' });
    const c = testContext({ provider: notion, credentials: creds });
    expect(await notion.connector.test(c)).toEqual({
      accountId: botUser.id,
      accountName: 'Acme HQ',
      extra: { botId: botUser.id, workspaceId: WORKSPACE, workspaceName: 'Acme HQ' },
    });
    expect(c.logs.join('')).not.toContain(ACCESS);
  });

  it('test: without workspace facts in the token response, the bot’s workspace_name, else its name', async () => {
    const bare = { type: 'oauth2' as const, accessToken: ACCESS, scopes: [] };
    nock(API).get('/v1/users/me').reply(200, botUser, { 'content-type': 'application/json' });
    expect(await notion.connector.test(testContext({ provider: notion, credentials: bare }))).toMatchObject({ accountName: 'Acme HQ', extra: { workspaceName: 'Acme HQ' } });
    nock(API).get('/v1/users/me').reply(200, { ...botUser, bot: {} }, { 'content-type': 'application/json' });
    expect(await notion.connector.test(testContext({ provider: notion, credentials: bare }))).toMatchObject({ accountName: 'Patchbay' });
  });

  it('test: 401 unauthorized → provider_auth_failed without the token', async () => {
    nock(API).get('/v1/users/me').reply(401, { object: 'error', status: 401, code: 'unauthorized', message: 'API token is invalid.', request_id: 'a1b2c3d4-0000-4000-8000-000000000000' }, { 'content-type': 'application/json' });
    const c = testContext({ provider: notion, credentials: creds });
    const err = (await caught(() => notion.connector.test(c))) as AppError;
    expect(err.code).toBe('provider_auth_failed');
    expect(err.message + c.logs.join('')).not.toContain(ACCESS);
  });

  it('429 rate_limited with Retry-After → rate_limited carrying the wait', async () => {
    nock(API).get('/v1/users/me').reply(429, { object: 'error', status: 429, code: 'rate_limited', message: 'You have been rate limited. Please try again in a few minutes.' }, { 'content-type': 'application/json', 'retry-after': '7' });
    const err = (await caught(() => notion.connector.test(testContext({ provider: notion, credentials: creds })))) as AppError;
    expect(err).toMatchObject({ code: 'rate_limited', retryAfterSeconds: 7 });
  });

  it('revoke: POST /v1/oauth/revoke with { token } as JSON, the app as HTTP Basic, Notion-Version, no Bearer', async () => {
    const scope = nock(API, { reqheaders: { authorization: basic, 'notion-version': '2025-09-03', 'content-type': 'application/json' } })
      .post('/v1/oauth/revoke', { token: ACCESS })
      .reply(200, { request_id: '3c90c3cc-0d44-4b50-8888-8dd25736052a' }, { 'content-type': 'application/json' });
    const c = testContext({ provider: notion, credentials: creds, oauthClient: CLIENT });
    await notion.connector.revoke!(c);
    scope.done();
    expect(c.logs.join('')).not.toContain(ACCESS);
    expect(c.logs.join('')).not.toContain(CLIENT.clientSecret);
  });

  it('revoke without the OAuth app names the variables', async () => {
    const err = (await caught(() => notion.connector.revoke!(testContext({ provider: notion, credentials: creds })))) as AppError;
    expect(err.code).toBe('provider_not_configured');
    expect(err.message).toContain('PROVIDER_NOTION_CLIENT_ID');
  });

  it('refresh: HTTP Basic client auth, and the new refresh token replaces the old one; workspace facts kept', async () => {
    nock(API, { reqheaders: { authorization: basic } })
      .post('/v1/oauth/token', { grant_type: 'refresh_token', refresh_token: 'nrt_notion-refresh-1' })
      .reply(200, { access_token: 'ntn_new-access-000000', refresh_token: 'nrt_notion-refresh-2', token_type: 'bearer', bot_id: botUser.id, workspace_id: WORKSPACE, workspace_name: 'Acme HQ' }, { 'content-type': 'application/json' });
    const next = await refreshToken(notion, resolveProviderUrls(notion, { raw: {} }), CLIENT, creds, { logger: captureLogger().logger });
    expect(next).toMatchObject({ accessToken: 'ntn_new-access-000000', refreshToken: 'nrt_notion-refresh-2', extra: { workspace_id: WORKSPACE, workspace_name: 'Acme HQ' } });
  });

  it('asks for no scopes, authorizes with owner=user', () => {
    expect(notion.definition.auth.oauth2).toMatchObject({ defaultScopes: [], authorizeParams: { owner: 'user' }, clientAuth: 'basic', revokeUrl: 'https://api.notion.com/v1/oauth/revoke' });
    expect(notion.definition.objects.flatMap((o) => o.scopes)).toEqual([]);
  });
});
