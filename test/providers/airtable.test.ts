import { createHmac, randomBytes } from 'node:crypto';
import nock from 'nock';
import { describe, expect, it } from 'vitest';
import type { AppError } from '../../src/errors.ts';
import type { InboundRequest } from '../../src/inbound/scheme.ts';
import { airtable } from '../../src/providers/airtable/index.ts';
import { requestedScopes } from '../../src/providers/_shared/oauth.ts';
import { caught, testContext } from './helpers.ts';

const API = 'https://api.airtable.com';
const TOKEN = 'oaa.AtAcCeSsToKeN.v1.eyJ1c2VySWQiOiJ1c3JMMlBOQzVvM0g0bEJFaSJ9';
const PAT = 'patAbCdEfGhIjKlMn0.0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';
const oauth = { type: 'oauth2' as const, accessToken: TOKEN, refreshToken: 'airtable-refresh-1', scopes: ['user.email:read'] };
const pat = { type: 'api_key' as const, fields: { token: PAT } };

// https://airtable.com/developers/web/api/get-user-id-scopes (200 example).
const whoami = { id: 'usrL2PNC5o3H4lBEi', email: 'foo@bar.com', scopes: ['user.email:read', 'data.records:read'] };

describe('airtable', () => {
  it('test: GET /v0/meta/whoami with the OAuth Bearer token → id and email', async () => {
    const scope = nock(API, { reqheaders: { authorization: `Bearer ${TOKEN}` } }).get('/v0/meta/whoami').reply(200, whoami, { 'content-type': 'application/json' });
    expect(await airtable.connector.test(testContext({ provider: airtable, credentials: oauth }))).toEqual({
      accountId: 'usrL2PNC5o3H4lBEi',
      accountName: 'foo@bar.com',
      extra: { scopes: ['user.email:read', 'data.records:read'] },
    });
    scope.done();
  });

  it('test: a personal access token goes as Bearer too; without user.email:read the id names the account', async () => {
    nock(API, { reqheaders: { authorization: `Bearer ${PAT}` } }).get('/v0/meta/whoami').reply(200, { id: 'usrL2PNC5o3H4lBEi' }, { 'content-type': 'application/json' });
    const c = testContext({ provider: airtable, credentials: pat });
    expect(await airtable.connector.test(c)).toEqual({ accountId: 'usrL2PNC5o3H4lBEi', accountName: 'usrL2PNC5o3H4lBEi', extra: {} });
    expect(c.logs.join('')).not.toContain(PAT);
  });

  it('test: 401 AUTHENTICATION_REQUIRED → provider_auth_failed without the token', async () => {
    nock(API).get('/v0/meta/whoami').reply(401, { error: { type: 'AUTHENTICATION_REQUIRED', message: 'Authentication required' } }, { 'content-type': 'application/json' });
    const c = testContext({ provider: airtable, credentials: pat });
    const err = (await caught(() => airtable.connector.test(c))) as AppError;
    expect(err.code).toBe('provider_auth_failed');
    expect(err.message + c.logs.join('')).not.toContain(PAT);
  });

  it('429 without Retry-After → rate_limited for the documented 30 s; a Retry-After still wins', async () => {
    nock(API).get('/v0/meta/whoami').reply(429, { errors: [{ error: 'RATE_LIMIT_REACHED', message: 'Rate limit exceeded. Please try again later' }] }, { 'content-type': 'application/json' });
    let err = (await caught(() => airtable.connector.test(testContext({ provider: airtable, credentials: pat })))) as AppError;
    expect(err.code).toBe('rate_limited');
    expect(err.retryAfterSeconds).toBe(30);
    nock(API).get('/v0/meta/whoami').reply(429, {}, { 'retry-after': '45', 'content-type': 'application/json' });
    err = (await caught(() => airtable.connector.test(testContext({ provider: airtable, credentials: pat })))) as AppError;
    expect(err.retryAfterSeconds).toBe(45);
  });

  it('OAuth: PKCE, HTTP Basic client auth, rotating refresh tokens, minimal scopes; no revoke call, and the note says where', () => {
    expect(airtable.definition.auth.oauth2).toMatchObject({ pkce: true, clientAuth: 'basic', refresh: 'rotating', defaultScopes: ['user.email:read'] });
    expect(requestedScopes(airtable.definition)).toEqual(['user.email:read', 'data.records:read', 'data.records:write', 'schema.bases:read']);
    expect(airtable.connector.revoke).toBeUndefined();
    expect(airtable.definition.revokeNote).toMatch(/no token revoke call/);
    const pattern = new RegExp(airtable.definition.auth.credentials!.fields[0]!.pattern!);
    expect(pattern.test(PAT)).toBe(true);
    expect(pattern.test('keyAbCdEfGhIjKlMn')).toBe(false); // retired API keys
  });
});

const SECRET_BYTES = randomBytes(32);
const SECRET = SECRET_BYTES.toString('base64');
// https://airtable.com/developers/web/api/webhooks-overview ("Webhook notification delivery").
const body = JSON.stringify({ base: { id: 'app00000000000000' }, webhook: { id: 'ach00000000000000' }, timestamp: '2022-02-01T21:25:05.663Z' });
const mac = (raw: string, key: Buffer = SECRET_BYTES) => `hmac-sha256=${createHmac('sha256', key).update(raw).digest('hex')}`;
const req = (headers: Record<string, string>, raw = body): InboundRequest => ({ method: 'POST', url: 'https://patchbay.example.test/webhooks/airtable/c1', headers, rawBody: Buffer.from(raw), receivedAt: new Date() });

describe('airtable webhook scheme', () => {
  const scheme = airtable.webhooks!.scheme;

  it('is the admin-stored macSecretBase64 on a per-connection URL', () => {
    expect(scheme).toMatchObject({ routing: 'connection', secretSource: 'admin' });
  });

  it('X-Airtable-Content-MAC is hmac-sha256=<hex> over the body, keyed with the base64-decoded secret', () => {
    expect(scheme.verify(req({ 'x-airtable-content-mac': mac(body) }), SECRET)).toBe(true);
    // Keyed with the base64 text itself (a common mistake) → refused.
    expect(scheme.verify(req({ 'x-airtable-content-mac': mac(body, Buffer.from(SECRET)) }), SECRET)).toBe(false);
    expect(scheme.verify(req({ 'x-airtable-content-mac': mac(body) }, body.replace('ach0', 'ach1')), SECRET)).toBe(false);
    expect(scheme.verify(req({ 'x-airtable-content-mac': mac(body).slice('hmac-sha256='.length) }), SECRET)).toBe(false);
    expect(scheme.verify(req({}), SECRET)).toBe(false);
  });

  it('the delivery id is the webhook id and the notification timestamp; every ping concerns rows', () => {
    expect(scheme.parse(req({}))).toEqual([{ deliveryId: 'ach00000000000000:2022-02-01T21:25:05.663Z', type: 'webhook.notification', object: 'rows' }]);
    expect(() => scheme.parse(req({}, '{"base":{"id":"app1"}}'))).toThrow();
  });
});
