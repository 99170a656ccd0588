import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.ts';
import { defineProvider } from '../../src/providers/_shared/define.ts';
import {
  buildAuthorizeUrl,
  createPkcePair,
  exchangeCode,
  oauthRedirectUri,
  pkceChallenge,
  refreshToken,
  requestedScopes,
  revokeToken,
} from '../../src/providers/_shared/oauth.ts';
import { resolveProviderUrls } from '../../src/providers/_shared/urls.ts';
import { connectorContext } from '../../src/providers/context.ts';
import type { ProviderDefinition } from '../../src/providers/types.ts';
import { captureLogger, caught } from './helpers.ts';

const AUTH = 'https://auth.example.test';
const client = { clientId: 'client-123', clientSecret: 'client-secret-xyz-987' };

function makeProvider(over: Partial<NonNullable<ProviderDefinition['auth']['oauth2']>> = {}, slug = 'example') {
  return defineProvider(
    {
      slug,
      displayName: 'Example',
      category: 'other',
      docsUrl: 'https://example.test/docs',
      auth: {
        oauth2: {
          authorizeUrl: `${AUTH}/authorize`,
          tokenUrl: `${AUTH}/token`,
          revokeUrl: `${AUTH}/revoke`,
          pkce: true,
          clientAuth: 'body',
          scopeSeparator: ' ',
          defaultScopes: ['openid', 'offline_access'],
          authorizeParams: { prompt: 'consent', response_type: 'token' },
          refresh: 'rotating',
          ...over,
        },
      },
      apiBaseUrl: 'https://api.example.test',
      rateLimit: { signals: [] },
      objects: [
        { name: 'tasks', direction: 'both', scopes: ['tasks:write'] },
        { name: 'contacts', direction: 'in', scopes: ['contacts:read', 'openid'] },
      ],
    },
    {
      test: async (ctx) => {
        const res = await ctx.http.request<{ id: string; name: string }>({ url: '/api/me' });
        return { accountId: res.body.id, accountName: res.body.name };
      },
    },
  );
}

const provider = makeProvider();
const urls = resolveProviderUrls(provider, { raw: {} });
const logger = captureLogger().logger;
const now = Date.parse('2026-03-01T12:00:00Z');
const opts = { logger, now: () => now };

