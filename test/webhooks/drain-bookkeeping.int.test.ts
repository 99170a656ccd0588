/**
 * The drain's bookkeeping after each attempt, read from the rows: a success (written in one
 * statement) logs the attempt, marks the delivery delivered and moves the endpoint's counters; a
 * failure holds the line (the rest wait, the drain job is re-queued at the retry time); 410
 * disables the endpoint and gives up what it had pending.
 */
import { describe, expect, it } from 'vitest';
import { sql } from '../helpers/sql.ts';
import { webhookTest } from './support.ts';

const t = webhookTest();
const endpoint = () => t.endpoint();
const addTask = (title: string) => t.addTask(title);
const rows = (q: string, params: unknown[] = []) => sql(t.app.dbUrl, q, params) as Promise<Array<Record<string, any>>>;
async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('drain bookkeeping', () => {
  it('a success logs the attempt, delivers the row and moves the endpoint counters, in order', async () => {
    const hook = await endpoint();
    for (const title of ['one', 'two', 'three']) await addTask(title);
    await t.rx.waitFor(3);
    const ds = await until(
      () => rows(`select id, status, attempts, last_status_code, last_error, delivered_at, last_attempt_at, next_attempt_at from webhook_deliveries where endpoint_id = $1 order by id`, [hook.id]),
      (r) => r.every((d) => d.status === 'delivered'),
    );
    expect(t.rx.received.map((r) => JSON.parse(r.body).entity.title)).toEqual(['one', 'two', 'three']);
    for (const d of ds) {
      expect(d).toMatchObject({ status: 'delivered', attempts: 1, last_status_code: 200, last_error: null, next_attempt_at: null });
      expect(d.delivered_at).toEqual(d.last_attempt_at);
    }
    const attempts = await rows(`select delivery_id, trigger, status_code, response, error from webhook_attempts where endpoint_id = $1 order by id`, [hook.id]);
    expect(attempts).toEqual(ds.map((d) => ({ delivery_id: d.id, trigger: 'retry', status_code: 200, response: '{"ok":true}', error: null })));
    const [ep] = await rows(`select consecutive_failures, delivered_total::int, attempts_total::int, failed_attempts_total::int, last_status_code, last_success_at, last_attempt_at from webhook_endpoints where id = $1`, [hook.id]);
    expect(ep).toMatchObject({ consecutive_failures: 0, delivered_total: 3, attempts_total: 3, failed_attempts_total: 0, last_status_code: 200 });
    expect(ep!.last_success_at).toEqual(ep!.last_attempt_at);
  });

  it('a failure holds the line: the rest wait and the drain is re-queued at the retry time', async () => {
    const hook = await endpoint();
    t.rx.fallback = { status: 503, body: 'down' };
    await addTask('first');
    await addTask('second');
    await t.rx.waitFor(1);
    const [head] = await until(
      () => rows(`select id, status, attempts, last_status_code, next_attempt_at from webhook_deliveries where endpoint_id = $1 order by id limit 1`, [hook.id]),
      (r) => r[0]?.attempts === 1,
    );
    expect(head).toMatchObject({ status: 'pending', attempts: 1, last_status_code: 503 });
    expect(head!.next_attempt_at).not.toBeNull();
    const [job] = await until(
      () => rows(`select run_at from graphile_worker.jobs where key = $1 and locked_at is null`, [`webhook_drain:${hook.id}`]),
      (r) => r.length === 1 && new Date(r[0]!.run_at).getTime() === new Date(head!.next_attempt_at).getTime(),
    );
    expect(new Date(job!.run_at).getTime()).toBe(new Date(head!.next_attempt_at).getTime());
    expect(t.rx.received).toHaveLength(1);
    const [ep] = await rows(`select consecutive_failures, attempts_total::int, failed_attempts_total::int, delivered_total::int from webhook_endpoints where id = $1`, [hook.id]);
    expect(ep).toEqual({ consecutive_failures: 1, attempts_total: 1, failed_attempts_total: 1, delivered_total: 0 });
  });

  it('410 Gone disables the endpoint and gives up its pending deliveries', async () => {
    const hook = await endpoint();
    // The 410 comes late, so the second event's row is surely written before the disable: a
    // fan-out running concurrently with the disabling transaction can still add a pending row.
    t.rx.script.push({ status: 410, body: 'gone', delayMs: 500 });
    t.rx.fallback = { status: 410, body: 'gone' };
    await addTask('first');
    await addTask('second');
    await t.rx.waitFor(1);
    const [ep] = await until(
      () => rows(`select status, status_reason from webhook_endpoints where id = $1`, [hook.id]),
      (r) => r[0]?.status === 'disabled',
    );
    expect(ep).toMatchObject({ status: 'disabled', status_reason: 'Disabled: the endpoint answered 410 Gone' });
    const ds = await until(
      () => rows(`select status, attempts from webhook_deliveries where endpoint_id = $1 order by id`, [hook.id]),
      (r) => r.length === 2 && r.every((d) => d.status === 'failed'),
    );
    expect(ds).toEqual([{ status: 'failed', attempts: 1 }, { status: 'failed', attempts: 0 }]);
    expect(t.rx.received).toHaveLength(1);
  });
});
