/**
 * Outbound delivery end to end: a task created over the API reaches a local receiver through the
 * outbox, the subscriber, graphile-worker's deliveries pool and a signed keep-alive POST; the
 * receiver verifies it with the `standardwebhooks` reference library, not Patchbay's code.
 */
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorBody, json, startTestApp, type TestApp } from '../helpers/app.ts';
import { memberWithToken } from '../helpers/members.ts';
import { sql } from '../helpers/sql.ts';
import { webhookTest } from './support.ts';

const t = webhookTest({ PUBLIC_URL: 'https://patchbay.test' });
const endpoint = (over: Record<string, unknown> = {}) => t.endpoint({ eventTypes: ['task_added', 'task_updated'], ...over });
const addTask = (title: string) => t.addTask(title);

describe('outbound delivery', () => {
  it('delivers a task_added event in awork’s shape, verified by standardwebhooks', async () => {
    const hook = await endpoint();
    const task = await addTask('Draft the launch plan');
    const [got] = await t.rx.waitFor(1);
    const payload = new Webhook(hook.secret).verify(got!.body, got!.headers as Record<string, string>) as Record<string, any>;
    expect(payload).toMatchObject({
      eventType: 'task_added',
      entityType: 'task',
      entityId: task.id,
      entityLink: `https://patchbay.test/api/v1/tasks/${task.id}`,
      entity: { id: task.id, title: 'Draft the launch plan' },
      triggeredBy: { via: 'api', name: expect.any(String) },
      version: 1,
    });
    expect(payload.timestamp).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(payload.traceId).toBeTruthy();
    expect(got!.headers['content-type']).toBe('application/json');
    expect(got!.headers['webhook-id']).toMatch(/^msg_[0-9a-f]{32}$/);
    // The log says delivered, with the attempt.
    const log = await t.app.json(`/api/v1/webhooks/${hook.id}/deliveries`);
    expect(log.data).toHaveLength(1);
    expect(log.data[0]).toMatchObject({ eventType: 'task_added', status: 'delivered', attempts: 1, messageId: got!.headers['webhook-id'], attemptLog: [{ trigger: 'retry', statusCode: 200, response: '{"ok":true}' }] });
    const view = await t.app.json(`/api/v1/webhooks/${hook.id}`);
    expect(view).toMatchObject({ lastStatusCode: 200, consecutiveFailures: 0 });
  });

  it('sends only the subscribed types, and the endpoint’s own authorization header', async () => {
    await endpoint({ eventTypes: ['task_updated'], authorization: { header: 'X-Api-Key', value: 'k-secret-1' } });
    const task = await addTask('First');
    await t.app.fetch(`/api/v1/tasks/${task.id}`, { method: 'PATCH', json: { title: 'Second' } });
    const [got] = await t.rx.waitFor(1);
    expect(JSON.parse(got!.body)).toMatchObject({ eventType: 'task_updated', entity: { title: 'Second' } });
    expect(got!.headers['x-api-key']).toBe('k-secret-1');
    await new Promise((r) => setTimeout(r, 300));
    expect(t.rx.received).toHaveLength(1);
  });

  it('POST /test reports the answer synchronously and logs it; redeliver re-sends with the same webhook-id', async () => {
    const hook = await endpoint();
    t.rx.script.push({ status: 503, body: 'down for maintenance' });
    let res = await t.app.fetch(`/api/v1/webhooks/${hook.id}/test`, { method: 'POST' });
    expect(res.status).toBe(200);
    let out = await json(res);
    expect(out).toMatchObject({ ok: false, outcome: 'HTTP 503', attempt: { trigger: 'test', statusCode: 503, response: 'down for maintenance' }, delivery: { eventType: 'test', status: 'failed' } });
    const first = t.rx.received[0]!;
    expect(new Webhook(hook.secret).verify(first.body, first.headers as Record<string, string>)).toMatchObject({ eventType: 'test', entityId: hook.id });

    res = await t.app.fetch(`/api/v1/webhooks/${hook.id}/deliveries/${out.delivery.id}/redeliver`, { method: 'POST' });
    out = await json(res);
    expect(out).toMatchObject({ ok: true, outcome: 'HTTP 200', attempt: { trigger: 'manual' }, delivery: { status: 'delivered' } });
    expect(t.rx.received).toHaveLength(2);
    expect(t.rx.received[1]!.headers['webhook-id']).toBe(first.headers['webhook-id']);
    expect(t.rx.received[1]!.body).toBe(first.body);
    // Another endpoint's id in the path: not found, nothing sent.
    const other = await endpoint();
    res = await t.app.fetch(`/api/v1/webhooks/${other.id}/deliveries/${out.delivery.id}/redeliver`, { method: 'POST' });
    expect(res.status).toBe(404);
    expect((await errorBody(res)).code).toBe('not_found');
    expect(t.rx.received).toHaveLength(2);
  });

  it('a member may not list deliveries, test or redeliver', async () => {
    const hook = await endpoint();
    const { token } = await memberWithToken(t.app, 'member');
    for (const [method, path] of [
      ['GET', `/api/v1/webhooks/${hook.id}/deliveries`],
      ['POST', `/api/v1/webhooks/${hook.id}/test`],
      ['POST', `/api/v1/webhooks/${hook.id}/deliveries/1/redeliver`],
    ] as const) {
      const res = await t.app.fetch(path, { method, token });
      expect(res.status).toBe(403);
    }
    expect(t.rx.received).toHaveLength(0);
  });

  it('/metrics counts deliveries by outcome and attempts, and shows the age of each endpoint’s oldest pending delivery', async () => {
    const ok = await endpoint({ name: 'Metrics ok' });
    const down = await endpoint({ name: 'Metrics down' });
    // One receiver, two endpoints: the one whose URL ends in ?down answers 503.
    t.rx.respond = (req) => (req.path.endsWith('?down') ? { status: 503 } : { status: 200 });
    await sql(t.app.dbUrl, "update webhook_endpoints set url = url || '?down' where id = $1", [down.id]);
    await addTask('measured');
    await t.rx.waitFor(2);
    await new Promise((r) => setTimeout(r, 300));
    const text = await (await t.app.fetch('/metrics', { token: null })).text();
    const value = (line: RegExp) => Number(text.split('\n').find((l) => line.test(l))?.split(' ').at(-1));
    expect(value(/^patchbay_webhook_deliveries_total\{outcome="delivered"\}/)).toBe(1);
    expect(value(/^patchbay_webhook_attempts_total\{result="success"\}/)).toBe(1);
    expect(value(/^patchbay_webhook_attempts_total\{result="failure"\}/)).toBe(1);
    expect(value(new RegExp(`^patchbay_webhook_oldest_pending_seconds\\{endpoint="${down.id}"`))).toBeGreaterThan(0);
    expect(value(new RegExp(`^patchbay_webhook_oldest_pending_seconds\\{endpoint="${ok.id}"`))).toBe(0);
  });
});

