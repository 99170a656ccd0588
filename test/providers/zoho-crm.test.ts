import nock from 'nock';
import { describe, expect, it } from 'vitest';
import type { AppError } from '../../src/errors.ts';
import type { IpAddress } from '../../src/net/addresses.ts';
import { egressPolicy, EGRESS_REFUSED_TEXT, type EgressPolicy } from '../../src/net/egress.ts';
import { refreshToken } from '../../src/providers/_shared/oauth.ts';
import { callbackOverrides, permittedOverrides } from '../../src/providers/_shared/url-overrides.ts';
import { connectionUrls } from '../../src/providers/_shared/urls.ts';
import { zohoCrm } from '../../src/providers/zoho-crm/index.ts';
import { currentUser } from './fixtures/zoho-crm.ts';
import { captureLogger, caught, testContext } from './helpers.ts';

const ACCESS = '1000.9f8e7d6c5b4a39281706a5b4c3d2e1f0.0a1b2c3d4e5f60718293a4b5c6d7e8f9';
const REFRESH = '1000.refresh5b4a39281706a5b4c3d2e1f0.0a1b2c3d4e5f60718293a4b5c6d7e8f9';
const CLIENT = { clientId: '1000.ZOHOCLIENT0123456789ABCDEFGH', clientSecret: 'zoho-client-secret-0123456789abcdef' };
const PUBLIC: IpAddress = { address: '93.184.216.34', family: 4 };
const resolver: EgressPolicy['resolver'] = async (host) => {
  const table: Record<string, IpAddress[]> = { 'www.zohoapis.eu': [PUBLIC], 'accounts.zoho.eu': [PUBLIC], 'www.zohoapis.jp': [{ address: '10.0.0.7', family: 4 }] };
  if (!table[host]) throw new Error(`ENOTFOUND ${host}`);
  return table[host];
};
const egress = egressPolicy({ NODE_ENV: 'development' }, { resolver });

/** A connection made in the EU data center: api_domain in the credentials, the accounts server as its URL overrides. */
const eu = { type: 'oauth2' as const, accessToken: ACCESS, refreshToken: REFRESH, scopes: ['ZohoCRM.users.READ'], extra: { api_domain: 'https://www.zohoapis.eu' } };
const euOverrides = permittedOverrides(zohoCrm.definition, 'oauth2', callbackOverrides(zohoCrm.definition.urlsFromCallback, { location: 'eu', 'accounts-server': 'https://accounts.zoho.eu' }));