describe('PKCE and the authorize URL', () => {
  it('derives the RFC 7636 S256 challenge (appendix B vector)', () => {
    expect(pkceChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
    const pair = createPkcePair();
    expect(pair.codeVerifier).toMatch(/^[A-Za-z0-9_-]{43,128}$/);
    expect(pair.codeChallenge).toBe(pkceChallenge(pair.codeVerifier));
  });

  it('requests default scopes plus the objects’ scopes, de-duplicated', () => {
    expect(requestedScopes(provider.definition)).toEqual(['openid', 'offline_access', 'tasks:write', 'contacts:read']);
    expect(requestedScopes(provider.definition, ['tasks'])).toEqual(['openid', 'offline_access', 'tasks:write']);
  });

  it('builds the URL with protocol params winning over definition extras', () => {
    const u = new URL(
      buildAuthorizeUrl(provider, urls, client, { state: 's1', redirectUri: 'https://pb.example/oauth/callback', scopes: ['a', 'b'], codeChallenge: 'ch' }),
    );
    expect(u.origin + u.pathname).toBe(`${AUTH}/authorize`);
    expect(Object.fromEntries(u.searchParams)).toEqual({
      prompt: 'consent',
      response_type: 'code',
      client_id: 'client-123',
      redirect_uri: 'https://pb.example/oauth/callback',
      state: 's1',
      scope: 'a b',
      code_challenge: 'ch',
      code_challenge_method: 'S256',
    });
    const comma = makeProvider({ scopeSeparator: ',', pkce: false });
    const v = new URL(buildAuthorizeUrl(comma, urls, client, { state: 's', redirectUri: 'r', scopes: ['read', 'write'] }));
    expect(v.searchParams.get('scope')).toBe('read,write');
    expect(v.searchParams.has('code_challenge')).toBe(false);
    expect(oauthRedirectUri({ PUBLIC_URL: 'https://pb.example/' })).toBe('https://pb.example/oauth/callback');
  });
});

describe('token endpoint (nock)', () => {
  it('a huge expires_in is treated as no expiry instead of throwing a RangeError', async () => {
    nock(AUTH).post('/token').reply(200, { access_token: 'at-big', expires_in: 1e300 }, { 'content-type': 'application/json' });
    const creds = await exchangeCode(provider, urls, client, { code: 'c', redirectUri: 'https://pb.example/oauth/callback', codeVerifier: 'v' }, opts);
    expect(creds.accessToken).toBe('at-big');
    expect(creds.expiresAt).toBeUndefined();
  });

  it('a token response of another shape names the field, not "without an access token" (and never the token)', async () => {
    nock(AUTH).post('/token').reply(200, { access_token: 'at-secret-value', expires_in: 'soon' }, { 'content-type': 'application/json' });
    const err = (await caught(() => exchangeCode(provider, urls, client, { code: 'c', redirectUri: 'https://pb.example/oauth/callback', codeVerifier: 'v' }, opts))) as AppError;
    expect(err.code).toBe('provider_error');
    expect(err.message).toMatch(/^Example token endpoint answered with a token response of an unexpected shape \(expires_in: /);
    expect(err.message).not.toContain('at-secret-value');
    nock(AUTH).post('/token').reply(200, { token_type: 'bearer' }, { 'content-type': 'application/json' });
    const missing = (await caught(() => exchangeCode(provider, urls, client, { code: 'c', redirectUri: 'https://pb.example/oauth/callback', codeVerifier: 'v' }, opts))) as AppError;
    expect(missing.message).toBe('Example token endpoint answered without an access token');
  });

  it('exchanges a code with client auth in the body and PKCE verifier', async () => {
    nock(AUTH, { reqheaders: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, badheaders: ['authorization'] })
      .post('/token', {
        grant_type: 'authorization_code',
        code: 'code-abc',
        redirect_uri: 'https://pb.example/oauth/callback',
        code_verifier: 'verifier-123456',
        client_id: client.clientId,
        client_secret: client.clientSecret,
      })
      .reply(
        200,
        { access_token: 'at-1', refresh_token: 'rt-1', expires_in: 3600, token_type: 'Bearer', scope: 'openid tasks:write', instance_url: 'https://x' },
        { 'content-type': 'application/json' },
      );
    const creds = await exchangeCode(provider, urls, client, { code: 'code-abc', redirectUri: 'https://pb.example/oauth/callback', codeVerifier: 'verifier-123456' }, opts);
    expect(creds).toEqual({
      type: 'oauth2',
      accessToken: 'at-1',
      refreshToken: 'rt-1',
      expiresAt: '2026-03-01T13:00:00.000Z',
      tokenType: 'Bearer',
      scopes: ['openid', 'tasks:write'],
      extra: { instance_url: 'https://x' },
    });
  });

  it('uses Basic client auth when declared, and records requested scopes when none are returned', async () => {
    const basic = makeProvider({ clientAuth: 'basic', pkce: false });
    const header = `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`;
    nock(AUTH, { reqheaders: { authorization: header } })
      .post('/token', (b) => b.client_secret === undefined && b.code === 'c' && b.code_verifier === undefined)
      .reply(200, 'access_token=at-2&token_type=bearer&scope=read%2Cwrite', { 'content-type': 'application/x-www-form-urlencoded' });
    const creds = await exchangeCode(basic, urls, client, { code: 'c', redirectUri: 'r', requestedScopes: ['x'] }, opts);
    expect(creds).toMatchObject({ accessToken: 'at-2', scopes: ['read', 'write'] });
    expect(creds.expiresAt).toBeUndefined();
  });

  it('takes granted scopes from a `scopes` array when there is no `scope` (HubSpot)', async () => {
    nock(AUTH).post('/token').reply(200, { token_type: 'bearer', access_token: 'a', refresh_token: 'r', expires_in: 1800, hub_id: 62515, scopes: ['oauth', 'crm.objects.contacts.read'] }, { 'content-type': 'application/json' });
    const creds = await exchangeCode(provider, urls, client, { code: 'c', redirectUri: 'r', codeVerifier: 'v', requestedScopes: ['x'] }, opts);
    expect(creds.scopes).toEqual(['oauth', 'crm.objects.contacts.read']);
    expect(creds.extra).toMatchObject({ hub_id: 62515 });
  });

  it('refresh: rotating token replaces the refresh token; static keeps the old one and scopes', async () => {
    nock(AUTH)
      .post('/token', { grant_type: 'refresh_token', refresh_token: 'rt-1', client_id: client.clientId, client_secret: client.clientSecret })
      .reply(200, { access_token: 'at-2', refresh_token: 'rt-2', expires_in: 1800 }, { 'content-type': 'application/json' });
    const old = { type: 'oauth2' as const, accessToken: 'at-1', refreshToken: 'rt-1', scopes: ['a'], extra: { cloud: 1 } };
    const rotated = await refreshToken(provider, urls, client, old, opts);
    expect(rotated).toMatchObject({ accessToken: 'at-2', refreshToken: 'rt-2', scopes: ['a'], extra: { cloud: 1 }, expiresAt: '2026-03-01T12:30:00.000Z' });

    nock(AUTH).post('/token').reply(200, { access_token: 'at-3', expires_in: 60 }, { 'content-type': 'application/json' });
    const kept = await refreshToken(provider, urls, client, rotated, opts);
    expect(kept.refreshToken).toBe('rt-2');
  });

  it('invalid_grant → provider_auth_failed with details.oauthError, nothing secret in the message', async () => {
    nock(AUTH)
      .post('/token')
      .reply(400, { error: 'invalid_grant', error_description: 'refresh token rt-secret-1 revoked' }, { 'content-type': 'application/json' });
    const err = (await caught(() =>
      refreshToken(provider, urls, client, { type: 'oauth2', accessToken: 'at', refreshToken: 'rt-secret-1', scopes: [] }, opts),
    )) as AppError;
    expect(err).toBeInstanceOf(AppError);
    expect(err.code).toBe('provider_auth_failed');
    expect(err.details).toMatchObject({ oauthError: 'invalid_grant' });
    expect(err.message).not.toContain('rt-secret-1');
    expect(err.message).toContain('Reconnect Example');
  });

  it('GitHub-style 200 with `error` is an error too; invalid_client names the variables', async () => {
    nock(AUTH).post('/token').reply(200, { error: 'bad_verification_code', error_description: 'The code passed is incorrect or expired.' }, { 'content-type': 'application/json' });
    const e1 = (await caught(() => exchangeCode(provider, urls, client, { code: 'c', redirectUri: 'r', codeVerifier: 'v' }, opts))) as AppError;
    expect(e1.details).toMatchObject({ oauthError: 'invalid_grant', providerError: 'bad_verification_code' });

    nock(AUTH).post('/token').reply(401, { error: 'invalid_client' }, { 'content-type': 'application/json' });
    const e2 = (await caught(() => exchangeCode(provider, urls, client, { code: 'c', redirectUri: 'r', codeVerifier: 'v' }, opts))) as AppError;
    expect(e2.code).toBe('provider_not_configured');
    expect(e2.message).toContain('PROVIDER_EXAMPLE_CLIENT_ID');
    expect(e2.message).not.toContain(client.clientSecret);
  });

  it('a token endpoint 5xx is provider_error and is not retried', async () => {
    nock(AUTH).post('/token').reply(503, 'down');
    const err = (await caught(() => exchangeCode(provider, urls, client, { code: 'c', redirectUri: 'r', codeVerifier: 'v' }, opts))) as AppError;
    expect(err.code).toBe('provider_error');
  });

  it('revoke: RFC 7009 form with client auth; an already invalid token is fine', async () => {
    nock(AUTH)
      .post('/revoke', { token: 'rt-9', token_type_hint: 'refresh_token', client_id: client.clientId, client_secret: client.clientSecret })
      .reply(200);
    await revokeToken(provider, urls, client, { token: 'rt-9', tokenTypeHint: 'refresh_token' }, opts);
    nock(AUTH).post('/revoke').reply(400, { error: 'invalid_token' }, { 'content-type': 'application/json' });
    await revokeToken(provider, urls, client, { token: 'rt-9' }, opts);
    nock(AUTH).post('/revoke').reply(400, { error: 'unsupported_token_type' }, { 'content-type': 'application/json' });
    expect(((await caught(() => revokeToken(provider, urls, client, { token: 'rt-9' }, opts))) as AppError).code).toBe('provider_error');
  });
});

// ---------------------------------------------------------------------------------------------
// A small OAuth 2.0 server of the tests' own, over real HTTP on 127.0.0.1, that verifies PKCE.

type Grant = { clientId: string; redirectUri: string; challenge: string; scope: string };

function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  return new Promise((resolve, reject) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString()));
    req.on('end', () => resolve(new URLSearchParams(data)));
    req.on('error', reject);
  });
}

