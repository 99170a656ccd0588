/**
 * Stripe webhooks through the real ingress: a valid `Stripe-Signature` → 200, a receipt and the
 * connection's apply job; the same event again → still one receipt; a tampered body, another
 * secret, or a timestamp older than 5 minutes → 401 and nothing stored; an event Patchbay ignores →
 * 200, processed at once. Signed here as https://docs.stripe.com/webhooks#verify-manually documents.
 */
import { randomUUID } from 'node:crypto';
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startE2E } from '../providers-e2e/support.ts';
import { sql } from '../helpers/sql.ts';
import { applyJobs, deliver, hmacOf, receipts, type Env } from './schemes-a-support.ts';

const KEY = 'rk_test_51H8xYzAbCdEfGhIjKlMnOpQrStUvWx';
const WHSEC = 'whsec_8c2e4a6b0d1f3e57aa11bb22cc33dd44';
let env: Env;
let path: string;

beforeAll(async () => {
  const e2e = await startE2E();
  nock('https://api.stripe.com').get('/v1/account').reply(200, { id: 'acct_1Nv0FGQ9RKHgCVdK', object: 'account', business_profile: { name: 'Acme Rockets' } });
  const res = await e2e.call('/api/v1/connections', { method: 'POST', json: { provider: 'stripe', credentials: { apiKey: KEY } } });
  expect(res.status, res.text).toBe(201);
  const id = res.body.connection.id as string;
  const [ws] = await sql<{ workspace_id: string }>(e2e.app.dbUrl, 'select workspace_id from connections where id = $1', [id]);
  // The Env shape of the shared helpers; only the `stripe` entry is used here.
  env = { e2e, ids: { stripe: id } as unknown as Env['ids'], workspaceId: ws!.workspace_id };
  path = `/webhooks/stripe/${id}`;
}, 60_000);
afterAll(async () => {
  await env?.e2e.close();
});

const STRIPE = 'stripe' as keyof Env['ids'];
const event = (id: string, type = 'customer.updated', object: Record<string, unknown> = { id: 'cus_NffrFeUfNV2Hib', object: 'customer', name: 'Jenny Rosen' }) =>
  JSON.stringify({ id, object: 'event', api_version: '2023-08-16', created: Math.floor(Date.now() / 1000), type, data: { object }, livemode: false });
const sign = (body: string, opts: { t?: number; secret?: string } = {}) => {
  const t = opts.t ?? Math.floor(Date.now() / 1000);
  return { 'content-type': 'application/json; charset=utf-8', 'stripe-signature': `t=${t},v1=${hmacOf('sha256', opts.secret ?? WHSEC, `${t}.${body}`, 'hex')}` };
};

describe('Stripe webhooks', () => {
  const ids = { valid: `evt_${randomUUID()}`, ignored: `evt_${randomUUID()}`, bad: `evt_${randomUUID()}` };

  it('before the Admin stores the signing secret, deliveries are refused', async () => {
    const body = event(ids.bad);
    expect((await deliver(env, path, body, sign(body))).status).toBe(401);
    const put = await env.e2e.call(`/api/v1/connections/${env.ids[STRIPE]}/webhook-secret`, { method: 'PUT', json: { secret: WHSEC } });
    expect(put.status, put.text).toBe(204);
    // The ingress caches a connection's secrets for a few seconds.
    await new Promise((r) => setTimeout(r, 5_200));
  });

  it('a valid signature → 200, a receipt for the customer and the apply job', async () => {
    const body = event(ids.valid);
    const res = await deliver(env, path, body, sign(body));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ received: 1, applied: 1, duplicates: 0 });
    expect(await receipts(env, STRIPE, ids.valid)).toEqual([{ delivery_id: ids.valid, kind: 'customer.updated', object: 'customers', remote_id: 'cus_NffrFeUfNV2Hib', processed_at: null }]);
    expect(await applyJobs(env, STRIPE)).toBe(1);
  });

  it('the same event again (Stripe retries) → 200, still one receipt', async () => {
    const body = event(ids.valid);
    const res = await deliver(env, path, body, sign(body));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ duplicates: 1, applied: 0 });
    expect(await receipts(env, STRIPE, ids.valid)).toHaveLength(1);
  });

  it('an event Patchbay ignores → 200, processed at once, no new apply job', async () => {
    const body = event(ids.ignored, 'invoice.paid', { id: 'in_1NG8Du2eZvKYlo2C', object: 'invoice', customer: 'cus_NffrFeUfNV2Hib' });
    const res = await deliver(env, path, body, sign(body));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ received: 1, ignored: 1, applied: 0 });
    const [row] = await receipts(env, STRIPE, ids.ignored);
    expect(row).toMatchObject({ kind: 'invoice.paid', object: null });
    expect(row!.processed_at).not.toBeNull();
  });

  it('a tampered body → 401 signature_invalid, nothing stored', async () => {
    const body = event(ids.bad);
    const res = await deliver(env, path, body.replace('Jenny Rosen', 'Jenny Rose'), sign(body));
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('signature_invalid');
    expect(await receipts(env, STRIPE, ids.bad)).toEqual([]);
  });

  it('another secret, or no signature → 401, nothing stored', async () => {
    const body = event(ids.bad);
    expect((await deliver(env, path, body, sign(body, { secret: 'whsec_not_the_secret_0000000000000' }))).status).toBe(401);
    expect((await deliver(env, path, body, { 'content-type': 'application/json' })).status).toBe(401);
    expect(await receipts(env, STRIPE, ids.bad)).toEqual([]);
  });

  it('a timestamp more than 5 minutes old (a replay) → 401, nothing stored', async () => {
    const body = event(ids.bad);
    const res = await deliver(env, path, body, sign(body, { t: Math.floor(Date.now() / 1000) - 301 }));
    expect(res.status).toBe(401);
    expect(await receipts(env, STRIPE, ids.bad)).toEqual([]);
  });

  it('no key, secret or signature appears in the logs', () => {
    const logs = env.e2e.app.logs.join('\n');
    for (const s of [KEY, WHSEC]) expect(logs).not.toContain(s);
  });
});
