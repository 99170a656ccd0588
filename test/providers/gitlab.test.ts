import nock from 'nock';
import { describe, expect, it } from 'vitest';
import type { AppError } from '../../src/errors.ts';
import type { IpAddress } from '../../src/net/addresses.ts';
import { egressPolicy, EGRESS_REFUSED_TEXT, type EgressPolicy } from '../../src/net/egress.ts';
import type { InboundRequest } from '../../src/inbound/scheme.ts';
import { gitlab } from '../../src/providers/gitlab/index.ts';
import { overrideProblems } from '../../src/providers/_shared/url-overrides.ts';
import { caught, testContext } from './helpers.ts';

const API = 'https://gitlab.com';
const TOKEN = 'gloas-access-9f86d081884c7d659a2feaa0c55ad015';
const PAT = 'glpat-xz8Q2v7yK3mN5pR1tW4s';
const client = { clientId: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678901234567890abcdef012345', clientSecret: 'gloas-client-secret-0123456789abcdef' };
const oauth = { type: 'oauth2' as const, accessToken: TOKEN, refreshToken: 'gitlab-refresh-1', scopes: ['read_user', 'api'] };
const pat = { type: 'api_key' as const, fields: { token: PAT } };

// Shape from https://docs.gitlab.com/api/users/#retrieve-the-current-user (trimmed).
const user = {
  id: 1,
  username: 'john_smith',
  name: 'John Smith',
  state: 'active',
  avatar_url: 'http://localhost:3000/uploads/user/avatar/1/index.jpg',
  web_url: 'http://localhost:3000/john_smith',
  created_at: '2012-05-23T08:00:58Z',
  email: 'john@example.com',
};

const PUBLIC: IpAddress = { address: '93.184.216.34', family: 4 };
const resolver: EgressPolicy['resolver'] = async (host) => {
  const table: Record<string, IpAddress[]> = { 'gitlab.acme.example': [PUBLIC], 'gitlab.rebind.example': [{ address: '10.0.0.7', family: 4 }] };
  if (!table[host]) throw new Error(`ENOTFOUND ${host}`);
  return table[host];
};
const egress = egressPolicy({ NODE_ENV: 'development' }, { resolver });

describe('gitlab', () => {
  it('test: GET /api/v4/user with the OAuth Bearer token → id and name', async () => {
    nock(API, { reqheaders: { authorization: `Bearer ${TOKEN}` } }).get('/api/v4/user').reply(200, user, { 'content-type': 'application/json' });
    expect(await gitlab.connector.test(testContext({ provider: gitlab, credentials: oauth }))).toEqual({
      accountId: '1',
      accountName: 'John Smith',
      extra: { username: 'john_smith', instance: 'https://gitlab.com' },
    });
  });

  it('test: a personal access token goes as Bearer too; without a name the username is shown', async () => {
    nock(API, { reqheaders: { authorization: `Bearer ${PAT}` } }).get('/api/v4/user').reply(200, { ...user, name: '' }, { 'content-type': 'application/json' });
    const c = testContext({ provider: gitlab, credentials: pat });
    expect((await gitlab.connector.test(c)).accountName).toBe('john_smith');
    expect(c.logs.join('')).not.toContain(PAT);
  });

  it('self-managed: a personal-token connection calls its stored instance, through the egress guard', async () => {
    const scope = nock('https://gitlab.acme.example', { reqheaders: { authorization: `Bearer ${PAT}` } }).get('/api/v4/user').reply(200, user, { 'content-type': 'application/json' });
    const c = testContext({ provider: gitlab, credentials: pat, overrides: { apiBaseUrl: 'https://gitlab.acme.example' }, egress });
    expect(c.urls).toMatchObject({ apiBaseUrl: 'https://gitlab.acme.example', userChosen: ['apiBaseUrl'] });
    expect(await gitlab.connector.test(c)).toMatchObject({ accountId: '1', extra: { instance: 'https://gitlab.acme.example' } });
    scope.done();
  });

  it('self-managed: a host that resolves to a private address is refused before any request', async () => {
    const c = testContext({ provider: gitlab, credentials: pat, overrides: { apiBaseUrl: 'https://gitlab.rebind.example' }, egress, retry: { maxRetries: 0 } });
    const err = (await caught(() => gitlab.connector.test(c))) as AppError;
    expect(err.message).toContain(EGRESS_REFUSED_TEXT);
  });

  it('the override is for personal tokens on public https hosts only; OAuth grants keep the operator\'s URLs', () => {
    const d = gitlab.definition;
    expect(overrideProblems(d, 'api_key', { apiBaseUrl: 'https://gitlab.acme.example' })).toEqual([]);
    expect(overrideProblems(d, 'api_key', { apiBaseUrl: 'http://gitlab.acme.example' })[0]?.message).toBe('must use https');
    expect(overrideProblems(d, 'api_key', { apiBaseUrl: 'https://127.0.0.1' })[0]?.message).toMatch(/must be a public host/);
    expect(overrideProblems(d, 'api_key', { tokenUrl: 'https://gitlab.acme.example/oauth/token' })[0]?.message).toMatch(/accepts overrides of apiBaseUrl only/);
    expect(overrideProblems(d, 'oauth2', { apiBaseUrl: 'https://gitlab.acme.example' })[0]?.message).toBe('GitLab does not accept URL overrides for oauth2 connections');
  });

  it('test: 401 → provider_auth_failed without the token', async () => {
    nock(API).get('/api/v4/user').reply(401, { message: '401 Unauthorized' }, { 'content-type': 'application/json' });
    const c = testContext({ provider: gitlab, credentials: pat });
    const err = (await caught(() => gitlab.connector.test(c))) as AppError;
    expect(err.code).toBe('provider_auth_failed');
    expect(err.message + c.logs.join('')).not.toContain(PAT);
  });

  it('429 → rate_limited, from Retry-After, else from RateLimit-Reset (epoch seconds)', async () => {
    nock(API).get('/api/v4/user').reply(429, 'Retry later', { 'retry-after': '30', 'ratelimit-reset': String(Math.floor(Date.now() / 1000) + 900) });
    let err = (await caught(() => gitlab.connector.test(testContext({ provider: gitlab, credentials: pat })))) as AppError;
    expect(err.code).toBe('rate_limited');
    expect(err.retryAfterSeconds).toBe(30);
    nock(API).get('/api/v4/user').reply(429, 'Retry later', { 'ratelimit-reset': String(Math.floor(Date.now() / 1000) + 600) });
    err = (await caught(() => gitlab.connector.test(testContext({ provider: gitlab, credentials: pat })))) as AppError;
    expect(err.retryAfterSeconds).toBeGreaterThanOrEqual(599);
    expect(err.retryAfterSeconds).toBeLessThanOrEqual(601);
  });

  it('revoke: POST /oauth/revoke with client_id, client_secret and the access token', async () => {
    const scope = nock(API)
      .post('/oauth/revoke', (b: Record<string, string>) => b.token === TOKEN && b.client_id === client.clientId && b.client_secret === client.clientSecret)
      .reply(200, {}, { 'content-type': 'application/json' });
    await gitlab.connector.revoke!(testContext({ provider: gitlab, credentials: oauth, oauthClient: client }));
    scope.done();
  });

  it('revoke: a wrong app secret (invalid_client) → provider_not_configured, without the secret or token', async () => {
    nock(API).post('/oauth/revoke').reply(401, { error: 'invalid_client', error_description: 'Client authentication failed due to unknown client.' }, { 'content-type': 'application/json' });
    const c = testContext({ provider: gitlab, credentials: oauth, oauthClient: client });
    const err = (await caught(() => gitlab.connector.revoke!(c))) as AppError;
    expect(err.code).toBe('provider_not_configured');
    expect(err.message + c.logs.join('')).not.toContain(client.clientSecret);
    expect(err.message + c.logs.join('')).not.toContain(TOKEN);
  });

  it('personal access tokens: no revoke, and the note says where to revoke them', () => {
    expect(gitlab.connector.canRevoke!(pat)).toBe(false);
    expect(gitlab.connector.canRevoke!(oauth)).toBe(true);
    expect(gitlab.definition.revokeNote).toMatch(/personal access token is not revoked by Patchbay/);
    expect(gitlab.definition.auth.oauth2).toMatchObject({ pkce: true, defaultScopes: ['read_user'], refresh: 'rotating', clientAuth: 'body' });
  });
});

const SECRET = 'gitlab-hook-token-7Yq2Lm9Xc4Rv8Tn1';
const body = JSON.stringify({ object_kind: 'issue', event_type: 'issue', project: { id: 15, path_with_namespace: 'acme/api' }, object_attributes: { id: 301, iid: 23, title: 'New API: create/update/delete file', action: 'open' } });
const req = (headers: Record<string, string>, raw = body): InboundRequest => ({ method: 'POST', url: 'https://patchbay.example.test/webhooks/gitlab/c1', headers, rawBody: Buffer.from(raw), receivedAt: new Date() });

describe('gitlab webhook scheme', () => {
  const scheme = gitlab.webhooks!.scheme;

  it('is an admin-stored secret token on a per-connection URL', () => {
    expect(scheme).toMatchObject({ routing: 'connection', secretSource: 'admin' });
  });

  it('X-Gitlab-Token must equal the secret exactly', () => {
    expect(scheme.verify(req({ 'x-gitlab-token': SECRET }), SECRET)).toBe(true);
    expect(scheme.verify(req({ 'x-gitlab-token': `${SECRET}x` }), SECRET)).toBe(false);
    expect(scheme.verify(req({ 'x-gitlab-token': SECRET.toUpperCase() }), SECRET)).toBe(false);
    expect(scheme.verify(req({}), SECRET)).toBe(false);
    expect(scheme.verify(req({ 'x-gitlab-token': '' }), '')).toBe(false);
  });

  it('the delivery id is Idempotency-Key, else X-Gitlab-Event-UUID; issues are kept, other events ignored', () => {
    expect(scheme.parse(req({ 'idempotency-key': 'idem-1', 'x-gitlab-event-uuid': 'uuid-1' }))).toEqual([{ deliveryId: 'idem-1', type: 'issue.open', object: 'issues', remoteId: '301' }]);
    expect(scheme.parse(req({ 'x-gitlab-event-uuid': 'uuid-1' }))[0]!.deliveryId).toBe('uuid-1');
    const push = JSON.stringify({ object_kind: 'push', event_name: 'push', ref: 'refs/heads/main' });
    expect(scheme.parse(req({ 'idempotency-key': 'idem-2' }, push))).toEqual([{ deliveryId: 'idem-2', type: 'push', object: null }]);
    expect(() => scheme.parse(req({}, '{"no":"kind"}'))).toThrow();
  });
});
