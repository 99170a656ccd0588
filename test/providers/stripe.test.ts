import { createHmac } from 'node:crypto';
import nock from 'nock';
import { describe, expect, it } from 'vitest';
import type { AppError } from '../../src/errors.ts';
import type { InboundRequest } from '../../src/inbound/scheme.ts';
import { stripe } from '../../src/providers/stripe/index.ts';
import { caught, testContext } from './helpers.ts';

const API = 'https://api.stripe.com';
const KEY = 'rk_test_51H8xYzAbCdEfGhIjKlMnOpQrStUvWx';
const creds = { type: 'api_key' as const, fields: { apiKey: KEY } };

// Shape from https://docs.stripe.com/api/accounts/object (trimmed): nullable business_profile and settings.
const account = {
  id: 'acct_1Nv0FGQ9RKHgCVdK',
  object: 'account',
  business_profile: { mcc: null, name: 'Acme Rockets', support_email: null, url: 'https://acme.example' },
  business_type: 'company',
  charges_enabled: true,
  country: 'US',
  default_currency: 'usd',
  email: 'billing@acme.example',
  settings: { dashboard: { display_name: 'Acme (Dashboard)', timezone: 'Etc/UTC' } },
  type: 'standard',
};

describe('stripe', () => {
  it('test: GET /v1/account with Bearer <restricted key> → id and business_profile.name', async () => {
    nock(API, { reqheaders: { authorization: `Bearer ${KEY}` } }).get('/v1/account').reply(200, account, { 'content-type': 'application/json' });
    const c = testContext({ provider: stripe, credentials: creds });
    expect(await stripe.connector.test(c)).toEqual({
      accountId: 'acct_1Nv0FGQ9RKHgCVdK',
      accountName: 'Acme Rockets',
      extra: { country: 'US', livemode: false, restrictedKey: true },
    });
    expect(c.logs.join('')).not.toContain(KEY);
  });

  it('the name falls back to the Dashboard display name, then the email, then the id', async () => {
    const cases: Array<[object, string]> = [
      [{ ...account, business_profile: { name: null } }, 'Acme (Dashboard)'],
      [{ ...account, business_profile: null, settings: null }, 'billing@acme.example'],
      [{ id: 'acct_1Nv0FGQ9RKHgCVdK', object: 'account' }, 'acct_1Nv0FGQ9RKHgCVdK'],
    ];
    for (const [body, name] of cases) {
      nock(API).get('/v1/account').reply(200, body, { 'content-type': 'application/json' });
      expect((await stripe.connector.test(testContext({ provider: stripe, credentials: creds }))).accountName).toBe(name);
    }
  });

  it('a secret live key is accepted and recorded as such', async () => {
    const live = { type: 'api_key' as const, fields: { apiKey: 'sk_live_51H8xYzAbCdEfGhIjKlMnOpQr' } };
    nock(API, { reqheaders: { authorization: 'Bearer sk_live_51H8xYzAbCdEfGhIjKlMnOpQr' } }).get('/v1/account').reply(200, account, { 'content-type': 'application/json' });
    expect((await stripe.connector.test(testContext({ provider: stripe, credentials: live }))).extra).toMatchObject({ livemode: true, restrictedKey: false });
  });

  it('the key pattern takes restricted and secret keys, live and test; not publishable keys', () => {
    const re = new RegExp(stripe.definition.auth.credentials!.fields[0]!.pattern!);
    for (const k of [KEY, 'rk_live_51H8xYzAbCdEfGhIj', 'sk_test_4eC39HqLyjWDarjtT1zdp7dc']) expect(re.test(k), k).toBe(true);
    for (const k of ['pk_test_TYooMQauvdEDq54NiTphI7jx', 'whsec_abc1234567890', 'rk_prod_51H8xYzAbCdEfGhIj', 'rk_test_']) expect(re.test(k), k).toBe(false);
  });

  it('401 Invalid API Key → provider_auth_failed with Stripe\'s message, without the key', async () => {
    nock(API)
      .get('/v1/account')
      .reply(401, { error: { message: 'Invalid API Key provided: rk_test_****UvWx', type: 'invalid_request_error' } }, { 'content-type': 'application/json' });
    const c = testContext({ provider: stripe, credentials: creds });
    const err = (await caught(() => stripe.connector.test(c))) as AppError;
    expect(err.code).toBe('provider_auth_failed');
    expect(err.message).toContain('Invalid API Key provided');
    expect(err.message + c.logs.join('')).not.toContain(KEY);
  });

  it('a restricted key without connected_account_read (403) → provider_auth_failed naming the permission', async () => {
    const message = "The provided key 'rk_test_*****UvWx' does not have the required permissions for this endpoint on account 'acct_1Nv0FGQ9RKHgCVdK'. Having the 'rak_connected_account_read' permission would allow this request to continue.";
    nock(API).get('/v1/account').reply(403, { error: { message, type: 'invalid_request_error' } }, { 'content-type': 'application/json' });
    const err = (await caught(() => stripe.connector.test(testContext({ provider: stripe, credentials: creds })))) as AppError;
    expect(err.code).toBe('provider_auth_failed');
    expect(err.message).toContain('connected_account_read');
  });

  it('429 without Retry-After → rate_limited with the default wait; with Retry-After → that wait', async () => {
    nock(API).get('/v1/account').reply(429, { error: { message: 'Too many requests hit the API too quickly.', type: 'invalid_request_error', code: 'rate_limit' } }, { 'content-type': 'application/json', 'stripe-should-retry': 'true' });
    const err = (await caught(() => stripe.connector.test(testContext({ provider: stripe, credentials: creds })))) as AppError;
    expect(err.code).toBe('rate_limited');
    expect(err.retryAfterSeconds).toBe(60);
    nock(API).get('/v1/account').reply(429, { error: { type: 'invalid_request_error', code: 'rate_limit' } }, { 'content-type': 'application/json', 'retry-after': '2' });
    expect(((await caught(() => stripe.connector.test(testContext({ provider: stripe, credentials: creds })))) as AppError).retryAfterSeconds).toBe(2);
  });

  it('has no revoke; the note says to delete the restricted key in the Dashboard', () => {
    expect(stripe.connector.revoke).toBeUndefined();
    expect(stripe.definition.revokeNote).toMatch(/no revoke call/);
    expect(stripe.definition.revokeNote).toMatch(/delete \(or roll\) the restricted key in the Stripe Dashboard/);
  });
});

