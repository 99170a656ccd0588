import nock from 'nock';
import { describe, expect, it } from 'vitest';
import type { AppError } from '../../src/errors.ts';
import type { IpAddress } from '../../src/net/addresses.ts';
import { egressPolicy, EGRESS_REFUSED_TEXT, type EgressPolicy } from '../../src/net/egress.ts';
import { pipedrive } from '../../src/providers/pipedrive/index.ts';
import { refreshToken } from '../../src/providers/_shared/oauth.ts';
import { resolveProviderUrls } from '../../src/providers/_shared/urls.ts';
import type { Credentials } from '../../src/providers/types.ts';
import { captureLogger, caught, testContext } from './helpers.ts';

const ACCESS = 'v1:pipedrive-access-0123456789abcdef';
const REFRESH = '12345:678910:pipedrive-refresh-abcdef';
const CLIENT = { clientId: 'b4d083d9216986345b32', clientSecret: 'pipedrive-client-secret-0123456789' };
const creds = (api_domain: string): Credentials => ({ type: 'oauth2', accessToken: ACCESS, refreshToken: REFRESH, scopes: ['base', 'contacts:read', 'deals:read'], extra: { api_domain } });

// Offline DNS for the egress guard: the company hosts are public, the rebinding one is not.
const resolver: EgressPolicy['resolver'] = async (host) => {
  const table: Record<string, IpAddress[]> = {
    'acme.pipedrive.com': [{ address: '185.55.212.10', family: 4 }],
    'rebind.pipedrive.com': [{ address: '10.0.0.7', family: 4 }],
  };
  if (!table[host]) throw new Error(`ENOTFOUND ${host}`);
  return table[host];
};
const egress = egressPolicy({ NODE_ENV: 'test' }, { resolver });

// GET /api/v1/users/me — Pipedrive API v1 getCurrentUser (BaseUser + company_* fields), as the
// official client's generated models (pipedrive/client-nodejs) describe it.
const me = {
  success: true,
  data: {
    id: 123,
    name: 'Jane Doe',
    default_currency: 'EUR',
    locale: 'et_EE',
    lang: 1,
    email: 'jane@acme.example',
    phone: null,
    activated: true,
    last_login: '2026-11-21 08:45:56',
    created: '2024-11-13 09:16:26',
    modified: '2026-11-21 08:45:56',
    has_created_company: true,
    access: [{ app: 'sales', admin: true, permission_set_id: '62cc4d7f-4038-4352-abf3-a8c1c822b631' }],
    active_flag: true,
    timezone_name: 'Europe/Berlin',
    timezone_offset: '+01:00',
    role_id: 1,
    icon_url: null,
    is_you: true,
    company_id: 7654321,
    company_name: 'Acme Inc',
    company_domain: 'acme',
    company_country: 'EE',
    company_industry: 'IT',
    language: { language_code: 'en', country_code: 'US' },
  },
};

