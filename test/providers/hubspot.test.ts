import nock from 'nock';
import { describe, expect, it } from 'vitest';
import type { AppError } from '../../src/errors.ts';
import { hubspot } from '../../src/providers/hubspot/index.ts';
import { exchangeCode } from '../../src/providers/_shared/oauth.ts';
import { resolveProviderUrls } from '../../src/providers/_shared/urls.ts';
import { contactsAdapter } from '../../src/providers/hubspot/adapters/contacts.ts';
import { searchPacer, type SearchCursor } from '../../src/providers/hubspot/adapters/search.ts';
import { contact, contactExists, HUBSPOT_ACCESS as ACCESS, HUBSPOT_CLIENT as client, introspection, memberships, searchPage } from './fixtures/hubspot.ts';
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

describe('hubspot contacts adapter', () => {
  const json = { 'content-type': 'application/json;charset=utf-8' };
  const ctx = () => testContext({ provider: hubspot, credentials: creds, metadata: { accountId: '62515' } });
  const PROPS = ['firstname', 'lastname', 'email', 'phone', 'mobilephone', 'company', 'jobtitle', 'website', 'lifecyclestage', 'createdate', 'lastmodifieddate'];
  const cursor = (c: Partial<SearchCursor>): SearchCursor => ({ from: null, after: null, count: 0, newest: null, seen: [], drained: false, readAt: null, ...c });
  const T1 = '2026-11-29T09:00:00.000Z';
  const T2 = '2026-11-29T09:00:01.500Z';

  it('a full pull: CRM search on lastmodifieddate ascending, the mapped properties, values and clock as the engine reads them', async () => {
    nock(API, { reqheaders: { authorization: `Bearer ${ACCESS}` } })
      .post('/crm/v3/objects/contacts/search', { filterGroups: [], sorts: [{ propertyName: 'lastmodifieddate', direction: 'ASCENDING' }], properties: PROPS, limit: 100, after: '0' })
      .reply(200, searchPage([contact('501', T1), contact('502', '2026-11-29T09:00:01.5Z', { jobtitle: '' })], '2'), { ...json, date: 'Sun, 29 Nov 2026 09:05:00 GMT' });
    const page = await contactsAdapter.listChanged(ctx(), { cursor: null, scope: {}, pageSize: 500 });
    expect(page.records[0]).toEqual({ id: '501', updatedAt: T1, fields: { firstname: 'Ada', lastname: 'Lovelace', email: 'ada501@example.com', phone: null, mobilephone: null, company: 'Analytical Engines', jobtitle: null, website: null, lifecyclestage: 'lead', createdate: '2026-11-01T09:00:00.000Z' } });
    // The clock is normalised, and an empty string is no value.
    expect(page.records[1]).toMatchObject({ updatedAt: T2, fields: { jobtitle: null } });
    expect(page).toMatchObject({ hasMore: true, cursor: { from: null, after: '2', count: 2, newest: T2, seen: ['502'], drained: false, readAt: '2026-11-29T09:05:00.000Z' } });
  });

  it('incremental: a drained feed opens a new window at the newest change, or 30 s before HubSpot last answered if that is earlier (its search index trails writes)', async () => {
    // HubSpot answered 5 s after the newest change: a change made just before may not have been indexed yet.
    nock(API)
      .post('/crm/v3/objects/contacts/search', (b) => b.after === '0' && b.filterGroups[0].filters[0].operator === 'GTE' && b.filterGroups[0].filters[0].value === String(Date.parse(T2) + 5_000 - 30_000))
      .reply(200, searchPage([contact('502', T2), contact('503', '2026-11-29T09:10:00.000Z')]), json);
    const page = await contactsAdapter.listChanged(ctx(), { cursor: cursor({ newest: T2, seen: ['502'], drained: true, readAt: '2026-11-29T09:00:06.500Z' }), scope: {}, pageSize: 100 });
    // 502 at the same time was handed on before: only 503 is new.
    expect(page.records.map((r) => r.id)).toEqual(['503']);
    expect(page).toMatchObject({ hasMore: false, cursor: { newest: '2026-11-29T09:10:00.000Z', seen: ['503'], drained: true } });

    // Long quiet since: from the newest change itself.
    nock(API).post('/crm/v3/objects/contacts/search', (b) => b.filterGroups[0].filters[0].value === String(Date.parse('2026-11-29T09:10:00.000Z'))).reply(200, searchPage([]), json);
    expect(await contactsAdapter.listChanged(ctx(), { cursor: { ...page.cursor as SearchCursor, readAt: '2026-11-29T10:00:00.000Z' }, scope: {}, pageSize: 100 })).toMatchObject({ records: [], hasMore: false });
  });

  it('the 10,000-result window: a page that would cross it restarts the search from the newest time seen, and the boundary is not handed on twice', async () => {
    nock(API)
      .post('/crm/v3/objects/contacts/search', (b) => b.after === '9900')
      .reply(200, searchPage([contact('701', T1), contact('702', T2), contact('703', T2)], '10000'), json);
    const page = await contactsAdapter.listChanged(ctx(), { cursor: cursor({ from: '2026-11-29T08:00:00.000Z', after: '9900', count: 9900, newest: T1, seen: ['700'] }), scope: {}, pageSize: 100 });
    expect(page.records.map((r) => r.id)).toEqual(['701', '702', '703']);
    expect(page).toMatchObject({ hasMore: true, cursor: { from: T2, after: null, count: 0, newest: T2, seen: ['702', '703'], drained: false } });

    nock(API)
      .post('/crm/v3/objects/contacts/search', (b) => b.after === '0' && b.filterGroups[0].filters[0].value === String(Date.parse(T2)))
      .reply(200, searchPage([contact('703', T2), contact('702', T2), contact('704', T2), contact('705', '2026-11-29T09:30:00.000Z')]), json);
    const next = await contactsAdapter.listChanged(ctx(), { cursor: page.cursor, scope: {}, pageSize: 100 });
    expect(next.records.map((r) => r.id)).toEqual(['704', '705']);
  });

  it('more than 10,000 contacts at one lastmodifieddate cannot be paged past: a provider error, not an endless loop', async () => {
    nock(API).post('/crm/v3/objects/contacts/search').reply(200, searchPage([contact('801', T1)], '10000'), json);
    const err = (await caught(() => contactsAdapter.listChanged(ctx(), { cursor: cursor({ from: T1, after: '9900', count: 9900, newest: T1 }), scope: {}, pageSize: 100 }))) as AppError;
    expect(err.code).toBe('provider_error');
    expect(err.message).toContain('More than 10,000 HubSpot contacts share lastmodifieddate');
  });

  it('a cursor this adapter did not write → sync_cursor_expired (a full pull)', async () => {
    const err = (await caught(() => contactsAdapter.listChanged(ctx(), { cursor: { since: T1, next: null }, scope: {}, pageSize: 100 }))) as AppError;
    expect(err.code).toBe('sync_cursor_expired');
  });

  it('a list scope keeps the members only (one Lists API call per page: search cannot filter by list)', async () => {
    nock(API).post('/crm/v3/objects/contacts/search').reply(200, searchPage([contact('501', T1), contact('502', T2)]), json);
    nock(API)
      .post('/crm/v3/lists/records/memberships/batch/read', { inputs: [{ objectTypeId: '0-1', recordId: '501' }, { objectTypeId: '0-1', recordId: '502' }] })
      .reply(200, memberships({ '501': ['12'], '502': ['77'] }), json);
    const page = await contactsAdapter.listChanged(ctx(), { cursor: null, scope: { list: '77' }, pageSize: 100 });
    expect(page.records.map((r) => r.id)).toEqual(['502']);
    // The cursor still moves past the non-members.
    expect(page.cursor).toMatchObject({ newest: T2, drained: true });
  });

  it('searches of one account are paced to HubSpot’s 5 per second', async () => {
    nock(API).post('/crm/v3/objects/contacts/search').times(3).reply(200, searchPage([]), json);
    const c = testContext({ provider: hubspot, credentials: creds, metadata: { accountId: 'pace-test' } });
    const started = Date.now();
    for (let i = 0; i < 3; i++) await contactsAdapter.listChanged(c, { cursor: null, scope: {}, pageSize: 100 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(2 * searchPacer.minIntervalMs - 10);
  });

  it('a search 429 → rate_limited with HubSpot’s Retry-After', async () => {
    nock(API)
      .post('/crm/v3/objects/contacts/search')
      .reply(429, { status: 'error', message: 'You have reached your secondly limit.', errorType: 'RATE_LIMIT', policyName: 'SECONDLY' }, { ...json, 'retry-after': '2', 'x-hubspot-ratelimit-secondly': '5', 'x-hubspot-ratelimit-secondly-remaining': '0' });
    const err = (await caught(() => contactsAdapter.listChanged(ctx(), { cursor: null, scope: {}, pageSize: 100 }))) as AppError;
    expect(err).toMatchObject({ code: 'rate_limited', retryAfterSeconds: 2 });
  });

  it('get: the mapped properties as a comma-separated list; 404 → null', async () => {
    nock(API).get('/crm/v3/objects/contacts/501').query({ properties: PROPS.join(',') }).reply(200, contact('501', T1), json);
    nock(API).get('/crm/v3/objects/contacts/999').query(true).reply(404, { status: 'error', message: 'Object not found.', category: 'OBJECT_NOT_FOUND' }, json);
    expect(await contactsAdapter.get(ctx(), '501', {})).toMatchObject({ id: '501', updatedAt: T1, fields: { email: 'ada501@example.com' } });
    expect(await contactsAdapter.get(ctx(), '999', {})).toBeNull();
  });

  it('create: writable properties as strings, empty ones left out, read-only ones never sent; a list scope adds the contact to the list', async () => {
    nock(API)
      .post('/crm/v3/objects/contacts', { properties: { firstname: 'Grace', lastname: 'Hopper', email: 'grace@navy.example', lifecyclestage: 'lead' }, associations: [] })
      .reply(201, contact('601', T1, { firstname: 'Grace', lastname: 'Hopper', email: 'grace@navy.example' }), json);
    nock(API).put('/crm/v3/lists/77/memberships/add', ['601']).reply(200, { recordIdsMissing: [], recordIdsRemoved: [], recordsIdsAdded: ['601'] }, json);
    const made = await contactsAdapter.create(ctx(), { firstname: 'Grace', lastname: 'Hopper', email: 'grace@navy.example', phone: null, createdate: T2, lifecyclestage: 'lead' }, { idempotencyKey: 'k-1', scope: { list: '77' } });
    expect(made).toMatchObject({ id: '601', fields: { firstname: 'Grace' } });
  });

  it('create answered 409 "Contact already exists": the contact with that email is written (idProperty=email) and returned', async () => {
    nock(API).post('/crm/v3/objects/contacts').reply(409, contactExists('651'), json);
    nock(API)
      .patch('/crm/v3/objects/contacts/grace%40navy.example', { properties: { firstname: 'Grace', email: 'grace@navy.example' } })
      .query({ idProperty: 'email' })
      .reply(200, contact('651', T2, { firstname: 'Grace', email: 'grace@navy.example' }), json);
    const c = ctx();
    const made = await contactsAdapter.create(c, { firstname: 'Grace', email: 'grace@navy.example' }, { idempotencyKey: 'k-2', scope: {} });
    expect(made).toMatchObject({ id: '651', updatedAt: T2 });
    expect(c.logs.join('\n')).toContain('linked to it');
  });

  it('update: PATCH with only the changed properties, null clearing one; delete archives, already gone included', async () => {
    nock(API).patch('/crm/v3/objects/contacts/501', { properties: { jobtitle: 'Countess', phone: '' } }).reply(200, { id: '501', properties: { jobtitle: 'Countess', phone: '', lastmodifieddate: T2, hs_object_id: '501' }, createdAt: T1, updatedAt: T2, archived: false }, json);
    const updated = await contactsAdapter.update(ctx(), '501', { jobtitle: 'Countess', phone: null }, {});
    // Only what the answer carries: a property it left out is not read as cleared.
    expect(updated).toEqual({ id: '501', updatedAt: T2, fields: { jobtitle: 'Countess', phone: null } });
    nock(API).delete('/crm/v3/objects/contacts/501').reply(204);
    nock(API).delete('/crm/v3/objects/contacts/502').reply(404, { status: 'error', message: 'Object not found.', category: 'OBJECT_NOT_FOUND' }, json);
    await contactsAdapter.delete(ctx(), '501', {});
    await contactsAdapter.delete(ctx(), '502', {});
  });
});
