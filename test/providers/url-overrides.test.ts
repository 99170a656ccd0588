import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { parseAllowPrivate, type AllowPrivate, type IpAddress } from '../../src/net/addresses.ts';
import { egressPolicy, EGRESS_REFUSED_TEXT, type EgressPolicy } from '../../src/net/egress.ts';
import { defineProvider } from '../../src/providers/_shared/define.ts';
import { exchangeCode, refreshToken, revokeToken } from '../../src/providers/_shared/oauth.ts';
import { overrideProblems, permittedOverrides } from '../../src/providers/_shared/url-overrides.ts';
import { connectionUrls, resolveProviderUrls } from '../../src/providers/_shared/urls.ts';
import { getProvider } from '../../src/providers/registry.ts';
import type { Credentials, ProviderDefinition } from '../../src/providers/types.ts';
import { captureLogger, caught, testContext } from './helpers.ts';

const PUBLIC: IpAddress = { address: '93.184.216.34', family: 4 };
const resolver: EgressPolicy['resolver'] = async (host) => {
  const table: Record<string, IpAddress[]> = {
    'git.example.com': [PUBLIC],
    'api.dublin.ie1.twilio.com': [PUBLIC],
    'rebind.example.com': [{ address: '127.0.0.1', family: 4 }],
    'metadata.example.com': [{ address: '169.254.169.254', family: 4 }],
  };
  if (!table[host]) throw new Error(`ENOTFOUND ${host}`);
  return table[host];
};
const egress = (allow?: string) =>
  egressPolicy({ NODE_ENV: 'development', ...(allow ? { EGRESS_ALLOW_PRIVATE: parseAllowPrivate(allow) as AllowPrivate } : {}) }, { resolver });

/** A self-managed product: API key connections may point anywhere public; OAuth grants may not override. */
const selfManaged = defineProvider(
  {
    slug: 'selfhosted',
    displayName: 'Selfhosted',
    category: 'developer',
    docsUrl: 'https://selfhosted.example/docs',
    auth: {
      oauth2: {
        authorizeUrl: 'https://selfhosted.example/oauth/authorize',
        tokenUrl: 'https://selfhosted.example/oauth/token',
        revokeUrl: 'https://selfhosted.example/oauth/revoke',
        pkce: false,
        clientAuth: 'body',
        scopeSeparator: ' ',
        defaultScopes: [],
        refresh: 'static',
      },
      credentials: { kind: 'api_key', fields: [{ name: 'token', label: 'Token', secret: true }], instructions: 'x' },
    },
    apiBaseUrl: 'https://selfhosted.example/api',
    urlOverrides: { fields: ['apiBaseUrl', 'tokenUrl', 'revokeUrl'], hosts: ['*'], schemes: ['https', 'http'], authKinds: ['api_key'] },
    rateLimit: { signals: [] },
    objects: [],
  } satisfies ProviderDefinition,
  {
    async test(ctx) {
      const res = await ctx.http.request<{ id: string }>({ url: '/me' });
      return { accountId: res.body.id, accountName: res.body.id };
    },
  },
);

const apiKey: Credentials = { type: 'api_key', fields: { token: 'pat-secret-123456' } };
const oauth: Credentials = { type: 'oauth2', accessToken: 'at-secret-123456', refreshToken: 'rt-secret-123456', scopes: [] };

describe('override declarations', () => {
  it('a provider without a declaration accepts none (Linear: the token-capture override)', () => {
    expect(overrideProblems(getProvider('linear').definition, 'api_key', { apiBaseUrl: 'https://evil.example/x' })).toEqual([
      { field: 'apiBaseUrl', message: 'Linear does not accept URL overrides' },
    ]);
  });

  it('Twilio accepts a regional https host and nothing else', () => {
    const twilio = getProvider('twilio').definition;
    expect(overrideProblems(twilio, 'basic', { apiBaseUrl: 'https://api.dublin.ie1.twilio.com' })).toEqual([]);
    const why = (url: string) => overrideProblems(twilio, 'basic', { apiBaseUrl: url })[0]?.message;
    expect(why('http://api.dublin.ie1.twilio.com')).toBe('must use https');
    expect(why('https://twilio.com.evil.example')).toBe('must be on *.twilio.com');
    expect(why('https://api.dublin.ie1.twilio.com/x?y=')).toBe('must not have a query or fragment');
    expect(why('https://api.dublin.ie1.twilio.com/#')).toBe('must not have a query or fragment');
    expect(why('https://u:p@api.twilio.com')).toBe('must not contain credentials');
    expect(overrideProblems(twilio, 'basic', { tokenUrl: 'https://api.twilio.com/t' })[0]?.message).toMatch(/accepts overrides of apiBaseUrl only/);
  });

  it('refuses internal literal hosts in every form unless EGRESS_ALLOW_PRIVATE admits them', () => {
    const def = selfManaged.definition;
    for (const host of ['127.0.0.1', 'localhost', '2130706433', '0x7f000001', '127.1', '0.0.0.0', '10.0.0.1', '169.254.169.254', '[::1]', '[fd00::1]']) {
      expect(overrideProblems(def, 'api_key', { apiBaseUrl: `http://${host}:8080` }), host).toEqual([
        { field: 'apiBaseUrl', message: 'must be a public host (loopback, private, link-local and metadata addresses are refused)' },
      ]);
    }
    expect(overrideProblems(def, 'api_key', { apiBaseUrl: 'http://10.0.0.1:8080' }, parseAllowPrivate('10.0.0.0/8') as AllowPrivate)).toEqual([]);
  });

  it('drops stored overrides the definition does not accept for the auth kind', () => {
    expect(permittedOverrides(selfManaged.definition, 'oauth2', { apiBaseUrl: 'https://git.example.com' })).toEqual({});
    expect(permittedOverrides(selfManaged.definition, 'api_key', { apiBaseUrl: 'https://git.example.com ' })).toEqual({ apiBaseUrl: 'https://git.example.com' });
    const linear = getProvider('linear');
    expect(connectionUrls(linear, { raw: {} }, 'oauth2', { apiBaseUrl: 'https://evil.example' }).apiBaseUrl).toBe('https://api.linear.app');
  });

  it('derives the API base URL from the token response only on the declared hosts', () => {
    const sf = defineProvider(
      { ...selfManaged.definition, slug: 'instance', urlOverrides: undefined, apiBaseUrlFromToken: { field: 'instance_url', hosts: ['*.my.salesforce.com'], path: '/services' } } as ProviderDefinition,
      selfManaged.connector,
    );
    const withInstance = (instance_url: string): Credentials => ({ ...oauth, type: 'oauth2', extra: { instance_url } } as Credentials);
    const good = connectionUrls(sf, { raw: {} }, 'oauth2', undefined, withInstance('https://acme.my.salesforce.com'));
    expect(good).toMatchObject({ apiBaseUrl: 'https://acme.my.salesforce.com/services', userChosen: ['apiBaseUrl'] });
    expect(connectionUrls(sf, { raw: {} }, 'oauth2', undefined, withInstance('http://169.254.169.254')).apiBaseUrl).toBe('https://selfhosted.example/api');
  });
});

