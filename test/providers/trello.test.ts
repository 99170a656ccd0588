import nock from 'nock';
import { describe, expect, it } from 'vitest';
import type { AppError } from '../../src/errors.ts';
import { trello } from '../../src/providers/trello/index.ts';
import { caught, testContext } from './helpers.ts';

const API = 'https://api.trello.com';
const KEY = '0123456789abcdef0123456789abcdef';
const TOKEN = 'ATTA0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef01234567';
const creds = { type: 'api_key' as const, fields: { apiKey: KEY, token: TOKEN } };

// Shape from https://developer.atlassian.com/cloud/trello/rest/api-group-members/#api-members-id-get (fields=id,username,fullName)
const member = { id: '5abbe4b7ddc1b351ef961414', username: 'bobloblaw', fullName: 'Bob Loblaw' };

describe('trello', () => {
  it('test: GET /1/members/me with key and token query parameters', async () => {
    nock(API, { badheaders: ['authorization'] })
      .get('/1/members/me')
      .query({ key: KEY, token: TOKEN, fields: 'id,username,fullName' })
      .reply(200, member, { 'content-type': 'application/json; charset=utf-8' });
    const c = testContext({ provider: trello, credentials: creds });
    expect(await trello.connector.test(c)).toEqual({ accountId: member.id, accountName: 'Bob Loblaw (@bobloblaw)', extra: { username: 'bobloblaw' } });
    expect(c.logs.join('')).not.toContain(TOKEN);
  });

  it('test: 401 invalid token → provider_auth_failed, no key or token in message or logs', async () => {
    nock(API).get('/1/members/me').query(true).reply(401, 'invalid token', { 'content-type': 'text/plain; charset=utf-8' });
    const c = testContext({ provider: trello, credentials: creds });
    const err = (await caught(() => trello.connector.test(c))) as AppError;
    expect(err.code).toBe('provider_auth_failed');
    for (const text of [err.message, JSON.stringify(err.details), c.logs.join('')]) {
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain(KEY);
    }
  });

  it('revoke: DELETE /1/tokens/{token} authenticated with the same key and token', async () => {
    const scope = nock(API).delete(`/1/tokens/${TOKEN}`).query({ key: KEY, token: TOKEN }).reply(200, { _value: null }, { 'content-type': 'application/json' });
    const c = testContext({ provider: trello, credentials: creds });
    await trello.connector.revoke!(c);
    scope.done();
    expect(c.logs.join('')).not.toContain(TOKEN);
  });

  it('429 → rate_limited', async () => {
    nock(API).get('/1/members/me').query(true).reply(429, { error: 'API_TOKEN_LIMIT_EXCEEDED', message: 'Rate limit exceeded' }, { 'content-type': 'application/json' });
    expect(((await caught(() => trello.connector.test(testContext({ provider: trello, credentials: creds })))) as AppError).code).toBe('rate_limited');
  });
});
