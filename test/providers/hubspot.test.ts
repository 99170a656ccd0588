import nock from 'nock';
import { describe, expect, it } from 'vitest';
import type { AppError } from '../../src/errors.ts';
import { hubspot } from '../../src/providers/hubspot/index.ts';
import { caught, testContext } from './helpers.ts';

const API = 'https://api.hubapi.com';
const ACCESS = 'CKDZpunPLhICAQEYs-gDIIGOBii1hQIyGQAf3xBKEgsYjYMJVvlHEz9tFHAwSq1TQAM40s0D';
const REFRESH = 'na1-ab12-cd34-ef56-gh78-abcdef123456';
const creds = { type: 'oauth2' as const, accessToken: ACCESS, refreshToken: REFRESH, scopes: ['oauth'] };

// Shape from https://developers.hubspot.com/docs/api-reference/legacy/authentication/oauth-tokens/v1/get-oauth-token-metadata
const info = {
  token: ACCESS,
  user: 'user@example.com',
  hub_domain: 'demo.hubspot.com',
  scopes: ['oauth', 'crm.objects.contacts.read'],
  hub_id: 62515,
  app_id: 456789,
  expires_in: 1754,
  user_id: 123456,
  token_type: 'access',
};

describe('hubspot', () => {
  it('test: GET /oauth/v1/access-tokens/{token} → hub_id and hub_domain', async () => {
    nock(API, { badheaders: ['authorization'] })
      .get(`/oauth/v1/access-tokens/${ACCESS}`)
      .reply(200, info, { 'content-type': 'application/json;charset=utf-8' });
    const c = testContext({ provider: hubspot, credentials: creds });
    expect(await hubspot.connector.test(c)).toEqual({
      accountId: '62515',
      accountName: 'demo.hubspot.com',
      extra: { hubId: 62515, user: 'user@example.com' },
    });
    // The token is in the path: the debug line must not carry it.
    expect(c.logs.join('')).not.toContain(ACCESS);
  });

  it('test: an expired token → provider_auth_failed (token redacted from the path)', async () => {
    nock(API)
      .get(`/oauth/v1/access-tokens/${ACCESS}`)
      .reply(401, { status: 'error', message: 'The OAuth token used to make this call expired 1 minute ago.', category: 'EXPIRED_AUTHENTICATION' }, { 'content-type': 'application/json' });
    const c = testContext({ provider: hubspot, credentials: creds });
    const err = (await caught(() => hubspot.connector.test(c))) as AppError;
    expect(err.code).toBe('provider_auth_failed');
    expect(err.message).toContain('/oauth/v1/access-tokens/[REDACTED]');
    expect(err.message + c.logs.join('')).not.toContain(ACCESS);
  });

  it('revoke: DELETE /oauth/v1/refresh-tokens/{refresh_token}', async () => {
    const scope = nock(API, { badheaders: ['authorization'] }).delete(`/oauth/v1/refresh-tokens/${REFRESH}`).reply(204);
    const c = testContext({ provider: hubspot, credentials: creds });
    await hubspot.connector.revoke!(c);
    scope.done();
    expect(c.logs.join('')).not.toContain(REFRESH);
  });

  it('429 → rate_limited', async () => {
    nock(API)
      .get(`/oauth/v1/access-tokens/${ACCESS}`)
      .reply(429, { status: 'error', message: 'You have reached your secondly limit.', errorType: 'RATE_LIMIT' }, { 'content-type': 'application/json' });
    const err = (await caught(() => hubspot.connector.test(testContext({ provider: hubspot, credentials: creds })))) as AppError;
    expect(err.code).toBe('rate_limited');
  });
});