describe('provider calls under an override', () => {
  it('a host that resolves inward is refused before any request, with one text, and no credentials leave', async () => {
    const texts = new Set<string>();
    for (const apiBaseUrl of ['https://rebind.example.com/api', 'https://metadata.example.com', 'https://nxdomain.example.com']) {
      const ctx = testContext({ provider: selfManaged, credentials: apiKey, overrides: { apiBaseUrl }, egress: egress() });
      const err = (await caught(() => selfManaged.connector.test(ctx))) as Error & { code: string };
      expect(err.code).toBe('provider_error');
      texts.add(err.message);
      expect(ctx.logs.join('\n')).not.toContain('pat-secret-123456');
    }
    expect([...texts]).toEqual([`Could not reach Selfhosted: ${EGRESS_REFUSED_TEXT}.`]);
  });

  it('an absolute URL a connector is handed (outside the trusted origins) is guarded too', async () => {
    const ctx = testContext({ provider: selfManaged, credentials: apiKey, egress: egress() });
    const err = (await caught(() => ctx.http.request({ url: 'http://169.254.169.254/latest/meta-data/' }))) as Error;
    expect(err.message).toBe(`Could not reach Selfhosted: ${EGRESS_REFUSED_TEXT}.`);
  });

  it('reaches a public override, and quotes nothing of what it answered', async () => {
    nock('https://git.example.com').get('/api/me').reply(200, { id: 'u1' }).get('/api/me').reply(500, { message: 'internal secret page' });
    const ctx = testContext({ provider: selfManaged, credentials: apiKey, overrides: { apiBaseUrl: 'https://git.example.com/api' }, egress: egress(), retry: { maxRetries: 0 } });
    expect(await selfManaged.connector.test(ctx)).toEqual({ accountId: 'u1', accountName: 'u1' });
    const err = (await caught(() => selfManaged.connector.test(ctx))) as Error;
    expect(err.message).toBe('Selfhosted answered HTTP 500 to GET /api/me');
  });

  it('the operator\'s PROVIDER_<SLUG>_BASE_URL stays trusted configuration (a local fake on 127.0.0.1)', () => {
    const urls = resolveProviderUrls(selfManaged, { raw: { PROVIDER_SELFHOSTED_BASE_URL: 'http://127.0.0.1:9' } });
    expect(urls.userChosen).toBeUndefined();
  });
});

describe('token endpoints a connection chose', () => {
  const client = { clientId: 'cid', clientSecret: 'csecret-123456' };
  const opts = { logger: captureLogger().logger, egress: egress() };
  const internal = (key: 'tokenUrl' | 'revokeUrl') => ({
    ...resolveProviderUrls(selfManaged, { raw: {} }, { [key]: 'https://rebind.example.com/token' }),
  });

  it('exchange, refresh and revoke refuse an internal token or revoke URL with the same text', async () => {
    const errs = [
      await caught(() => exchangeCode(selfManaged, internal('tokenUrl'), client, { code: 'c', redirectUri: 'r' }, opts)),
      await caught(() => refreshToken(selfManaged, internal('tokenUrl'), client, oauth as Extract<Credentials, { type: 'oauth2' }>, opts)),
      await caught(() => revokeToken(selfManaged, internal('revokeUrl'), client, { token: 'rt-secret-123456' }, opts)),
    ] as Error[];
    expect(new Set(errs.map((e) => e.message))).toEqual(new Set([`Could not reach Selfhosted: ${EGRESS_REFUSED_TEXT}.`]));
  });

  it('a chosen token URL that answers an error is not quoted back', async () => {
    nock('https://git.example.com').post('/token').reply(400, { error: 'invalid_request', error_description: 'redis: -ERR unknown command' });
    const urls = resolveProviderUrls(selfManaged, { raw: {} }, { tokenUrl: 'https://git.example.com/token' });
    const err = (await caught(() => exchangeCode(selfManaged, urls, client, { code: 'c', redirectUri: 'r' }, opts))) as Error;
    expect(err.message).toBe('Selfhosted token endpoint answered HTTP 400');
  });
});
