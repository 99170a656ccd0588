import nock from 'nock';
import { describe, expect, it } from 'vitest';
import type { AppError } from '../../src/errors.ts';
import { asana } from '../../src/providers/asana/index.ts';
import { buildAuthorizeUrl, requestedScopes } from '../../src/providers/_shared/oauth.ts';
import { resolveProviderUrls } from '../../src/providers/_shared/urls.ts';
import { caught, testContext } from './helpers.ts';

const API = 'https://app.asana.com';
const ACCESS = 'asana-access-0123456789';
const REFRESH = 'asana-refresh-9876543210';
const client = { clientId: 'asana-client', clientSecret: 'asana-secret-abcdef' };
const creds = { type: 'oauth2' as const, accessToken: ACCESS, refreshToken: REFRESH, scopes: ['users:read'] };

// Response shape from https://developers.asana.com/reference/getuser
const me = { data: { gid: '12345', resource_type: 'user', name: 'Greg Sanchez', email: 'gsanchez@example.com', workspaces: [] } };

describe('asana', () => {
  it('test: GET /api/1.0/users/me with Bearer → gid and name', async () => {
    nock(API, { reqheaders: { authorization: `Bearer ${ACCESS}` } })
      .get('/api/1.0/users/me')
      .query({ opt_fields: 'name,email' })
      .reply(200, me, { 'content-type': 'application/json' });
    expect(await asana.connector.test(testContext({ provider: asana, credentials: creds }))).toEqual({ accountId: '12345', accountName: 'Greg Sanchez' });
  });

  it('test: 401 → provider_auth_failed without the token', async () => {
    nock(API)
      .get('/api/1.0/users/me')
      .query(true)
      .reply(401, { errors: [{ message: 'Not Authorized' }] }, { 'content-type': 'application/json' });
    const c = testContext({ provider: asana, credentials: creds });
    const err = (await caught(() => asana.connector.test(c))) as AppError;
    expect(err.code).toBe('provider_auth_failed');
    expect(err.message).toContain('Not Authorized');
    expect(err.message + c.logs.join('')).not.toContain(ACCESS);
  });

  it('revoke: POST /-/oauth_revoke with client credentials and the refresh token', async () => {
    const scope = nock(API, { reqheaders: { 'content-type': 'application/x-www-form-urlencoded' } })
      .post('/-/oauth_revoke', { token: REFRESH, client_id: client.clientId, client_secret: client.clientSecret })
      .reply(200);
    await asana.connector.revoke!(testContext({ provider: asana, credentials: creds, oauthClient: client }));
    scope.done();
  });

  it('revoke without the OAuth app configured names the variables', async () => {
    const err = (await caught(() => asana.connector.revoke!(testContext({ provider: asana, credentials: creds })))) as AppError;
    expect(err.code).toBe('provider_not_configured');
    expect(err.message).toContain('PROVIDER_ASANA_CLIENT_ID');
  });

  it('authorize URL uses PKCE and least-privilege scopes', () => {
    const url = new URL(
      buildAuthorizeUrl(asana, resolveProviderUrls(asana, { raw: {} }), client, {
        state: 's',
        redirectUri: 'https://pb.example/oauth/callback',
        scopes: requestedScopes(asana.definition, []),
        codeChallenge: 'c',
      }),
    );
    expect(url.origin + url.pathname).toBe('https://app.asana.com/-/oauth_authorize');
    expect(url.searchParams.get('scope')).toBe('users:read');
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
  });

  it('test: a user without gid (optional in the description) → provider_error naming the missing id', async () => {
    nock(API).get('/api/1.0/users/me').query({ opt_fields: 'name,email' }).reply(200, { data: { name: 'Greg' } }, { 'content-type': 'application/json' });
    const err = (await caught(() => asana.connector.test(testContext({ provider: asana, credentials: creds })))) as AppError;
    expect(err.code).toBe('provider_error');
    expect(err.message).toBe('Asana answered GET /users/me without an account id');
  });
});
