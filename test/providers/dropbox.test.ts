import { createHmac } from 'node:crypto';
import nock from 'nock';
import { describe, expect, it } from 'vitest';
import type { AppError } from '../../src/errors.ts';
import type { InboundRequest } from '../../src/inbound/scheme.ts';
import { dropbox } from '../../src/providers/dropbox/index.ts';
import { requestedScopes } from '../../src/providers/_shared/oauth.ts';
import { fullAccount } from './fixtures/dropbox.ts';
import { caught, testContext } from './helpers.ts';

const API = 'https://api.dropboxapi.com';
const TOKEN = 'sl.u.AFdropboxShortLivedAccessToken0123456789abcdef';
const oauth = { type: 'oauth2' as const, accessToken: TOKEN, refreshToken: 'dropbox-refresh-1', scopes: ['account_info.read', 'files.metadata.read'] };
const json = { 'content-type': 'application/json' };

describe('dropbox', () => {
  it('test: POST /2/users/get_current_account with body null and the Bearer token → account_id and display name', async () => {
    const scope = nock(API, { reqheaders: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' } })
      .post('/2/users/get_current_account', (b) => b === null)
      .reply(200, fullAccount, json);
    expect(await dropbox.connector.test(testContext({ provider: dropbox, credentials: oauth }))).toEqual({
      accountId: 'dbid:AAH4f99T0taONIb-OurWxbNQ6ywGRopQngc',
      accountName: 'Franz Ferdinand (Personal)',
      extra: { email: 'franz@gmail.com', accountType: 'basic' },
    });
    scope.done();
  });

  it('test: a team account keeps the team name; a shape without account_id is a provider_error', async () => {
    nock(API).post('/2/users/get_current_account').reply(200, { ...fullAccount, team: { id: 'dbtid:1234abcd', name: 'Acme, Inc.' } }, json);
    expect((await dropbox.connector.test(testContext({ provider: dropbox, credentials: oauth }))).extra).toMatchObject({ team: 'Acme, Inc.' });
    const { account_id: _, ...noId } = fullAccount;
    nock(API).post('/2/users/get_current_account').reply(200, noId, json);
    expect(((await caught(() => dropbox.connector.test(testContext({ provider: dropbox, credentials: oauth })))) as AppError).code).toBe('provider_error');
  });

  it('test: 401 expired_access_token → provider_auth_failed without the token', async () => {
    nock(API).post('/2/users/get_current_account').reply(401, { error_summary: 'expired_access_token/', error: { '.tag': 'expired_access_token' } }, json);
    const c = testContext({ provider: dropbox, credentials: oauth });
    const err = (await caught(() => dropbox.connector.test(c))) as AppError;
    expect(err.code).toBe('provider_auth_failed');
    expect(err.message + c.logs.join('')).not.toContain(TOKEN);
  });

  it('429 too_many_requests → rate_limited for Retry-After', async () => {
    nock(API).post('/2/users/get_current_account').reply(429, { error_summary: 'too_many_requests/..', error: { reason: { '.tag': 'too_many_requests' }, retry_after: 15 } }, { ...json, 'retry-after': '15' });
    const err = (await caught(() => dropbox.connector.test(testContext({ provider: dropbox, credentials: oauth })))) as AppError;
    expect(err.code).toBe('rate_limited');
    expect(err.retryAfterSeconds).toBe(15);
  });

  it('revoke: POST /2/auth/token/revoke with the Bearer token and body null', async () => {
    const scope = nock(API, { reqheaders: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' } })
      .post('/2/auth/token/revoke', (b) => b === null)
      .reply(200, 'null', json);
    await dropbox.connector.revoke!(testContext({ provider: dropbox, credentials: oauth }));
    scope.done();
  });

  it('OAuth: PKCE, offline refresh tokens that stay the same, minimal scopes', () => {
    expect(dropbox.definition.auth.oauth2).toMatchObject({ pkce: true, refresh: 'static', authorizeParams: { token_access_type: 'offline' }, defaultScopes: ['account_info.read'] });
    expect(requestedScopes(dropbox.definition)).toEqual(['account_info.read', 'files.metadata.read']);
  });
});

const APP_SECRET = 'dropbox-app-secret-x7k2m9q4';
const body = JSON.stringify({ list_folder: { accounts: ['dbid:AAH4f99T0taONIb-OurWxbNQ6ywGRopQngc', 'dbid:AAB2second'] }, delta: { users: [12345678, 23456789] } });
const sig = (raw: string, key = APP_SECRET) => createHmac('sha256', key).update(raw).digest('hex');
const at = new Date('2026-11-30T10:00:10Z');
const req = (over: Partial<InboundRequest> & { raw?: string } = {}): InboundRequest => ({
  method: 'POST',
  url: 'https://patchbay.example.test/webhooks/dropbox',
  headers: { 'x-dropbox-signature': sig(over.raw ?? body) },
  rawBody: Buffer.from(over.raw ?? body),
  receivedAt: at,
  ...over,
});

describe('dropbox webhook scheme', () => {
  const scheme = dropbox.webhooks!.scheme;

  it('is app-level, verified with the app secret', () => expect(scheme).toMatchObject({ routing: 'app', secretSource: 'app' }));

  it('GET ?challenge= is answered with the challenge as text/plain and nosniff; anything else is no handshake', () => {
    expect(scheme.handshake!(req({ method: 'GET', url: 'https://patchbay.example.test/webhooks/dropbox?challenge=Xq9_zR-3', rawBody: Buffer.alloc(0) }))).toEqual({
      status: 200,
      headers: { 'content-type': 'text/plain', 'x-content-type-options': 'nosniff' },
      body: 'Xq9_zR-3',
    });
    expect(scheme.handshake!(req({ method: 'GET', url: 'https://patchbay.example.test/webhooks/dropbox?challenge=%3Cscript%3E' }))).toBeNull();
    expect(scheme.handshake!(req({ method: 'GET', url: 'https://patchbay.example.test/webhooks/dropbox' }))).toBeNull();
    expect(scheme.handshake!(req({ url: 'https://patchbay.example.test/webhooks/dropbox?challenge=abc' }))).toBeNull();
  });

  it('X-Dropbox-Signature is the hex HMAC-SHA256 of the body with the app secret', () => {
    expect(scheme.verify(req(), APP_SECRET)).toBe(true);
    expect(scheme.verify(req(), 'another-app-secret')).toBe(false);
    expect(scheme.verify(req({ rawBody: Buffer.from(body.replace('AAB2', 'AAB3')) }), APP_SECRET)).toBe(false);
    expect(scheme.verify(req({ headers: {} }), APP_SECRET)).toBe(false);
  });

  it('one event per listed account, routed by account id; the key is the body digest and the minute', () => {
    const events = scheme.parse(req());
    expect(events.map((e) => [e.accountId, e.object, e.type])).toEqual([
      ['dbid:AAH4f99T0taONIb-OurWxbNQ6ywGRopQngc', 'files', 'list_folder'],
      ['dbid:AAB2second', 'files', 'list_folder'],
    ]);
    expect(scheme.parse(req({ receivedAt: new Date('2026-11-30T10:00:55Z') }))[0]!.deliveryId).toBe(events[0]!.deliveryId);
    expect(scheme.parse(req({ receivedAt: new Date('2026-11-30T10:01:05Z') }))[0]!.deliveryId).not.toBe(events[0]!.deliveryId);
    expect(scheme.parse(req({ raw: '{"delta":{"users":[1]}}' }))).toEqual([]);
    expect(() => scheme.parse(req({ raw: '{"list_folder":{"accounts":"dbid:x"}}' }))).toThrow();
  });
});
