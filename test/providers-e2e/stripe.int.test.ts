/**
 * Stripe end to end through the admin API: a restricted key as the typed field (Bearer), the
 * GET /v1/account test, and a disconnect that says there is no revoke call.
 */
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stripe } from '../../src/providers/stripe/index.ts';
import { errorBody } from '../helpers/app.ts';
import { received, startE2E, type E2E } from './support.ts';

// Values and shapes as in test/providers/stripe.test.ts.
const KEY = 'rk_test_51H8xYzAbCdEfGhIjKlMnOpQrStUvWx';
const WRONG_KEY = 'rk_test_00000000000000000000000000bad';
// https://docs.stripe.com/api/accounts/object (trimmed).
const account = {
  id: 'acct_1Nv0FGQ9RKHgCVdK',
  object: 'account',
  business_profile: { name: 'Acme Rockets', url: 'https://acme.example' },
  country: 'US',
  email: 'billing@acme.example',
  settings: { dashboard: { display_name: 'Acme (Dashboard)', timezone: 'Etc/UTC' } },
  type: 'standard',
};

let e2e: E2E;
beforeAll(async () => {
  e2e = await startE2E();
});
afterAll(async () => {
  await e2e?.close();
});

function getAccount() {
  return received(nock('https://api.stripe.com').get('/v1/account').reply(200, account, { 'content-type': 'application/json' }));
}

describe('Stripe through the admin API (restricted API key)', () => {
  let id: string;

  it('connect: POST /connections with the key; tested with GET /v1/account (Bearer) before saving', async () => {
    const whoami = getAccount();
    const res = await e2e.call('/api/v1/connections', { method: 'POST', json: { provider: 'stripe', credentials: { apiKey: KEY } } });
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({
      account: { id: 'acct_1Nv0FGQ9RKHgCVdK', name: 'Acme Rockets' },
      connection: { provider: 'stripe', displayName: 'Stripe', status: 'connected', authKind: 'api_key', account: { id: 'acct_1Nv0FGQ9RKHgCVdK', name: 'Acme Rockets' } },
    });

    expect(whoami).toHaveLength(1);
    expect(whoami[0]!.headers.get('authorization')).toBe(`Bearer ${KEY}`);
    expect(whoami[0]!.url.search).toBe('');

    id = res.body.connection.id;
    const row = await e2e.row(id);
    expect(row).toMatchObject({
      status: 'connected',
      auth_kind: 'api_key',
      metadata: { accountId: 'acct_1Nv0FGQ9RKHgCVdK', accountName: 'Acme Rockets', extra: { country: 'US', livemode: false, restrictedKey: true } },
    });
    expect(row.credentials).not.toContain(KEY);
    expect(e2e.decrypt(row.credentials!)).toEqual({ type: 'api_key', fields: { apiKey: KEY } });
  });

  it('test: GET /v1/account with the stored key', async () => {
    const whoami = getAccount();
    const res = await e2e.call(`/api/v1/connections/${id}/test`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: true, account: { id: 'acct_1Nv0FGQ9RKHgCVdK', name: 'Acme Rockets' }, connection: { status: 'connected' } });
    expect(whoami[0]!.headers.get('authorization')).toBe(`Bearer ${KEY}`);
  });

  it('disconnect: Stripe has no revoke call — not_supported with the revoke note; the credentials are deleted', async () => {
    // No nock: a revoke request would fail the test.
    const res = await e2e.call(`/api/v1/connections/${id}/disconnect`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ revoke: 'not_supported', note: stripe.definition.revokeNote, connection: { status: 'disconnected' } });
    expect(res.body.note).toContain('delete (or roll) the restricted key in the Stripe Dashboard');
    expect(await e2e.row(id)).toMatchObject({ status: 'disconnected', credentials: null });
  });

  it('a key Stripe rejects → 422 provider_auth_failed, and no row is written', async () => {
    const before = (await e2e.rows('stripe')).length;
    nock('https://api.stripe.com')
      .get('/v1/account')
      .reply(401, { error: { message: 'Invalid API Key provided: rk_test_****0bad', type: 'invalid_request_error' } }, { 'content-type': 'application/json' });
    const res = await e2e.app.fetch('/api/v1/connections', { method: 'POST', json: { provider: 'stripe', credentials: { apiKey: WRONG_KEY } } });
    expect(res.status).toBe(422);
    const err = await errorBody(res);
    e2e.seen.push(JSON.stringify(err));
    expect(err.code).toBe('provider_auth_failed');
    expect(await e2e.rows('stripe')).toHaveLength(before);
  });

  it('a publishable key is refused before Stripe is called', async () => {
    const res = await e2e.call('/api/v1/connections', { method: 'POST', json: { provider: 'stripe', credentials: { apiKey: 'pk_test_TYooMQauvdEDq54NiTphI7jx' } } });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'validation_failed', details: [expect.objectContaining({ path: 'credentials.apiKey' })] });
  });

  it('no key in any API body, log line or log/event/audit row', async () => {
    await e2e.expectNoSecrets([KEY, WRONG_KEY]);
  });
});
