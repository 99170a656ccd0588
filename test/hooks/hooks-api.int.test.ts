/**
 * Custom inbound hooks over real HTTP and Postgres: an Admin creates one (URL and secret shown
 * once), any service posts JSON to it; with a secret, unsigned, wrongly signed and stale bodies
 * get 401 and nothing is stored; a repeated webhook-id is stored once (also 20 copies at once);
 * unknown, rotated and disabled URLs answer the same 404; Members read but cannot change.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { errorBody, startTestApp, type TestApp } from '../helpers/app.ts';
import { memberWithToken } from '../helpers/members.ts';
import { sql } from '../helpers/sql.ts';
import { sendToHook } from './support.ts';

let app: TestApp;
let memberToken: string;

beforeAll(async () => {
  app = await startTestApp();
  memberToken = (await memberWithToken(app, 'member')).token;
});
afterAll(async () => {
  await app?.close();
});
beforeEach(async () => {
  await sql(app.dbUrl, 'delete from inbound_hooks');
});

type Created = { id: string; url: string; secret: string | null; tokenPrefix: string; urlPreview: string };
const create = async (json: Record<string, unknown>): Promise<Created> => {
  const res = await app.fetch('/api/v1/hooks', { method: 'POST', json });
  expect(res.status).toBe(201);
  const h = (await res.json()) as Created;
  expect(h.url.startsWith(`${app.config.PUBLIC_URL}/hooks/`)).toBe(true);
  // PUBLIC_URL names port 0 here: send to where the test server listens.
  return { ...h, url: `${app.url}${new URL(h.url).pathname}` };
};
const messages = (hookId: string) => sql<{ payload: unknown; signature_verified: boolean; webhook_id: string | null }>(app.dbUrl, 'select payload, signature_verified, webhook_id from inbound_hook_messages where hook_id = $1 order by id', [hookId]);

describe('creating and reading hooks', () => {
  it('shows the URL and a generated secret once; afterwards only the prefix; the token is stored as a hash', async () => {
    const h = await create({ name: 'Uptime monitor', secret: true });
    expect(h.url).toMatch(new RegExp(`^${app.url}/hooks/hk_[A-Za-z0-9_-]{43}$`));
    expect(h.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const token = h.url.split('/hooks/')[1]!;
    expect(token.startsWith(h.tokenPrefix)).toBe(true);

    const got = await app.json(`/api/v1/hooks/${h.id}`);
    expect(got).toMatchObject({ name: 'Uptime monitor', status: 'active', hasSecret: true, receivedCount: 0, lastReceivedAt: null, urlPreview: `${app.config.PUBLIC_URL}/hooks/${h.tokenPrefix}…` });
    expect(JSON.stringify(got)).not.toContain(token);
    expect(JSON.stringify(await app.json('/api/v1/hooks'))).not.toContain(h.secret!);
    const [row] = await sql<{ token_hash: string; secret: string }>(app.dbUrl, 'select token_hash, secret from inbound_hooks where id = $1', [h.id]);
    expect(row!.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(row!.secret).toMatch(/^v1\./);
    expect(row!.secret).not.toContain(h.secret!.slice(6, 20));

    const dup = await app.fetch('/api/v1/hooks', { method: 'POST', json: { name: 'Uptime monitor' } });
    expect(dup.status).toBe(409);
  });

  it('a Member lists and reads hooks but may not create, change or delete them (refusals audited)', async () => {
    const h = await create({ name: 'Forms' });
    const list = await app.fetch('/api/v1/hooks', { token: memberToken });
    expect(list.status).toBe(200);
    expect(((await list.json()) as { data: Array<{ name: string }> }).data.map((x) => x.name)).toEqual(['Forms']);
    for (const [method, path, json] of [
      ['POST', '/api/v1/hooks', { name: 'Mine' }],
      ['PATCH', `/api/v1/hooks/${h.id}`, { status: 'disabled' }],
      ['DELETE', `/api/v1/hooks/${h.id}`, undefined],
      ['POST', `/api/v1/hooks/${h.id}/rotate-token`, undefined],
    ] as const) {
      const res = await app.fetch(path, { method, token: memberToken, ...(json ? { json } : {}) });
      expect(res.status, `${method} ${path}`).toBe(403);
      expect((await errorBody(res)).message).toMatch(/needs the Admin or Owner role; you are a Member/);
    }
    expect(await sql(app.dbUrl, 'select name, status from inbound_hooks')).toEqual([{ name: 'Forms', status: 'active' }]);
    const audits = await sql<{ action: string; outcome: string }>(app.dbUrl, `select action, outcome from audit_logs where action = 'hooks.manage' order by id`);
    expect(audits.length).toBeGreaterThan(0);
    expect(audits.every((a) => a.outcome === 'refused')).toBe(true);
  });
});

describe('POST /hooks/<token>', () => {
  it('accepts JSON without a secret, stores it, counts it and lists it newest first', async () => {
    const h = await create({ name: 'Forms' });
    for (const n of [1, 2, 3]) {
      const res = await sendToHook(h.url, { form: 'signup', n });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ received: true, id: expect.stringMatching(/^\d+$/) });
    }
    const page = await app.json(`/api/v1/hooks/${h.id}/messages?limit=2`);
    expect(page.data.map((m: { payload: { n: number } }) => m.payload.n)).toEqual([3, 2]);
    expect(page.data[0]).toMatchObject({ contentType: 'application/json', signatureVerified: false, webhookId: null, size: 23 });
    const next = await app.json(`/api/v1/hooks/${h.id}/messages?limit=2&cursor=${page.nextCursor}`);
    expect(next.data.map((m: { payload: { n: number } }) => m.payload.n)).toEqual([1]);
    expect(next.nextCursor).toBeNull();
    expect(await app.json(`/api/v1/hooks/${h.id}`)).toMatchObject({ receivedCount: 3, lastReceivedAt: expect.any(String) });
    // Members read messages too.
    expect((await app.fetch(`/api/v1/hooks/${h.id}/messages`, { token: memberToken })).status).toBe(200);
    // The event carries facts, never the body.
    const events = await sql<{ type: string; data: Record<string, unknown>; snapshot: Record<string, unknown> }>(app.dbUrl, `select type, data, snapshot from domain_events where type = 'hook_received' order by id`);
    expect(events).toHaveLength(3);
    expect(events[0]!.data).toMatchObject({ size: 23, signatureVerified: false, contentType: 'application/json' });
    expect(JSON.stringify(events)).not.toContain('signup');
  });

  it('with a secret: unsigned, wrongly signed, tampered and stale bodies get 401 and nothing is stored; a signed one is stored', async () => {
    const h = await create({ name: 'Billing', secret: true });
    const body = { invoice: 'inv_1', amount: 1200 };
    const unsigned = await sendToHook(h.url, body);
    expect(unsigned.status).toBe(401);
    expect((await errorBody(unsigned)).message).toMatch(/requires a signed body \(Standard Webhooks\): missing webhook-id, webhook-timestamp, webhook-signature/);

    const wrong = await sendToHook(h.url, body, { secret: 'whsec_' + Buffer.alloc(32, 1).toString('base64') });
    expect(wrong.status).toBe(401);
    expect((await errorBody(wrong)).message).toMatch(/webhook-signature does not match/);

    const stale = await sendToHook(h.url, body, { secret: h.secret!, at: new Date(Date.now() - 6 * 60_000) });
    expect(stale.status).toBe(401);
    expect((await errorBody(stale)).message).toMatch(/webhook-timestamp is 3\d\d s away from now \(at most 300 s\)/);

    const signedHeaders = await (async () => {
      const { signDelivery } = await import('../../src/webhooks/sign.ts');
      return signDelivery([h.secret!], 'msg_tampered', JSON.stringify(body));
    })();
    const tampered = await fetch(h.url, { method: 'POST', headers: { 'content-type': 'application/json', ...signedHeaders }, body: JSON.stringify({ ...body, amount: 1 }) });
    expect(tampered.status).toBe(401);
    expect(await messages(h.id)).toEqual([]);
    expect(app.logs.some((l) => l.includes('custom hook body refused: signature'))).toBe(true);
    expect(app.logs.some((l) => l.includes(h.secret!))).toBe(false);

    const ok = await sendToHook(h.url, body, { secret: h.secret!, id: 'msg_good' });
    expect(ok.status).toBe(200);
    expect(await messages(h.id)).toEqual([{ payload: body, signature_verified: true, webhook_id: 'msg_good' }]);
  });

  it('a repeated webhook-id is stored once and answers the first id, also for 20 concurrent copies', async () => {
    const h = await create({ name: 'Retries', secret: true });
    const first = await sendToHook(h.url, { n: 1 }, { secret: h.secret!, id: 'msg_once' });
    const { id } = (await first.json()) as { id: string };
    const again = await sendToHook(h.url, { n: 1 }, { secret: h.secret!, id: 'msg_once' });
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ received: true, id, duplicate: true });

    const burst = await Promise.all(Array.from({ length: 20 }, () => sendToHook(h.url, { n: 2 }, { secret: h.secret!, id: 'msg_burst' })));
    expect(burst.map((r) => r.status)).toEqual(Array(20).fill(200));
    const answers = (await Promise.all(burst.map((r) => r.json()))) as Array<{ id: string; duplicate?: boolean }>;
    expect(answers.filter((a) => !a.duplicate)).toHaveLength(1);
    expect(new Set(answers.map((a) => a.id)).size).toBe(1);
    expect((await messages(h.id)).map((m) => m.webhook_id)).toEqual(['msg_once', 'msg_burst']);
    expect(await app.json(`/api/v1/hooks/${h.id}`)).toMatchObject({ receivedCount: 2 });
  });

  it('unknown, rotated and disabled URLs get the same 404; non-JSON gets 415 or 400; over 1 MB gets 413', async () => {
    const h = await create({ name: 'Monitor' });
    const unknown = await sendToHook(`${app.url}/hooks/hk_${'x'.repeat(43)}`, { a: 1 });
    expect(unknown.status).toBe(404);
    const unknownText = (await errorBody(unknown)).message;
    expect(unknownText).toBe('No hook at this URL: it is unknown, was rotated, or is disabled.');

    expect((await sendToHook(h.url, 'a=1&b=2', { contentType: 'application/x-www-form-urlencoded' })).status).toBe(415);
    const bad = await sendToHook(h.url, '{"a":');
    expect(bad.status).toBe(400);
    expect((await errorBody(bad)).code).toBe('malformed_json');
    expect((await errorBody(await sendToHook(h.url, ''))).message).toMatch(/body is empty/);
    const big = await sendToHook(h.url, { blob: 'x'.repeat(1_100_000) });
    expect(big.status).toBe(413);
    expect((await errorBody(big)).code).toBe('payload_too_large');
    expect(await messages(h.id)).toEqual([]);

    const disabled = await app.fetch(`/api/v1/hooks/${h.id}`, { method: 'PATCH', json: { status: 'disabled' } });
    expect(disabled.status).toBe(200);
    const off = await sendToHook(h.url, { a: 1 });
    expect(off.status).toBe(404);
    expect((await errorBody(off)).message).toBe(unknownText);
    await app.fetch(`/api/v1/hooks/${h.id}`, { method: 'PATCH', json: { status: 'active' } });
    expect((await sendToHook(h.url, { a: 1 })).status).toBe(200);

    const rotated = await app.fetch(`/api/v1/hooks/${h.id}/rotate-token`, { method: 'POST' });
    expect(rotated.status).toBe(200);
    const url = `${app.url}${new URL(((await rotated.json()) as { url: string }).url).pathname}`;
    expect(url).not.toBe(h.url);
    expect((await sendToHook(h.url, { a: 2 })).status).toBe(404);
    expect((await sendToHook(url, { a: 3 })).status).toBe(200);
    expect((await messages(h.id)).map((m) => m.payload)).toEqual([{ a: 1 }, { a: 3 }]);
  });

  it('a secret can be set, replaced by a generated one (shown once) and cleared', async () => {
    const h = await create({ name: 'Later signed' });
    const given = 'whsec_' + Buffer.alloc(32, 9).toString('base64');
    const set = await app.json(`/api/v1/hooks/${h.id}`, { method: 'PATCH', json: { secret: given } });
    expect(set).toMatchObject({ hasSecret: true });
    expect(set.secret).toBeUndefined();
    expect((await sendToHook(h.url, { a: 1 })).status).toBe(401);
    expect((await sendToHook(h.url, { a: 1 }, { secret: given })).status).toBe(200);
    const generated = await app.json(`/api/v1/hooks/${h.id}`, { method: 'PATCH', json: { secret: true } });
    expect(generated.secret).toMatch(/^whsec_/);
    expect((await sendToHook(h.url, { a: 2 }, { secret: given })).status).toBe(401);
    expect((await sendToHook(h.url, { a: 2 }, { secret: generated.secret })).status).toBe(200);
    const cleared = await app.json(`/api/v1/hooks/${h.id}`, { method: 'PATCH', json: { secret: null } });
    expect(cleared).toMatchObject({ hasSecret: false });
    expect((await sendToHook(h.url, { a: 3 })).status).toBe(200);
    const bad = await app.fetch(`/api/v1/hooks/${h.id}`, { method: 'PATCH', json: { secret: 'hunter2' } });
    expect(bad.status).toBe(400);
    expect((await errorBody(bad)).message).not.toContain('hunter2');
  });

  it('deleting a hook removes its messages and its URL', async () => {
    const h = await create({ name: 'Temp' });
    expect((await sendToHook(h.url, { a: 1 })).status).toBe(200);
    expect((await app.fetch(`/api/v1/hooks/${h.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await sendToHook(h.url, { a: 2 })).status).toBe(404);
    expect(await sql(app.dbUrl, 'select 1 from inbound_hook_messages')).toEqual([]);
  });
});
