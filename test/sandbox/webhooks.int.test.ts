/** Signed change webhooks, received by a local HTTP server and verified the way README.md says. */
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.ts';
import { eventually } from '../helpers/sql.ts';
import { newAccount, sbx, startSandboxApp } from './support.ts';

type Delivery = { headers: Record<string, string | string[] | undefined>; body: string };

let app: TestApp;
let receiver: Server;
let receiverUrl: string;
const deliveries: Delivery[] = [];
/** Deliveries the receiver answered 500 (while failNext > 0). */
const refused: Delivery[] = [];
let failNext = 0;

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (failNext > 0) {
        failNext--;
        refused.push({ headers: req.headers, body });
        res.statusCode = 500;
        return res.end();
      }
      deliveries.push({ headers: req.headers, body });
      res.statusCode = 204;
      res.end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hooks`;
  // The receiver is on loopback: the egress guard admits it only because the operator said so.
  app = await startSandboxApp({ EGRESS_ALLOW_PRIVATE: 'true' });
});
afterAll(async () => {
  await app?.close();
  await new Promise((r) => receiver?.close(r));
});

/** Verifies `Sandbox-Signature: t=…,v1=…` exactly as src/sandbox/README.md tells a receiver to. */
function verify(secret: string, d: Delivery, toleranceSeconds = 300): boolean {
  const header = String(d.headers['sandbox-signature']);
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=') as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || Math.abs(Date.now() / 1000 - t) > toleranceSeconds) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${d.body}`).digest('hex');
  return parts.v1 === expected;
}

describe('Sandbox webhooks', () => {
  it('subscribes (secret shown once), lists without the secret, and deletes', async () => {
    const { key } = await newAccount(app, 'Hooks list');
    const sub = await sbx(app, key, '/webhooks', { method: 'POST', json: { url: receiverUrl } });
    expect(sub.status).toBe(201);
    expect(sub.body).toMatchObject({ id: expect.stringMatching(/^whk_/), url: receiverUrl, secret: expect.stringMatching(/^sbxwh_/) });
    const list = await sbx(app, key, '/webhooks');
    expect(list.body.data).toEqual([{ id: sub.body.id, url: receiverUrl, created_at: expect.any(String) }]);
    expect((await sbx(app, key, `/webhooks/${sub.body.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await sbx(app, key, '/webhooks')).body.data).toEqual([]);
    expect((await sbx(app, key, '/webhooks', { method: 'POST', json: { url: 'ftp://x' } })).status).toBe(400);
  });

  it('signs each create, update and delete; the signature verifies with the secret and fails with another', async () => {
    const { key, account } = await newAccount(app, 'Hooks');
    const sub = await sbx(app, key, '/webhooks', { method: 'POST', json: { url: receiverUrl } });
    const secret = sub.body.secret as string;
    deliveries.length = 0;

    const task = (await sbx(app, key, '/tasks', { method: 'POST', json: { name: 'Hooked' } })).body;
    await sbx(app, key, `/tasks/${task.id}`, { method: 'PATCH', json: { status: 'done' } });
    await sbx(app, key, `/tasks/${task.id}`, { method: 'PATCH', json: { status: 'done' } }); // no change: no event
    await sbx(app, key, `/tasks/${task.id}`, { method: 'DELETE' });

    await eventually(async () => deliveries.length >= 3);
    await new Promise((r) => setTimeout(r, 200));
    const bodies = deliveries.map((d) => JSON.parse(d.body));
    expect(bodies.map((b) => b.type).sort()).toEqual(['task.created', 'task.deleted', 'task.updated']);
    for (const b of bodies) expect(b).toEqual({ type: b.type, id: task.id, account_id: account.id, occurred_at: expect.any(String) });
    for (const d of deliveries) {
      expect(d.headers['sandbox-delivery']).toMatch(/^[0-9a-f-]{36}$/);
      expect(d.headers['sandbox-signature']).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
      expect(verify(secret, d)).toBe(true);
      expect(verify('sbxwh_other', d)).toBe(false);
      expect(verify(secret, { ...d, body: d.body.replace('task', 'tusk') })).toBe(false);
    }
  });

  it('retries a receiver that failed, with the same delivery id, and never delays the API answer', async () => {
    const { key } = await newAccount(app, 'Hooks retry');
    await sbx(app, key, '/webhooks', { method: 'POST', json: { url: receiverUrl } });
    deliveries.length = 0;
    failNext = 1;
    const started = Date.now();
    const created = await sbx(app, key, '/contacts', { method: 'POST', json: { email: 'ada@example.com' } });
    expect(created.status).toBe(201);
    expect(Date.now() - started).toBeLessThan(400);
    const got = await eventually(async () => deliveries.find((d) => JSON.parse(d.body).id === created.body.id));
    expect(JSON.parse(got.body).type).toBe('contact.created');
    expect(refused).toHaveLength(1);
    expect(got.headers['sandbox-delivery']).toBe(refused[0]!.headers['sandbox-delivery']);
  });

  it('refuses a loopback URL unless the operator admits internal hosts (at delivery too: test/security/sandbox-webhook-ssrf)', async () => {
    const strict = await startSandboxApp();
    try {
      const { key } = await newAccount(strict, 'Strict');
      const sub = await sbx(strict, key, '/webhooks', { method: 'POST', json: { url: receiverUrl } });
      expect(sub.status).toBe(400);
      expect(sub.body.error.message).toMatch(/^url is refused: the target address is not allowed/);
      deliveries.length = 0;
      await sbx(strict, key, '/tasks', { method: 'POST', json: { name: 'Not delivered' } });
      await new Promise((r) => setTimeout(r, 300));
      expect(deliveries).toEqual([]);
      expect(strict.logs.filter((l) => l.includes('sbxwh_'))).toEqual([]);
    } finally {
      await strict.close();
    }
  });
});