describe('pipedrive', () => {
  it("test: GET /api/v1/users/me on the connection's api_domain (not a fixed host), with the bearer token", async () => {
    const scope = nock('https://acme.pipedrive.com', { reqheaders: { authorization: `Bearer ${ACCESS}` } })
      .get('/api/v1/users/me')
      .reply(200, me, { 'content-type': 'application/json' });
    const ctx = testContext({ provider: pipedrive, credentials: creds('https://acme.pipedrive.com'), egress });
    expect(ctx.urls).toMatchObject({ apiBaseUrl: 'https://acme.pipedrive.com', userChosen: ['apiBaseUrl'] });
    const account = await pipedrive.connector.test(ctx);
    expect(account).toEqual({
      accountId: '123',
      accountName: 'Jane Doe (Acme Inc)',
      extra: { companyId: 7654321, companyName: 'Acme Inc', companyDomain: 'acme', apiDomain: 'https://acme.pipedrive.com' },
    });
    expect(scope.isDone()).toBe(true);
  });

  it('an api_domain off *.pipedrive.com is never used: the call goes to the generic host', async () => {
    nock('https://api.pipedrive.com').get('/api/v1/users/me').reply(200, me, { 'content-type': 'application/json' });
    const ctx = testContext({ provider: pipedrive, credentials: creds('https://pipedrive.com.evil.example'), egress });
    expect(ctx.urls.apiBaseUrl).toBe('https://api.pipedrive.com');
    expect((await pipedrive.connector.test(ctx)).accountId).toBe('123');
  });

  it('an api_domain that resolves to an internal address is refused by the egress guard before any request', async () => {
    const ctx = testContext({ provider: pipedrive, credentials: creds('https://rebind.pipedrive.com'), egress });
    const err = (await caught(() => pipedrive.connector.test(ctx))) as AppError;
    expect(err.code).toBe('provider_error');
    expect(err.message).toBe(`Could not reach Pipedrive: ${EGRESS_REFUSED_TEXT}.`);
    expect(ctx.logs.join('\n')).not.toContain(ACCESS);
  });

  it('401 → provider_auth_failed without the token; no id → provider_error', async () => {
    nock('https://acme.pipedrive.com')
      .get('/api/v1/users/me')
      .reply(401, { success: false, error: 'unauthorized access', errorCode: 401 }, { 'content-type': 'application/json' })
      .get('/api/v1/users/me')
      .reply(200, { success: true, data: { name: 'Nobody' } }, { 'content-type': 'application/json' });
    const ctx = testContext({ provider: pipedrive, credentials: creds('https://acme.pipedrive.com'), egress });
    const err = (await caught(() => pipedrive.connector.test(ctx))) as AppError;
    expect(err.code).toBe('provider_auth_failed');
    expect(err.message).not.toContain(ACCESS);
    expect(((await caught(() => pipedrive.connector.test(ctx))) as AppError).code).toBe('provider_error');
  });

  it('revoke: POST oauth.pipedrive.com/oauth/revoke with the refresh token and the app as HTTP Basic', async () => {
    const scope = nock('https://oauth.pipedrive.com', { reqheaders: { authorization: `Basic ${Buffer.from(`${CLIENT.clientId}:${CLIENT.clientSecret}`).toString('base64')}` } })
      .post('/oauth/revoke', { token: REFRESH, token_type_hint: 'refresh_token' })
      .reply(200);
    await pipedrive.connector.revoke!(testContext({ provider: pipedrive, credentials: creds('https://acme.pipedrive.com'), egress, oauthClient: CLIENT }));
    expect(scope.isDone()).toBe(true);
  });

  it('refresh: Basic client auth, and the api_domain of the new token response is kept', async () => {
    nock('https://oauth.pipedrive.com')
      .post('/oauth/token', { grant_type: 'refresh_token', refresh_token: REFRESH })
      .basicAuth({ user: CLIENT.clientId, pass: CLIENT.clientSecret })
      .reply(200, { access_token: 'v1:new-access', token_type: 'Bearer', refresh_token: REFRESH, scope: 'base contacts:read deals:read', expires_in: 3599, api_domain: 'https://acme.pipedrive.com' }, { 'content-type': 'application/json' });
    const current = creds('https://acme.pipedrive.com') as Extract<Credentials, { type: 'oauth2' }>;
    const next = await refreshToken(pipedrive, resolveProviderUrls(pipedrive, { raw: {} }), CLIENT, current, { logger: captureLogger().logger });
    expect(next).toMatchObject({ accessToken: 'v1:new-access', refreshToken: REFRESH, extra: { api_domain: 'https://acme.pipedrive.com' } });
  });
});

describe('pipedrive webhooks (v2, HTTP Basic)', () => {
  const scheme = pipedrive.webhooks!.scheme;
  const SECRET = 'patchbay:Vq3x9TzL7mK2pR8sW4yN';
  const body = (meta: Record<string, unknown>) =>
    Buffer.from(JSON.stringify({ data: { id: 42, name: 'Ada' }, previous: null, meta: { action: 'change', entity: 'person', entity_id: '42', id: 'b1a2c3d4-0000-4000-8000-00000000abcd', version: '2.0', attempt: 1, ...meta } }));
  const req = (authorization: string | undefined, raw = body({})) => ({ method: 'POST', url: 'https://patchbay.example.test/webhooks/pipedrive/c', headers: { authorization }, rawBody: raw, receivedAt: new Date() });
  const basic = (pair: string) => `Basic ${Buffer.from(pair).toString('base64')}`;

  it('accepts the stored user:password and nothing else', () => {
    expect(scheme.verify(req(basic(SECRET)), SECRET)).toBe(true);
    expect(scheme.verify(req(basic('patchbay:Vq3x9TzL7mK2pR8sW4yM')), SECRET)).toBe(false);
    expect(scheme.verify(req(basic('other:Vq3x9TzL7mK2pR8sW4yN')), SECRET)).toBe(false);
    expect(scheme.verify(req(`Bearer ${SECRET}`), SECRET)).toBe(false);
    expect(scheme.verify(req(undefined), SECRET)).toBe(false);
  });

  it('keys each event by meta.id (unchanged across retries), persons as contacts and deals as deals', () => {
    const first = scheme.parse(req(basic(SECRET)));
    const retry = scheme.parse(req(basic(SECRET), body({ attempt: 2 })));
    expect(first).toEqual([{ deliveryId: 'b1a2c3d4-0000-4000-8000-00000000abcd', type: 'change.person', object: 'contacts', remoteId: '42' }]);
    expect(retry[0]!.deliveryId).toBe(first[0]!.deliveryId);
    expect(scheme.parse(req(basic(SECRET), body({ entity: 'deal', action: 'create', id: 'e2' })))).toEqual([{ deliveryId: 'e2', type: 'create.deal', object: 'deals', remoteId: '42' }]);
    expect(scheme.parse(req(basic(SECRET), body({ entity: 'activity', id: 'e3' })))).toEqual([{ deliveryId: 'e3', type: 'change.activity', object: null }]);
  });

  it('a v1 body (whose meta.id is the object, not the event) is refused as malformed', () => {
    expect(() => scheme.parse(req(basic(SECRET), body({ version: undefined, v: 1 })))).toThrow();
  });
});