describe('a slow endpoint', () => {
  let slowApp: TestApp;
  beforeAll(async () => {
    slowApp = await startTestApp({ workers: true, env: { WEBHOOKS_ALLOW_PRIVATE_TARGETS: 'true', WEBHOOK_CONCURRENCY: '2', WEBHOOK_TIMEOUT_SECONDS: '5' } });
  });
  afterAll(async () => {
    await slowApp?.close();
  });

  it('holds neither the other endpoints nor the other jobs: they go on while it hangs', { timeout: 30_000 }, async () => {
    t.rx.received.length = 0;
    t.rx.script.length = 0;
    // The receiver never answers the slow endpoint's requests.
    t.rx.respond = (req) => (req.path.endsWith('?slow') ? { hang: true } : { status: 200 });
    for (const [name, url] of [['Slow', `${t.rx.url}?slow`], ['Fast', t.rx.url]]) {
      expect((await slowApp.fetch('/api/v1/webhooks', { method: 'POST', json: { name, url, eventTypes: ['task_added'] } })).status).toBe(201);
    }
    for (const title of ['a', 'b', 'c']) expect((await slowApp.fetch('/api/v1/tasks', { method: 'POST', json: { title } })).status).toBe(201);
    const until = Date.now() + 10_000;
    while (t.rx.received.filter((r) => !r.path.endsWith('?slow')).length < 3 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    const fast = t.rx.received.filter((r) => !r.path.endsWith('?slow'));
    expect(fast.map((r) => JSON.parse(r.body).entity.title)).toEqual(['a', 'b', 'c']);
    // The slow endpoint got its first delivery and nothing else: the rest wait behind it.
    expect(t.rx.received.filter((r) => r.path.endsWith('?slow'))).toHaveLength(1);
    // The jobs pool went on too (dispatch jobs fanned every event out), and the slow endpoint's are kept.
    const slow = await sql<{ status: string; attempts: number }>(slowApp.dbUrl, "select d.status, d.attempts from webhook_deliveries d join webhook_endpoints e on e.id = d.endpoint_id where e.name = 'Slow' order by d.event_id");
    expect(slow).toEqual([
      { status: 'pending', attempts: 0 },
      { status: 'pending', attempts: 0 },
      { status: 'pending', attempts: 0 },
    ]);
  });
});