function startAuthServer() {
  const codes = new Map<string, Grant>();
  const refreshTokens = new Map<string, string>(); // refresh token → scope
  const accessTokens = new Set<string>();
  const revoked: string[] = [];
  let n = 0;
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const clientOk = (form: URLSearchParams) => form.get('client_id') === client.clientId && form.get('client_secret') === client.clientSecret;
    if (req.method === 'GET' && url.pathname === '/authorize') {
      const p = url.searchParams;
      if (p.get('response_type') !== 'code' || p.get('client_id') !== client.clientId || p.get('code_challenge_method') !== 'S256' || !p.get('code_challenge')) {
        return json(400, { error: 'invalid_request' });
      }
      const code = `code-${++n}`;
      codes.set(code, { clientId: p.get('client_id')!, redirectUri: p.get('redirect_uri')!, challenge: p.get('code_challenge')!, scope: p.get('scope') ?? '' });
      const back = new URL(p.get('redirect_uri')!);
      back.searchParams.set('code', code);
      back.searchParams.set('state', p.get('state') ?? '');
      res.writeHead(302, { location: back.toString() });
      return res.end();
    }
    if (req.method === 'POST' && url.pathname === '/token') {
      const form = await readForm(req);
      if (!clientOk(form)) return json(401, { error: 'invalid_client' });
      if (form.get('grant_type') === 'authorization_code') {
        const grant = codes.get(form.get('code') ?? '');
        codes.delete(form.get('code') ?? ''); // single use
        if (!grant || grant.redirectUri !== form.get('redirect_uri')) return json(400, { error: 'invalid_grant' });
        const verifier = form.get('code_verifier') ?? '';
        const expected = createHash('sha256').update(verifier).digest('base64url');
        if (expected !== grant.challenge) return json(400, { error: 'invalid_grant', error_description: 'PKCE verification failed' });
        const at = `at-${++n}`;
        const rt = `rt-${++n}`;
        accessTokens.add(at);
        refreshTokens.set(rt, grant.scope);
        return json(200, { access_token: at, refresh_token: rt, token_type: 'Bearer', expires_in: 3600, scope: grant.scope });
      }
      if (form.get('grant_type') === 'refresh_token') {
        const old = form.get('refresh_token') ?? '';
        const scope = refreshTokens.get(old);
        if (scope === undefined) return json(400, { error: 'invalid_grant' });
        refreshTokens.delete(old); // rotating
        const at = `at-${++n}`;
        const rt = `rt-${++n}`;
        accessTokens.add(at);
        refreshTokens.set(rt, scope);
        return json(200, { access_token: at, refresh_token: rt, token_type: 'Bearer', expires_in: 3600 });
      }
      return json(400, { error: 'unsupported_grant_type' });
    }
    if (req.method === 'POST' && url.pathname === '/revoke') {
      const form = await readForm(req);
      if (!clientOk(form)) return json(401, { error: 'invalid_client' });
      const token = form.get('token') ?? '';
      revoked.push(token);
      refreshTokens.delete(token);
      accessTokens.delete(token);
      res.writeHead(200);
      return res.end();
    }
    if (req.method === 'GET' && url.pathname === '/api/me') {
      const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
      if (!accessTokens.has(token)) return json(401, { message: 'invalid token' });
      return json(200, { id: 'u-1', name: 'Local User' });
    }
    json(404, { error: 'not_found' });
  });
  return { server, revoked, refreshTokens };
}

