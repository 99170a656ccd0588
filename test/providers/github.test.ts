import nock from 'nock';
import { describe, expect, it } from 'vitest';
import type { AppError } from '../../src/errors.ts';
import { github } from '../../src/providers/github/index.ts';
import { caught, testContext } from './helpers.ts';

const API = 'https://api.github.com';
const TOKEN = 'gho_16C7e42F292c6912E7710c838347Ae178B4a';
const client = { clientId: 'Iv1.8a61f9b3a7aba766', clientSecret: 'gh-client-secret-1234567890' };
const creds = { type: 'oauth2' as const, accessToken: TOKEN, scopes: [] };

// Shape from https://docs.github.com/en/rest/users/users#get-the-authenticated-user
const user = { login: 'octocat', id: 1, node_id: 'MDQ6VXNlcjE=', type: 'User', name: 'monalisa octocat', email: 'octocat@github.com' };

describe('github', () => {
  it('test: GET /user with Bearer and the versioned media type → id and login', async () => {
    nock(API, { reqheaders: { authorization: `Bearer ${TOKEN}`, accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28' } })
      .get('/user')
      .reply(200, user, { 'content-type': 'application/json; charset=utf-8' });
    expect(await github.connector.test(testContext({ provider: github, credentials: creds }))).toEqual({
      accountId: '1',
      accountName: 'octocat',
      extra: { login: 'octocat' },
    });
  });

  it('test: 401 Bad credentials → provider_auth_failed without the token', async () => {
    nock(API).get('/user').reply(401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' }, { 'content-type': 'application/json' });
    const c = testContext({ provider: github, credentials: creds });
    const err = (await caught(() => github.connector.test(c))) as AppError;
    expect(err.code).toBe('provider_auth_failed');
    expect(err.message + c.logs.join('')).not.toContain(TOKEN);
  });

  it('403 with x-ratelimit-remaining: 0 → rate_limited until x-ratelimit-reset', async () => {
    const reset = Math.floor(Date.now() / 1000) + 600;
    nock(API)
      .get('/user')
      .reply(403, { message: 'API rate limit exceeded for user ID 1.' }, {
        'content-type': 'application/json',
        'x-ratelimit-limit': '5000',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': String(reset),
      });
    const err = (await caught(() => github.connector.test(testContext({ provider: github, credentials: creds })))) as AppError;
    expect(err.code).toBe('rate_limited');
    expect(err.retryAfterSeconds).toBeGreaterThanOrEqual(599);
    expect(err.retryAfterSeconds).toBeLessThanOrEqual(601);
  });

  it('secondary rate limit (403 + Retry-After) → rate_limited with that wait', async () => {
    nock(API)
      .get('/user')
      .reply(403, { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' }, {
        'content-type': 'application/json',
        'retry-after': '90',
      });
    const err = (await caught(() => github.connector.test(testContext({ provider: github, credentials: creds })))) as AppError;
    expect(err.code).toBe('rate_limited');
    expect(err.retryAfterSeconds).toBe(90);
  });

  it('revoke: DELETE /applications/{client_id}/token with Basic client credentials and { access_token }', async () => {
    const basic = `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`;
    const scope = nock(API, { reqheaders: { authorization: basic, 'content-type': 'application/json' } })
      .delete(`/applications/${client.clientId}/token`, { access_token: TOKEN })
      .reply(204);
    await github.connector.revoke!(testContext({ provider: github, credentials: creds, oauthClient: client }));
    scope.done();
  });

  it('revoke: a wrong app secret → provider_auth_failed, secret not in the message', async () => {
    nock(API).delete(`/applications/${client.clientId}/token`).reply(401, { message: 'Requires authentication' }, { 'content-type': 'application/json' });
    const c = testContext({ provider: github, credentials: creds, oauthClient: client });
    const err = (await caught(() => github.connector.revoke!(c))) as AppError;
    expect(err.code).toBe('provider_auth_failed');
    expect(err.message + c.logs.join('')).not.toContain(client.clientSecret);
  });

  it('revoke: 422 (listed in the description) and 404 mean the token is already gone', async () => {
    for (const status of [422, 404]) {
      const scope = nock(API).delete(`/applications/${client.clientId}/token`).reply(status, { message: 'Validation Failed' }, { 'content-type': 'application/json' });
      const c = testContext({ provider: github, credentials: creds, oauthClient: client });
      await github.connector.revoke!(c);
      scope.done();
      expect(c.logs.join('')).toContain('GitHub token was already revoked or invalid');
    }
  });
});
