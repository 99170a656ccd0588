/**
 * Retries, auto-pause, 410 and timeouts with a controllable clock: Node's Date is faked (and
 * moves on by itself), graphile-worker runs with `useNodeTime`, so a retry scheduled with `runAt`
 * runs when the test moves the clock past it — and not before. The receiver is a local server.
 */
import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { recordEvent } from '../../src/events/record.ts';
import { RETRY_DELAYS_SECONDS } from '../../src/webhooks/retry.ts';
import { json } from '../helpers/app.ts';
import { sql } from '../helpers/sql.ts';
import { webhookTest } from './support.ts';

const t = webhookTest({ WEBHOOK_TIMEOUT_SECONDS: '1' });
const endpoint = (over: Record<string, unknown> = {}) => t.endpoint(over);
const addTask = (title: string) => t.addTask(title);

/** Moves the clock to `at` and wakes the workers (they would notice at their next poll anyway). */
async function clockTo(at: number) {
  vi.setSystemTime(at);
  await sql(t.app.dbUrl, `select pg_notify('jobs:insert', '{"count":1}')`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type DeliveryRow = { id: string; status: string; attempts: number; next_attempt_at: Date | null; last_attempt_at: Date | null; last_status_code: number | null; last_error: string | null; body: string };
const deliveries = (endpointId: string) => sql<DeliveryRow>(t.app.dbUrl, 'select * from webhook_deliveries where endpoint_id = $1 order by id', [endpointId]);
const endpointRow = async (id: string) => (await sql<{ status: string; status_reason: string | null; consecutive_failures: number }>(t.app.dbUrl, 'select * from webhook_endpoints where id = $1', [id]))[0]!;

/** Waits until the head delivery's attempt count reaches `attempts` (the attempt is recorded after the answer). */
async function attemptsReach(endpointId: string, attempts: number) {
  for (let i = 0; i < 300; i++) {
    const [d] = await deliveries(endpointId);
    if (d && d.attempts >= attempts) return d;
    await sleep(25);
  }
  throw new Error(`delivery never reached ${attempts} attempts`);
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
});
afterEach(() => {
  vi.useRealTimers();
});
afterAll(() => {
  vi.useRealTimers();
});

describe('retries and auto-pause', () => {
  it('follows the retry schedule, pauses on the 11th failure in a row, keeps later events, and delivers them in order on enable', { timeout: 90_000 }, async () => {
    const hook = await endpoint();
    t.rx.fallback = { status: 500, body: 'broken' };
    await addTask('one');
    await t.rx.waitFor(1);
    for (let attempt = 1; attempt <= 10; attempt++) {
      const d = await attemptsReach(hook.id, attempt);
      const delay = new Date(d.next_attempt_at!).getTime() - new Date(d.last_attempt_at!).getTime();
      const base = RETRY_DELAYS_SECONDS[attempt - 1]! * 1000;
      expect(delay).toBeGreaterThanOrEqual(base * 0.8 - 1);
      expect(delay).toBeLessThanOrEqual(base * 1.2 + 1);
      // Not before its time...
      await clockTo(new Date(d.next_attempt_at!).getTime() - 1000);
      await sleep(400);
      expect(t.rx.received).toHaveLength(attempt);
      // ...and once it is due.
      await clockTo(new Date(d.next_attempt_at!).getTime() + 10);
      await t.rx.waitFor(attempt + 1);
    }
    const head = await attemptsReach(hook.id, 11);
    expect(head).toMatchObject({ status: 'pending', attempts: 11, next_attempt_at: null, last_status_code: 500 });
    let ep = await endpointRow(hook.id);
    for (let i = 0; i < 100 && ep.status !== 'paused'; i++) (await sleep(20), (ep = await endpointRow(hook.id)));
    expect(ep).toMatchObject({ status: 'paused', consecutive_failures: 11, status_reason: 'Paused after 11 failed attempts in a row (last: HTTP 500)' });
    const [paused] = await sql<{ data: Record<string, unknown>; snapshot: Record<string, unknown> }>(t.app.dbUrl, "select data, snapshot from domain_events where type = 'webhook_paused' and entity_id = $1", [hook.id]);
    expect(paused!.data).toMatchObject({ by: 'auto', lastStatusCode: 500, pendingDeliveries: 1 });
    // Other endpoints receive this event: the URL's path (which can carry a token) is not in it.
    expect(paused!.snapshot.url).toBe(new URL(t.rx.url).origin);

    // Paused: later events are kept, nothing is sent.
    await addTask('two');
    await addTask('three');
    await clockTo(Date.now() + 48 * 3600_000);
    await sleep(500);
    expect(t.rx.received).toHaveLength(11);
    expect((await deliveries(hook.id)).map((d) => d.status)).toEqual(['pending', 'pending', 'pending']);

    t.rx.fallback = { status: 204 };
    const res = await t.app.fetch(`/api/v1/webhooks/${hook.id}`, { method: 'PATCH', json: { status: 'active' } });
    expect(await json(res)).toMatchObject({ status: 'active', consecutiveFailures: 0 });
    const got = await t.rx.waitFor(14);
    const titles = got.slice(11).map((r) => JSON.parse(r.body).entity.title);
    expect(titles).toEqual(['one', 'two', 'three']);
    for (const r of got.slice(11)) expect(() => new Webhook(hook.secret).verify(r.body, r.headers as Record<string, string>)).not.toThrow();
    const [enabled] = await sql<{ data: Record<string, unknown> }>(t.app.dbUrl, "select data from domain_events where type = 'webhook_enabled' and entity_id = $1", [hook.id]);
    expect(enabled!.data).toEqual({ previousStatus: 'paused', pendingDeliveries: 3 });
    await sleep(200);
    expect((await deliveries(hook.id)).map((d) => d.status)).toEqual(['delivered', 'delivered', 'delivered']);
  });

  it('a burst of 20 events during a 10-second outage does not pause the endpoint: one delivery probes, the rest wait', { timeout: 60_000 }, async () => {
    const hook = await endpoint();
    // The outage ends when the test says so (at the attempt ~5 min in on the job clock), not after
    // 10 s of wall time: a slow machine spent those before the second attempt and the test flaked.
    let down = true;
    t.rx.respond = () => (down ? { status: 503 } : { status: 200 });
    for (let i = 1; i <= 20; i++) await addTask(`burst ${i}`);
    await t.rx.waitFor(1);
    let d = await attemptsReach(hook.id, 1);
    await clockTo(new Date(d.next_attempt_at!).getTime() + 10); // ~5 s in: still down
    await t.rx.waitFor(2);
    d = await attemptsReach(hook.id, 2);
    expect(d.status).toBe('pending');
    down = false;
    await clockTo(new Date(d.next_attempt_at!).getTime() + 10); // ~5 min in: back up
    const got = await t.rx.waitFor(22);
    // Every event once (order is best effort: events still being fanned out when the line moves may come later).
    expect(got.slice(2).map((r) => JSON.parse(r.body).entity.title).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `burst ${i + 1}`).sort());
    await sleep(200);
    expect(t.rx.received).toHaveLength(22);
    expect(await endpointRow(hook.id)).toMatchObject({ status: 'active', consecutive_failures: 0 });
    expect(new Set((await deliveries(hook.id)).map((x) => x.status))).toEqual(new Set(['delivered']));
  });

  it('410 Gone disables the endpoint: webhook_disabled, its pending deliveries given up, no new ones', { timeout: 30_000 }, async () => {
    const hook = await endpoint();
    t.rx.fallback = { status: 410, body: 'gone' };
    await addTask('first');
    await t.rx.waitFor(1);
    await attemptsReach(hook.id, 1);
    let ep = await endpointRow(hook.id);
    for (let i = 0; i < 100 && ep.status !== 'disabled'; i++) (await sleep(20), (ep = await endpointRow(hook.id)));
    expect(ep).toMatchObject({ status: 'disabled', status_reason: 'Disabled: the endpoint answered 410 Gone' });
    expect(await sql(t.app.dbUrl, "select data->>'by' as by from domain_events where type = 'webhook_disabled' and entity_id = $1", [hook.id])).toEqual([{ by: 'auto' }]);
    expect((await deliveries(hook.id)).map((d) => d.status)).toEqual(['failed']);
    await addTask('second');
    await clockTo(Date.now() + 3600_000);
    await sleep(500);
    expect(t.rx.received).toHaveLength(1);
    expect(await deliveries(hook.id)).toHaveLength(1);
  });

  it('a timeout counts as a failure and is retried on schedule', { timeout: 30_000 }, async () => {
    const hook = await endpoint();
    t.rx.script.push({ hang: true });
    await addTask('slow');
    const d = await attemptsReach(hook.id, 1);
    expect(d).toMatchObject({ status: 'pending', last_status_code: null, last_error: 'no answer within 1 s (timeout)' });
    expect((await endpointRow(hook.id)).consecutive_failures).toBe(1);
    await clockTo(new Date(d.next_attempt_at!).getTime() + 10);
    await t.rx.waitFor(2);
    await sleep(200);
    expect((await deliveries(hook.id))[0]).toMatchObject({ status: 'delivered', attempts: 2 });
  });

  it('Retry-After: 120 on a 503 delays the next attempt to 120 s, not the scheduled 5 s', { timeout: 30_000 }, async () => {
    const hook = await endpoint();
    t.rx.script.push({ status: 503, headers: { 'retry-after': '120' } });
    await addTask('later');
    const d = await attemptsReach(hook.id, 1);
    const last = new Date(d.last_attempt_at!).getTime();
    expect(new Date(d.next_attempt_at!).getTime() - last).toBe(120_000);
    await clockTo(last + 60_000);
    await sleep(500);
    expect(t.rx.received).toHaveLength(1);
    await clockTo(last + 120_010);
    await t.rx.waitFor(2);
  });

  it('during a secret rotation each delivery carries two signatures and verifies with either secret', { timeout: 20_000 }, async () => {
    const hook = await endpoint();
    const rotated = await t.app.json(`/api/v1/webhooks/${hook.id}/rotate-secret`, { method: 'POST', json: { overlapHours: 24 } });
    await addTask('rotated');
    const [got] = await t.rx.waitFor(1);
    expect(String(got!.headers['webhook-signature']).split(' ')).toHaveLength(2);
    for (const secret of [hook.secret, rotated.secret]) {
      expect(new Webhook(secret).verify(got!.body, got!.headers as Record<string, string>)).toMatchObject({ eventType: 'task_added' });
    }
    // After the overlap only the new secret signs.
    await clockTo(Date.now() + 25 * 3600_000);
    await addTask('after overlap');
    const [, later] = await t.rx.waitFor(2);
    expect(String(later!.headers['webhook-signature']).split(' ')).toHaveLength(1);
    expect(() => new Webhook(hook.secret).verify(later!.body, later!.headers as Record<string, string>)).toThrow();
    expect(new Webhook(rotated.secret).verify(later!.body, later!.headers as Record<string, string>)).toMatchObject({ eventType: 'task_added' });
  });

  it('refuses a 300 KB event at the source: logged, shown as refused, never sent; smaller events still flow', { timeout: 20_000 }, async () => {
    const hook = await endpoint();
    const [ws] = await sql<{ id: string }>(t.app.dbUrl, 'select id from workspaces limit 1');
    const em = t.app.pb.rt.em();
    await em.transactional(async (tx) => {
      const now = new Date().toISOString();
      await recordEvent(tx, {
        workspaceId: ws!.id,
        type: 'task_added',
        entityId: '3f6c1d2e-8a7b-4c5d-9e0f-1a2b3c4d5e6f',
        snapshot: { id: '3f6c1d2e-8a7b-4c5d-9e0f-1a2b3c4d5e6f', title: 'huge', description: 'x'.repeat(300 * 1024), status: 'open', dueDate: null, assigneeEmail: null, scheduledMinutes: null, labels: [], createdBy: null, createdAt: now, updatedAt: now, deletedAt: null, removedRemotelyAt: null },
        data: {},
      });
    });
    await addTask('small');
    const [got] = await t.rx.waitFor(1);
    expect(JSON.parse(got!.body).entity.title).toBe('small');
    const rows = await deliveries(hook.id);
    expect(rows.map((d) => d.status)).toEqual(['refused', 'delivered']);
    expect(rows[0]!.last_error).toMatch(/payload is 30\d KB, over the 256 KB limit/);
    expect(rows[0]!.body).toBe('');
    expect(t.app.logs.some((l) => l.includes('webhook payload over the size limit'))).toBe(true);
    await sleep(300);
    expect(t.rx.received).toHaveLength(1);
  });
});