describe('full dance against a local OAuth server (real HTTP, PKCE verified)', () => {
  const local = startAuthServer();
  let base = '';
  const lp = makeProvider({}, 'localauth');
  beforeAll(async () => {
    await new Promise<void>((resolve) => local.server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(local.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => local.server.close(() => resolve()));
  });

  const env = () => ({
    raw: {
      PROVIDER_LOCALAUTH_BASE_URL: base,
      PROVIDER_LOCALAUTH_AUTHORIZE_URL: `${base}/authorize`,
      PROVIDER_LOCALAUTH_TOKEN_URL: `${base}/token`,
      PROVIDER_LOCALAUTH_REVOKE_URL: `${base}/revoke`,
    },
  });

  async function authorize(codeChallenge: string) {
    const u = resolveProviderUrls(lp, env());
    const authorizeUrl = buildAuthorizeUrl(lp, u, client, {
      state: 'st-1',
      redirectUri: 'http://127.0.0.1:1/oauth/callback',
      scopes: requestedScopes(lp.definition, ['tasks']),
      codeChallenge,
    });
    const res = await fetch(authorizeUrl, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const cb = new URL(res.headers.get('location')!);
    expect(cb.searchParams.get('state')).toBe('st-1');
    return { u, code: cb.searchParams.get('code')! };
  }

  it('authorize → token → API call → refresh → revoke', async () => {
    const pkce = createPkcePair();
    const { u, code } = await authorize(pkce.codeChallenge);
    const creds = await exchangeCode(lp, u, client, { code, redirectUri: 'http://127.0.0.1:1/oauth/callback', codeVerifier: pkce.codeVerifier }, { logger });
    expect(creds.scopes).toEqual(['openid', 'offline_access', 'tasks:write']);

    const ctx = connectorContext({ config: env(), logger, provider: lp, credentials: creds, oauthClient: client });
    expect(await lp.connector.test(ctx)).toEqual({ accountId: 'u-1', accountName: 'Local User' });

    const refreshed = await refreshToken(lp, u, client, creds, { logger });
    expect(refreshed.refreshToken).not.toBe(creds.refreshToken);
    expect(refreshed.scopes).toEqual(creds.scopes);
    // The old refresh token was rotated away.
    const reused = (await caught(() => refreshToken(lp, u, client, creds, { logger }))) as AppError;
    expect(reused.details).toMatchObject({ oauthError: 'invalid_grant' });

    await revokeToken(lp, u, client, { token: refreshed.refreshToken!, tokenTypeHint: 'refresh_token' }, { logger });
    expect(local.revoked).toEqual([refreshed.refreshToken]);
    expect(local.refreshTokens.has(refreshed.refreshToken!)).toBe(false);
  });

  it('a wrong PKCE verifier is refused by the server as invalid_grant', async () => {
    const pkce = createPkcePair();
    const { u, code } = await authorize(pkce.codeChallenge);
    const err = (await caught(() =>
      exchangeCode(lp, u, client, { code, redirectUri: 'http://127.0.0.1:1/oauth/callback', codeVerifier: createPkcePair().codeVerifier }, { logger }),
    )) as AppError;
    expect(err.code).toBe('provider_auth_failed');
    expect(err.details).toMatchObject({ oauthError: 'invalid_grant' });
    expect(err.message).toContain('PKCE verification failed');
  });
});
