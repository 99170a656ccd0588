import nock from 'nock';
import { describe, expect, it } from 'vitest';
import type { AppError } from '../../src/errors.ts';
import { slack } from '../../src/providers/slack/index.ts';
import { slackTokenError } from '../../src/providers/slack/connector.ts';
import { exchangeCode } from '../../src/providers/_shared/oauth.ts';
import { resolveProviderUrls } from '../../src/providers/_shared/urls.ts';
import { authTestBot, invalidAuth, revoked } from './fixtures/slack.ts';
import { caught, captureLogger, testContext } from './helpers.ts';

const API = 'https://slack.com';
const TOKEN = 'xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy';
const oauth = { type: 'oauth2' as const, accessToken: TOKEN, scopes: ['channels:read', 'chat:write'] };
const json = { 'content-type': 'application/json; charset=utf-8' };
const ctx = () => testContext({ provider: slack, credentials: oauth });

describe('slack', () => {
  it('definition: OAuth v2 with comma-separated bot scopes, HTTP Basic at oauth.v2.access, category communication', () => {
    expect(slack.definition).toMatchObject({ slug: 'slack', category: 'communication', apiBaseUrl: 'https://slack.com/api' });
    expect(slack.definition.auth.oauth2).toMatchObject({
      authorizeUrl: 'https://slack.com/oauth/v2/authorize',
      tokenUrl: 'https://slack.com/api/oauth.v2.access',
      revokeUrl: 'https://slack.com/api/auth.revoke',
      clientAuth: 'basic',
      scopeSeparator: ',',
      defaultScopes: [],
    });
    expect(slack.definition.objects).toEqual([{ name: 'messages', direction: 'both', scopes: ['channels:read', 'chat:write'] }]);
  });

  it('test: GET /api/auth.test with the bot token as Bearer → the team, named with the bot user', async () => {
    const scope = nock(API, { reqheaders: { authorization: `Bearer ${TOKEN}` } }).get('/api/auth.test').reply(200, authTestBot, json);
    expect(await slack.connector.test(ctx())).toEqual({
      accountId: 'T0A1B2C3D',
      accountName: 'Acme HQ (patchbay)',
      extra: { teamId: 'T0A1B2C3D', team: 'Acme HQ', userId: 'U0KRQLJ9H', user: 'patchbay', botId: 'B0KRQLJ9H', url: 'https://acme-hq.slack.com/' },
    });
    scope.done();
  });

  it.each(['invalid_auth', 'token_revoked', 'not_authed', 'account_inactive'])('test: HTTP 200 with ok:false %s → provider_auth_failed, without the token', async (error) => {
    nock(API).get('/api/auth.test').reply(200, { ok: false, error }, json);
    const c = ctx();
    const err = (await caught(() => slack.connector.test(c))) as AppError;
    expect(err.code).toBe('provider_auth_failed');
    expect(err.message).toContain(error);
    expect(err.message + c.logs.join('')).not.toContain(TOKEN);
  });

  it('test: another ok:false error → provider_error naming it', async () => {
    nock(API).get('/api/auth.test').reply(200, { ok: false, error: 'request_timeout' }, json);
    const err = (await caught(() => slack.connector.test(ctx()))) as AppError;
    expect(err.code).toBe('provider_error');
    expect(err.message).toContain('request_timeout');
  });

  it('test: an answer without ok is an unexpected shape, not a success', async () => {
    nock(API).get('/api/auth.test').reply(200, { team: 'Acme HQ' }, json);
    expect(((await caught(() => slack.connector.test(ctx()))) as AppError).code).toBe('provider_error');
  });

  it('429 with Retry-After → rate_limited for that long', async () => {
    nock(API).get('/api/auth.test').reply(429, { ok: false, error: 'ratelimited' }, { ...json, 'retry-after': '30' });
    const err = (await caught(() => slack.connector.test(ctx()))) as AppError;
    expect(err.code).toBe('rate_limited');
    expect(err.retryAfterSeconds).toBe(30);
  });

  it('revoke: GET /api/auth.revoke with the token as Bearer (never in the query)', async () => {
    const scope = nock(API, { reqheaders: { authorization: `Bearer ${TOKEN}` } }).get('/api/auth.revoke').query({}).reply(200, revoked, json);
    await slack.connector.revoke!(ctx());
    scope.done();
  });

  it('revoke: goes to the operator\'s PROVIDER_SLACK_REVOKE_URL when one is set', async () => {
    const scope = nock('https://slack-proxy.example.com').get('/api/auth.revoke').reply(200, revoked, json);
    await slack.connector.revoke!(testContext({ provider: slack, credentials: oauth, env: { PROVIDER_SLACK_REVOKE_URL: 'https://slack-proxy.example.com/api/auth.revoke' } }));
    scope.done();
  });

  it('revoke: a token Slack already refuses counts as revoked; another error is thrown', async () => {
    nock(API).get('/api/auth.revoke').reply(200, invalidAuth, json);
    await slack.connector.revoke!(ctx());
    nock(API).get('/api/auth.revoke').reply(200, { ok: false, error: 'internal_error' }, json);
    expect(((await caught(() => slack.connector.revoke!(ctx()))) as AppError).code).toBe('provider_error');
  });

  it('token errors: HTTP 200 ok:false read as grant, app or other errors', () => {
    expect(slackTokenError({ ok: false, error: 'invalid_code' })).toMatchObject({ code: 'invalid_code', grantRevoked: true });
    expect(slackTokenError({ ok: false, error: 'invalid_refresh_token' })).toMatchObject({ grantRevoked: true });
    expect(slackTokenError({ ok: false, error: 'bad_client_secret' })).toMatchObject({ code: 'invalid_client', grantRevoked: false });
    expect(slackTokenError({ ok: false, error: 'bad_redirect_uri' })).toMatchObject({ code: 'redirect_uri_mismatch', grantRevoked: false });
    expect(slackTokenError({ error: 'invalid_grant' })).toBeUndefined();
  });

  it('code exchange: HTTP Basic client auth; a bad client secret → provider_not_configured naming PROVIDER_SLACK_*', async () => {
    const client = { clientId: '2141029472.691202649728', clientSecret: 'e1b9e11dfcd19c1982d5de12921e17e8c' };
    const basic = `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`;
    nock(API, { reqheaders: { authorization: basic } }).post('/api/oauth.v2.access').reply(200, { ok: false, error: 'bad_client_secret' }, json);
    const urls = resolveProviderUrls(slack, { raw: {} });
    const { logger } = captureLogger();
    const err = (await caught(() => exchangeCode(slack, urls, client, { code: 'c1', redirectUri: 'https://p.example/oauth/callback' }, { logger }))) as AppError;
    expect(err.code).toBe('provider_not_configured');
    expect(err.message).toContain('PROVIDER_SLACK_CLIENT_SECRET');
    expect(err.message).not.toContain(client.clientSecret);
  });
});
