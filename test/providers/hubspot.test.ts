import nock from 'nock';
import { describe, expect, it } from 'vitest';
import type { AppError } from '../../src/errors.ts';
import { hubspot } from '../../src/providers/hubspot/index.ts';
import { exchangeCode } from '../../src/providers/_shared/oauth.ts';
import { resolveProviderUrls } from '../../src/providers/_shared/urls.ts';
import { HUBSPOT_ACCESS as ACCESS, HUBSPOT_CLIENT as client, introspection } from './fixtures/hubspot.ts';
import { captureLogger, caught, testContext } from './helpers.ts';

const API = 'https://api.hubapi.com';
const REFRESH = 'na1-ab12-cd34-ef56-gh78-abcdef123456';
const creds = { type: 'oauth2' as const, accessToken: ACCESS, refreshToken: REFRESH, scopes: ['oauth'] };
const form = { 'content-type': 'application/x-www-form-urlencoded' };

describe('hubspot', () => {
  it('test: POST /oauth/v3/token/introspect (token in the body, not the URL) → hub_id and hub_domain', async () => {
    nock(API, { badheaders: ['authorization'], reqheaders: form })
      .post('/oauth/v3/token/introspect', { token: ACCESS, token_type_hint: 'access_token', client_id: client.clientId, client_secret: client.clientSecret })
      .reply(200, introspection, { 'content-type': 'application/json;charset=utf-8' });
    const c = testContext({ provider: hubspot, credentials: creds, oauthClient: client });
    expect(await hubspot.connector.test(c)).toEqual({ accountId: '62515', accountName: 'demo.hubspot.com', extra: { hubId: 62515, user: 'user@example.com' } });
    expect(c.logs.join('')).not.toContain(ACCESS);
  });

  it('test: an inactive token → provider_auth_failed', async () => {
    nock(API).post('/oauth/v3/token/introspect').reply(200, { active: false }, { 'content-type': 'application/json' });
    const c = testContext({ provider: hubspot, credentials: creds, oauthClient: client });
    const err = (await caught(() => hubspot.connector.test(c))) as AppError;
    expect(err.code).toBe('provider_auth_failed');
    expect(err.message + c.logs.join('')).not.toContain(ACCESS);
  });

  it('test: 401 → provider_auth_failed without the token or client secret', async () => {
    nock(API)
      .post('/oauth/v3/token/introspect')
      .reply(401, { status: 'error', message: 'The OAuth token used to make this call expired 1 minute ago.', category: 'EXPIRED_AUTHENTICATION', correlationId: 'aeb5f871-7f07-4993-9211-075dc63e7cbf' }, { 'content-type': 'application/json' });
    const c = testContext({ provider: hubspot, credentials: creds, oauthClient: client });
    const err = (await caught(() => hubspot.connector.test(c))) as AppError;
    expect(err.code).toBe('provider_auth_failed');
    expect(err.message + c.logs.join('')).not.toContain(ACCESS);
    expect(err.message + c.logs.join('')).not.toContain(client.clientSecret);
  });

  it('test without the OAuth app configured names the variables', async () => {
    const err = (await caught(() => hubspot.connector.test(testContext({ provider: hubspot, credentials: creds })))) as AppError;
    expect(err.code).toBe('provider_not_configured');
    expect(err.message).toContain('PROVIDER_HUBSPOT_CLIENT_ID');
  });

  it('revoke: POST /oauth/v3/token/revoke with the refresh token and the app credentials', async () => {
    const scope = nock(API, { badheaders: ['authorization'], reqheaders: form })
      .post('/oauth/v3/token/revoke', { token: REFRESH, token_type_hint: 'refresh_token', client_id: client.clientId, client_secret: client.clientSecret })
      .reply(204);
    const c = testContext({ provider: hubspot, credentials: creds, oauthClient: client });
    await hubspot.connector.revoke!(c);
    scope.done();
    expect(c.logs.join('')).not.toContain(REFRESH);
  });

  it('429 → rate_limited', async () => {
    nock(API)
      .post('/oauth/v3/token/introspect')
      .reply(429, { status: 'error', message: 'You have reached your secondly limit.', errorType: 'RATE_LIMIT' }, { 'content-type': 'application/json' });
    const err = (await caught(() => hubspot.connector.test(testContext({ provider: hubspot, credentials: creds, oauthClient: client })))) as AppError;
    expect(err.code).toBe('rate_limited');
  });

  it("token endpoint errors in HubSpot's { status, message } shape: BAD_AUTH_CODE → provider_auth_failed, read in HubSpot's folder", async () => {
    nock(API)
      .post('/oauth/v1/token')
      .reply(400, { status: 'BAD_AUTH_CODE', message: 'missing or unknown auth code', correlationId: 'aeb5f871-7f07-4993-9211-075dc63e7cbf' }, { 'content-type': 'application/json' });
    const { logger } = captureLogger();
    const err = (await caught(() =>
      exchangeCode(hubspot, resolveProviderUrls(hubspot, { raw: {} }), client, { code: 'c-1', redirectUri: 'https://pb.example/oauth/callback', codeVerifier: 'v' }, { logger }),
    )) as AppError;
    expect(err.code).toBe('provider_auth_failed');
    expect(err.message).toBe('HubSpot refused the authorization code (invalid_grant): missing or unknown auth code. Reconnect HubSpot.');
    expect(hubspot.connector.tokenError?.({ status: 'MISSING_SCOPES', message: 'x' })).toEqual({ code: 'MISSING_SCOPES', description: 'x', grantRevoked: false });
  });
});
