import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.ts';
import { linear } from '../../src/providers/linear/index.ts';
import { VIEWER_QUERY } from '../../src/providers/linear/connector.ts';
import { VERSION } from '../../src/version.ts';
import { caught, testContext } from './helpers.ts';

const API = 'https://api.linear.app';
const KEY = 'lin_api_0123456789abcdefghijklmnopqrstuvwxyzABCD';
const apiKey = { type: 'api_key' as const, fields: { apiKey: KEY } };
const ACCESS = 'lin_oauth_access_0123456789abcdef';

// Shapes from https://linear.app/developers/graphql (viewer query; errors with extensions.code).
const viewer = { data: { viewer: { id: '2f1c1a5e-7d3c-4a8b-9f16-0c0f0b1f2e3d', name: 'Ada Lovelace', email: 'ada@example.com' } } };

function ctx(credentials: Parameters<typeof testContext>[0]['credentials'] = apiKey, env?: Record<string, string>) {
  return testContext({ provider: linear, credentials, ...(env ? { env } : {}) });
}

describe('linear', () => {
  it('test: POST /graphql with the raw key and the viewer query → account id and name', async () => {
    const scope = nock(API, {
      reqheaders: { authorization: KEY, 'content-type': 'application/json', 'user-agent': `Patchbay/${VERSION}` },
    })
      .post('/graphql', (body) => body.query === VIEWER_QUERY && /viewer\s*\{\s*id name email\s*\}/.test(body.query))
      .reply(200, viewer, { 'content-type': 'application/json' });
    const account = await linear.connector.test(ctx());
    expect(account).toEqual({ accountId: viewer.data.viewer.id, accountName: 'Ada Lovelace' });
    scope.done();
  });

  it('test: OAuth credentials use Bearer; falls back to email when there is no name', async () => {
    nock(API, { reqheaders: { authorization: `Bearer ${ACCESS}` } })
      .post('/graphql')
      .reply(200, { data: { viewer: { id: 'u1', name: '', email: 'ada@example.com' } } }, { 'content-type': 'application/json' });
    const account = await linear.connector.test(ctx({ type: 'oauth2', accessToken: ACCESS, scopes: ['read'] }));
    expect(account.accountName).toBe('ada@example.com');
  });

  it('test: PROVIDER_LINEAR_BASE_URL redirects the call', async () => {
    nock('https://linear.internal.test').post('/graphql').reply(200, viewer, { 'content-type': 'application/json' });
    const account = await linear.connector.test(ctx(apiKey, { PROVIDER_LINEAR_BASE_URL: 'https://linear.internal.test/' }));
    expect(account.accountId).toBe(viewer.data.viewer.id);
  });

  it('a bad key (400 AUTHENTICATION_ERROR) → provider_auth_failed, key never in the message', async () => {
    nock(API)
      .post('/graphql')
      .reply(
        400,
        {
          errors: [
            {
              message: 'Authentication required, not authenticated',
              extensions: {
                type: 'authentication error',
                code: 'AUTHENTICATION_ERROR',
                statusCode: 401,
                userPresentableMessage: 'You need to authenticate to access this operation.',
              },
            },
          ],
        },
        { 'content-type': 'application/json' },
      );
    const c = ctx();
    const err = (await caught(() => linear.connector.test(c))) as AppError;
    expect(err).toBeInstanceOf(AppError);
    expect(err.code).toBe('provider_auth_failed');
    expect(err.message).not.toContain(KEY);
    expect(JSON.stringify(err.details)).not.toContain(KEY);
    expect(c.logs.join('\n')).not.toContain(KEY);
  });

  it('a 401 → provider_auth_failed', async () => {
    nock(API).post('/graphql').reply(401, { errors: [{ message: `invalid key ${KEY}` }] }, { 'content-type': 'application/json' });
    const c = ctx();
    const err = (await caught(() => linear.connector.test(c))) as AppError;
    expect(err.code).toBe('provider_auth_failed');
    expect(err.message).not.toContain(KEY);
    expect(c.logs.join('\n')).not.toContain(KEY);
  });

  it('400 RATELIMITED → rate_limited with the wait from X-RateLimit-Requests-Reset (epoch ms)', async () => {
    const reset = Date.now() + 45_000;
    nock(API)
      .post('/graphql')
      .reply(
        400,
        { errors: [{ message: 'Rate limit exceeded', extensions: { code: 'RATELIMITED' } }] },
        { 'content-type': 'application/json', 'x-ratelimit-requests-remaining': '0', 'x-ratelimit-requests-reset': String(reset) },
      );
    const err = (await caught(() => linear.connector.test(ctx()))) as AppError;
    expect(err.code).toBe('rate_limited');
    expect(err.retryAfterSeconds).toBeGreaterThanOrEqual(44);
    expect(err.retryAfterSeconds).toBeLessThanOrEqual(46);
    expect(err.message).toMatch(/^Linear rate limit reached; retry after \d+ s$/);
  });

  it('429 Retry-After: 120 → retryAfterSeconds 120', async () => {
    nock(API).post('/graphql').reply(429, 'Too Many Requests', { 'retry-after': '120' });
    const err = (await caught(() => linear.connector.test(ctx()))) as AppError;
    expect(err.code).toBe('rate_limited');
    expect(err.retryAfterSeconds).toBe(120);
    expect(err.message).toBe('Linear rate limit reached; retry after 120 s');
  });

  it('other GraphQL errors → provider_error', async () => {
    nock(API)
      .post('/graphql')
      .reply(400, { errors: [{ message: 'Query validation failed', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }] }, { 'content-type': 'application/json' });
    const err = (await caught(() => linear.connector.test(ctx()))) as AppError;
    expect(err.code).toBe('provider_error');
    expect(err.message).toContain('GRAPHQL_VALIDATION_FAILED');
  });

  it('revoke: POSTs the OAuth access token to /oauth/revoke', async () => {
    const scope = nock(API, { reqheaders: { authorization: `Bearer ${ACCESS}`, 'content-type': /application\/x-www-form-urlencoded/ } })
      .post('/oauth/revoke', { token: ACCESS, token_type_hint: 'access_token' })
      .reply(200);
    const c = ctx({ type: 'oauth2', accessToken: ACCESS, refreshToken: 'lin_refresh_abcdef', scopes: ['read'] });
    await linear.connector.revoke!(c);
    scope.done();
    expect(linear.connector.canRevoke!({ type: 'oauth2', accessToken: ACCESS, scopes: [] })).toBe(true);
  });

  it('revoke: an already invalid token still counts as revoked; API keys make no call', async () => {
    nock(API).post('/oauth/revoke').reply(400, { error: 'invalid_token' }, { 'content-type': 'application/json' });
    await linear.connector.revoke!(ctx({ type: 'oauth2', accessToken: ACCESS, scopes: ['read'] }));
    await linear.connector.revoke!(ctx()); // no nock: any request would fail
    expect(linear.connector.canRevoke!(apiKey)).toBe(false);
  });

  it('definition: OAuth with comma-separated scopes, consent prompt, API key pattern', () => {
    const d = linear.definition;
    expect(d.auth.oauth2).toMatchObject({
      authorizeUrl: 'https://linear.app/oauth/authorize',
      tokenUrl: 'https://api.linear.app/oauth/token',
      revokeUrl: 'https://api.linear.app/oauth/revoke',
      scopeSeparator: ',',
      authorizeParams: { prompt: 'consent' },
    });
    const field = d.auth.credentials!.fields[0]!;
    expect(field).toMatchObject({ name: 'apiKey', secret: true });
    expect(new RegExp(field.pattern!).test(KEY)).toBe(true);
    expect(new RegExp(field.pattern!).test('sk_live_x')).toBe(false);
  });

  // Linear's SDK (packages/sdk/src/error.ts) classifies by extensions.type, not extensions.code.
  it('errors carrying only extensions.type: "authentication error" → provider_auth_failed; "ratelimited" → rate_limited', async () => {
    nock(API)
      .post('/graphql')
      .reply(400, { errors: [{ message: 'Authentication required, not authenticated', extensions: { type: 'authentication error', userPresentableMessage: 'You need to authenticate.' } }] }, { 'content-type': 'application/json' });
    const auth = (await caught(() => linear.connector.test(testContext({ provider: linear, credentials: apiKey })))) as AppError;
    expect(auth.code).toBe('provider_auth_failed');
    expect(auth.message).toBe('Linear rejected the credentials: You need to authenticate.');

    nock(API)
      .post('/graphql')
      .reply(400, { errors: [{ message: 'Rate limit exceeded', extensions: { type: 'ratelimited' } }] }, { 'content-type': 'application/json', 'retry-after': '30' });
    const limited = (await caught(() => linear.connector.test(testContext({ provider: linear, credentials: apiKey })))) as AppError;
    expect(limited.code).toBe('rate_limited');
    expect(limited.retryAfterSeconds).toBe(30);
  });
});