// https://docs.stripe.com/webhooks#verify-manually — computed here from the recipe, not with the scheme's code.
const WHSEC = 'whsec_5f4dcc3b5aa765d61d8327deb882cf99';
const body = JSON.stringify({ id: 'evt_1NG8Du2eZvKYlo2CUI79vXWy', object: 'event', type: 'customer.updated', data: { object: { id: 'cus_NffrFeUfNV2Hib', object: 'customer', name: 'Jenny Rosen' } } });
function signed(opts: { t?: number; secret?: string; body?: string; extra?: string[] } = {}): InboundRequest {
  const t = opts.t ?? Math.floor(Date.now() / 1000);
  const v1 = createHmac('sha256', opts.secret ?? WHSEC).update(`${t}.${opts.body ?? body}`).digest('hex');
  const header = [`t=${t}`, ...(opts.extra ?? []), `v1=${v1}`].join(',');
  return { method: 'POST', url: 'https://patchbay.example.test/webhooks/stripe/c1', headers: { 'stripe-signature': header }, rawBody: Buffer.from(body), receivedAt: new Date() };
}

describe('stripe webhook scheme', () => {
  const scheme = stripe.webhooks!.scheme;

  it('is an admin-stored secret on a per-connection URL', () => {
    expect(scheme).toMatchObject({ routing: 'connection', secretSource: 'admin' });
  });

  it('accepts a valid signature; refuses a tampered body, another secret, and no header', () => {
    expect(scheme.verify(signed(), WHSEC)).toBe(true);
    expect(scheme.verify(signed({ body: body.replace('Jenny', 'Jenna') }), WHSEC)).toBe(false);
    expect(scheme.verify(signed(), 'whsec_not_the_secret_000000000000')).toBe(false);
    expect(scheme.verify({ ...signed(), headers: {} }, WHSEC)).toBe(false);
  });

  it('several v1 signatures (a secret being rolled): one matching is enough; v0 alone is not', () => {
    const old = createHmac('sha256', 'whsec_old_secret_1234567890abcdef').update(`${Math.floor(Date.now() / 1000)}.${body}`).digest('hex');
    expect(scheme.verify(signed({ extra: [`v1=${old}`] }), WHSEC)).toBe(true);
    const req = signed();
    const v0only = String(req.headers['stripe-signature']).replace('v1=', 'v0=');
    expect(scheme.verify({ ...req, headers: { 'stripe-signature': v0only } }, WHSEC)).toBe(false);
  });

  it('refuses a timestamp more than 5 minutes old (or ahead)', () => {
    const now = Math.floor(Date.now() / 1000);
    expect(scheme.verify(signed({ t: now - 240 }), WHSEC)).toBe(true);
    expect(scheme.verify(signed({ t: now - 301 }), WHSEC)).toBe(false);
    expect(scheme.verify(signed({ t: now + 301 }), WHSEC)).toBe(false);
  });

  it('parses the event id as the delivery id; customers are kept, other objects ignored', () => {
    expect(scheme.parse(signed())).toEqual([{ deliveryId: 'evt_1NG8Du2eZvKYlo2CUI79vXWy', type: 'customer.updated', object: 'customers', remoteId: 'cus_NffrFeUfNV2Hib' }]);
    const invoice = JSON.stringify({ id: 'evt_2', object: 'event', type: 'invoice.paid', data: { object: { id: 'in_1', object: 'invoice', customer: 'cus_NffrFeUfNV2Hib' } } });
    expect(scheme.parse({ ...signed(), rawBody: Buffer.from(invoice) })).toEqual([{ deliveryId: 'evt_2', type: 'invoice.paid', object: null }]);
    expect(() => scheme.parse({ ...signed(), rawBody: Buffer.from('{"type":"x"}') })).toThrow();
  });
});
