import nock from 'nock';
import { describe, expect, it } from 'vitest';
import type { AppError } from '../../src/errors.ts';
import { discord } from '../../src/providers/discord/index.ts';
import { me, rateLimited, unauthorized } from './fixtures/discord.ts';
import { caught, testContext } from './helpers.ts';

const API = 'https://discord.com';
const TOKEN = '6qrZcUqja7812RVdnEKjpzOL4CvHBFG';
const client = { clientId: '157730590492196864', clientSecret: 'discord-client-secret-Zx9y8W7v6U5t' };
const oauth = { type: 'oauth2' as const, accessToken: TOKEN, refreshToken: 'D43f5y0ahjqew82jZ4NViEr2YafMKhue', scopes: ['identify', 'guilds'] };
const json = { 'content-type': 'application/json' };
const ctx = () => testContext({ provider: discord, credentials: oauth, oauthClient: client });
const basic = `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`;

describe('discord', () => {
  it('definition: OAuth 2.0 with identify and guilds, HTTP Basic client auth, category communication, no objects', () => {
    expect(discord.definition).toMatchObject({ slug: 'discord', category: 'communication', apiBaseUrl: 'https://discord.com/api/v10', objects: [] });
    expect(discord.definition.auth.oauth2).toMatchObject({
      authorizeUrl: 'https://discord.com/oauth2/authorize',
      tokenUrl: 'https://discord.com/api/oauth2/token',
      revokeUrl: 'https://discord.com/api/oauth2/token/revoke',
      clientAuth: 'basic',
      scopeSeparator: ' ',
      defaultScopes: ['identify', 'guilds'],
    });
  });

  it('test: GET /api/v10/users/@me with the Bearer token → id and the display name', async () => {
    const scope = nock(API, { reqheaders: { authorization: `Bearer ${TOKEN}` } }).get('/api/v10/users/@me').reply(200, me, json);
    expect(await discord.connector.test(ctx())).toEqual({ accountId: '80351110224678912', accountName: 'Nelly', extra: { username: 'nelly', globalName: 'Nelly' } });
    scope.done();
  });

  it('test: without a display name (global_name null) the username is shown', async () => {
    nock(API).get('/api/v10/users/@me').reply(200, { ...me, global_name: null }, json);
    expect((await discord.connector.test(ctx())).accountName).toBe('nelly');
  });

  it('test: 401 → provider_auth_failed, without the token', async () => {
    nock(API).get('/api/v10/users/@me').reply(401, unauthorized, json);
    const c = ctx();
    const err = (await caught(() => discord.connector.test(c))) as AppError;
    expect(err.code).toBe('provider_auth_failed');
    expect(err.message + c.logs.join('')).not.toContain(TOKEN);
  });

  it('429 → rate_limited from Retry-After, else from X-RateLimit-Reset-After (seconds, fractional rounded up)', async () => {
    nock(API).get('/api/v10/users/@me').reply(429, rateLimited, { ...json, 'retry-after': '65', 'x-ratelimit-reset-after': '64.57' });
    let err = (await caught(() => discord.connector.test(ctx()))) as AppError;
    expect(err.code).toBe('rate_limited');
    expect(err.retryAfterSeconds).toBe(65);
    nock(API).get('/api/v10/users/@me').reply(429, rateLimited, { ...json, 'x-ratelimit-reset-after': '12.3' });
    err = (await caught(() => discord.connector.test(ctx()))) as AppError;
    expect(err.retryAfterSeconds).toBe(13);
  });

  it('revoke: POST /api/oauth2/token/revoke, form token + token_type_hint, the app as HTTP Basic', async () => {
    const scope = nock(API, { reqheaders: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' } })
      .post('/api/oauth2/token/revoke', (b: Record<string, string>) => b.token === TOKEN && b.token_type_hint === 'access_token' && !('client_secret' in b))
      .reply(200, {}, json);
    await discord.connector.revoke!(ctx());
    scope.done();
  });

  it('revoke: a wrong app secret (invalid_client) → provider_not_configured, without the secret or token', async () => {
    nock(API).post('/api/oauth2/token/revoke').reply(401, { error: 'invalid_client' }, json);
    const c = ctx();
    const err = (await caught(() => discord.connector.revoke!(c))) as AppError;
    expect(err.code).toBe('provider_not_configured');
    expect(err.message).toContain('PROVIDER_DISCORD_CLIENT_ID');
    expect(err.message + c.logs.join('')).not.toContain(client.clientSecret);
    expect(err.message + c.logs.join('')).not.toContain(TOKEN);
  });

  it('revoke: without the OAuth app configured → provider_not_configured naming PROVIDER_DISCORD_*', async () => {
    const err = (await caught(() => discord.connector.revoke!(testContext({ provider: discord, credentials: oauth })))) as AppError;
    expect(err.code).toBe('provider_not_configured');
    expect(err.message).toContain('PROVIDER_DISCORD_CLIENT_SECRET');
  });
});
