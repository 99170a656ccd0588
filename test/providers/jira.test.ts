import nock from 'nock';
import { describe, expect, it } from 'vitest';
import type { AppError } from '../../src/errors.ts';
import { jira } from '../../src/providers/jira/index.ts';
import { refreshToken } from '../../src/providers/_shared/oauth.ts';
import { resolveProviderUrls } from '../../src/providers/_shared/urls.ts';
import { captureLogger, caught, testContext } from './helpers.ts';

const API = 'https://api.atlassian.com';
const ACCESS = 'jira-access-token-0123456789';
const creds = { type: 'oauth2' as const, accessToken: ACCESS, refreshToken: 'jira-refresh-1', scopes: ['read:jira-user', 'offline_access'] };
const CLOUD = '1324a887-45db-1bf4-1e99-ef0ff456d421';

// Shapes from https://developer.atlassian.com/cloud/jira/platform/oauth-2-3lo-apps/#3-1-get-the-cloudid-for-your-site
const resources = [
  {
    id: CLOUD,
    name: 'your-domain',
    url: 'https://your-domain.atlassian.net',
    scopes: ['read:jira-user', 'offline_access'],
    avatarUrl: 'https://site-admin-avatar-cdn.prod.public.atl-paas.net/avatars/240/flag.png',
  },
];
// https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-myself/#api-rest-api-3-myself-get
const myself = {
  self: 'https://your-domain.atlassian.net/rest/api/3/user?accountId=5b10a2844c20165700ede21g',
  accountId: '5b10a2844c20165700ede21g',
  accountType: 'atlassian',
  emailAddress: 'mia@example.com',
  displayName: 'Mia Krystof',
  active: true,
  timeZone: 'Australia/Sydney',
};

describe('jira', () => {
  it('test: accessible-resources → cloudId, then /ex/jira/{cloudId}/rest/api/3/myself', async () => {
    nock(API, { reqheaders: { authorization: `Bearer ${ACCESS}` } })
      .get('/oauth/token/accessible-resources')
      .reply(200, resources, { 'content-type': 'application/json' })
      .get(`/ex/jira/${CLOUD}/rest/api/3/myself`)
      .reply(200, myself, { 'content-type': 'application/json' });
    const account = await jira.connector.test(testContext({ provider: jira, credentials: creds }));
    expect(account).toEqual({
      accountId: myself.accountId,
      accountName: 'Mia Krystof (your-domain)',
      extra: { cloudId: CLOUD, siteUrl: 'https://your-domain.atlassian.net', siteName: 'your-domain' },
    });
  });

  it('test: keeps the stored cloudId when several sites are accessible', async () => {
    const other = { ...resources[0]!, id: 'other-cloud', name: 'other' };
    nock(API)
      .get('/oauth/token/accessible-resources')
      .reply(200, [other, resources[0]], { 'content-type': 'application/json' })
      .get(`/ex/jira/${CLOUD}/rest/api/3/myself`)
      .reply(200, myself, { 'content-type': 'application/json' });
    const account = await jira.connector.test(testContext({ provider: jira, credentials: creds, metadata: { extra: { cloudId: CLOUD } } }));
    expect(account.extra).toMatchObject({ cloudId: CLOUD });
  });

  it('test: no site → provider_auth_failed; 401 → provider_auth_failed', async () => {
    nock(API).get('/oauth/token/accessible-resources').reply(200, [], { 'content-type': 'application/json' });
    expect(((await caught(() => jira.connector.test(testContext({ provider: jira, credentials: creds })))) as AppError).code).toBe('provider_auth_failed');
    nock(API).get('/oauth/token/accessible-resources').reply(401, { code: 401, message: 'Unauthorized' }, { 'content-type': 'application/json' });
    const err = (await caught(() => jira.connector.test(testContext({ provider: jira, credentials: creds })))) as AppError;
    expect(err.code).toBe('provider_auth_failed');
    expect(err.message).not.toContain(ACCESS);
  });

  it('has no revoke call, and says so', () => {
    expect(jira.connector.revoke).toBeUndefined();
    expect(jira.definition.revokeNote).toMatch(/no API to revoke/);
    expect(jira.definition.auth.oauth2).toMatchObject({ authorizeParams: { audience: 'api.atlassian.com', prompt: 'consent' }, refresh: 'rotating' });
    expect(jira.definition.auth.oauth2!.defaultScopes).toContain('offline_access');
  });

  it('refresh: the rotated refresh token replaces the old one', async () => {
    nock('https://auth.atlassian.com')
      .post('/oauth/token', { grant_type: 'refresh_token', refresh_token: 'jira-refresh-1', client_id: 'cid', client_secret: 'csecret-123' })
      .reply(200, { access_token: 'new-access', refresh_token: 'jira-refresh-2', expires_in: 3600, scope: 'read:jira-user offline_access', token_type: 'Bearer' }, { 'content-type': 'application/json' });
    const next = await refreshToken(jira, resolveProviderUrls(jira, { raw: {} }), { clientId: 'cid', clientSecret: 'csecret-123' }, creds, { logger: captureLogger().logger });
    expect(next).toMatchObject({ accessToken: 'new-access', refreshToken: 'jira-refresh-2', scopes: ['read:jira-user', 'offline_access'] });
  });

  it('a /myself without accountId (the description requires none) → provider_error, not a crash', async () => {
    nock(API).get('/oauth/token/accessible-resources').reply(200, resources, { 'content-type': 'application/json' });
    nock(API).get(`/ex/jira/${CLOUD}/rest/api/3/myself`).reply(200, { displayName: 'Ada' }, { 'content-type': 'application/json' });
    const err = (await caught(() => jira.connector.test(testContext({ provider: jira, credentials: creds })))) as AppError;
    expect(err.code).toBe('provider_error');
    expect(err.message).toBe('Jira Cloud answered GET /rest/api/3/myself without an account id');
  });
});