describe('zoho-crm', () => {
  it('the callback’s accounts-server becomes the connection’s token and revoke URLs, on declared hosts only', () => {
    expect(euOverrides).toEqual({ tokenUrl: 'https://accounts.zoho.eu/oauth/v2/token', revokeUrl: 'https://accounts.zoho.eu/oauth/v2/token/revoke' });
    for (const bad of ['https://accounts.zoho.eu.evil.example', 'http://accounts.zoho.eu', 'https://169.254.169.254', 'https://accounts.zoho.eu/x?y=1']) {
      expect(permittedOverrides(zohoCrm.definition, 'oauth2', callbackOverrides(zohoCrm.definition.urlsFromCallback, { 'accounts-server': bad })), bad).toEqual({});
    }
    const urls = connectionUrls(zohoCrm, { raw: {} }, 'oauth2', euOverrides, eu);
    expect(urls).toMatchObject({ apiBaseUrl: 'https://www.zohoapis.eu', tokenUrl: 'https://accounts.zoho.eu/oauth/v2/token', userChosen: ['apiBaseUrl', 'tokenUrl', 'revokeUrl'] });
    // An api_domain off the declared hosts is ignored: the default data center, never the named host.
    expect(connectionUrls(zohoCrm, { raw: {} }, 'oauth2', {}, { ...eu, extra: { api_domain: 'https://www.zohoapis.eu.evil.example' } }).apiBaseUrl).toBe('https://www.zohoapis.com');
  });

  it('test: GET {api_domain}/crm/v8/users?type=CurrentUser on the stored EU host, through the egress guard, Zoho-oauthtoken auth', async () => {
    nock('https://www.zohoapis.eu', { reqheaders: { authorization: `Zoho-oauthtoken ${ACCESS}` } })
      .get('/crm/v8/users')
      .query({ type: 'CurrentUser' })
      .reply(200, currentUser, { 'content-type': 'application/json' });
    const c = testContext({ provider: zohoCrm, credentials: eu, overrides: euOverrides, egress });
    expect(await zohoCrm.connector.test(c)).toEqual({
      accountId: '4150868000000225013',
      accountName: 'Patricia Boyle',
      extra: { apiDomain: 'https://www.zohoapis.eu', accountsServer: 'https://accounts.zoho.eu', email: 'pboyle123@zylkr.com' },
    });
    expect(c.logs.join('')).not.toContain(ACCESS);
  });

  it('a stored api_domain that resolves inward is refused before any request', async () => {
    const c = testContext({ provider: zohoCrm, credentials: { ...eu, extra: { api_domain: 'https://www.zohoapis.jp' } }, egress });
    const err = (await caught(() => zohoCrm.connector.test(c))) as AppError;
    expect(err.message).toBe(`Could not reach Zoho CRM: ${EGRESS_REFUSED_TEXT}.`);
  });

  it('refresh goes to the stored accounts server; the answer keeps api_domain', async () => {
    nock('https://accounts.zoho.eu')
      .post('/oauth/v2/token', { grant_type: 'refresh_token', refresh_token: REFRESH, client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret })
      .reply(200, { access_token: '1000.new-access-token-0000', api_domain: 'https://www.zohoapis.eu', token_type: 'Bearer', expires_in: 3600 }, { 'content-type': 'application/json' });
    const urls = connectionUrls(zohoCrm, { raw: {} }, 'oauth2', euOverrides, eu);
    const next = await refreshToken(zohoCrm, urls, CLIENT, eu, { logger: captureLogger().logger, egress });
    expect(next).toMatchObject({ accessToken: '1000.new-access-token-0000', refreshToken: REFRESH, extra: { api_domain: 'https://www.zohoapis.eu' } });
  });

  it('revoke: POST {accounts-server}/oauth/v2/token/revoke?token=<refresh token>, no Authorization header', async () => {
    const scope = nock('https://accounts.zoho.eu', { badheaders: ['authorization'] }).post('/oauth/v2/token/revoke').query({ token: REFRESH }).reply(200, { status: 'success' }, { 'content-type': 'application/json' });
    const c = testContext({ provider: zohoCrm, credentials: eu, overrides: euOverrides, egress });
    await zohoCrm.connector.revoke!(c);
    scope.done();
    expect(c.logs.join('')).not.toContain(REFRESH);
  });

  it('test: 401 INVALID_TOKEN → provider_auth_failed; 429 → rate_limited; no user → provider_error', async () => {
    const API = 'https://www.zohoapis.com';
    const us = { type: 'oauth2' as const, accessToken: ACCESS, scopes: [], extra: { api_domain: API } };
    nock(API).get('/crm/v8/users').query(true).reply(401, { code: 'INVALID_TOKEN', details: {}, message: 'invalid oauth token', status: 'error' }, { 'content-type': 'application/json' });
    expect(((await caught(() => zohoCrm.connector.test(testContext({ provider: zohoCrm, credentials: us })))) as AppError).code).toBe('provider_auth_failed');
    nock(API).get('/crm/v8/users').query(true).reply(429, { code: 'TOO_MANY_REQUESTS', message: 'too many requests', status: 'error' }, { 'content-type': 'application/json', 'retry-after': '30' });
    expect(await caught(() => zohoCrm.connector.test(testContext({ provider: zohoCrm, credentials: us })))).toMatchObject({ code: 'rate_limited', retryAfterSeconds: 30 });
    nock(API).get('/crm/v8/users').query(true).reply(200, { users: [] }, { 'content-type': 'application/json' });
    expect(((await caught(() => zohoCrm.connector.test(testContext({ provider: zohoCrm, credentials: us })))) as AppError).code).toBe('provider_error');
  });

  it('asks for the minimal scopes, comma-separated, with offline access', () => {
    expect(zohoCrm.definition.auth.oauth2).toMatchObject({ defaultScopes: ['ZohoCRM.users.READ'], scopeSeparator: ',', authorizeParams: { access_type: 'offline', prompt: 'consent' } });
  });
});
