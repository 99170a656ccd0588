/**
 * What the webhook delivery tests share: Patchbay with its workers and a local receiver (internal
 * targets admitted), a clean slate per test, and the two things every test does — register an
 * endpoint at the receiver and create a task (whose `task_added` event is delivered).
 */
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { startReceiver, type Receiver } from '../helpers/receiver.ts';
import { sql } from '../helpers/sql.ts';

export type WebhookTest = {
  app: TestApp;
  rx: Receiver;
  /** Registers an endpoint at the receiver (`task_added` unless told otherwise); the answer includes the secret. */
  endpoint(over?: Record<string, unknown>): Promise<{ id: string; secret: string; name: string }>;
  /** Creates a task through the API. */
  addTask(title: string): Promise<{ id: string }>;
};

/** Registers the suite's hooks; the returned object is filled once `beforeAll` has run. */
export function webhookTest(env: Record<string, string> = {}): WebhookTest {
  const t = {} as WebhookTest;
  let n = 0;
  beforeAll(async () => {
    t.app = await startTestApp({ workers: true, env: { WEBHOOKS_ALLOW_PRIVATE_TARGETS: 'true', ...env } });
    t.rx = await startReceiver();
  });
  afterAll(async () => {
    await t.app?.close();
    await t.rx?.close();
  });
  beforeEach(async () => {
    await sql(t.app.dbUrl, 'delete from webhook_endpoints');
    t.rx.received.length = 0;
    t.rx.script.length = 0;
    t.rx.respond = undefined;
    t.rx.fallback = { status: 200, body: '{"ok":true}' };
  });
  t.endpoint = async (over = {}) => {
    const res = await t.app.fetch('/api/v1/webhooks', { method: 'POST', json: { name: `Receiver ${++n}`, url: t.rx.url, eventTypes: ['task_added'], ...over } });
    expect(res.status).toBe(201);
    return (await res.json()) as { id: string; secret: string; name: string };
  };
  t.addTask = async (title) => {
    const res = await t.app.fetch('/api/v1/tasks', { method: 'POST', json: { title } });
    expect(res.status).toBe(201);
    return (await res.json()) as { id: string };
  };
  return t;
}
