/**
 * What must hold when things go wrong around a delivery:
 * - the egress guard runs again at every delivery (DNS may answer differently than at creation):
 *   internal targets are refused with the one text, automatic and manual attempts alike;
 * - a worker killed after the task's commit — before and during its delivery — loses nothing:
 *   the next worker delivers, with the same `webhook-id`;
 * - an endpoint paused longer than the retention period still gets its kept events on enable.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import retention from '../../src/jobs/tasks/retention.ts';
import { EGRESS_REFUSED_TEXT } from '../../src/net/egress.ts';
import type { IpAddress } from '../../src/net/addresses.ts';
import { json, startTestApp, TEST_ENCRYPTION_KEY, type TestApp } from '../helpers/app.ts';
import { startReceiver, type Receiver } from '../helpers/receiver.ts';
import { sql } from '../helpers/sql.ts';
import { runEntryPoint, waitFor, type Proc } from '../skeleton/support.ts';

const procs: Proc[] = [];
let rx: Receiver;
beforeAll(async () => {
  rx = await startReceiver();
});
afterAll(async () => {
  for (const p of procs) await p.kill();
  await rx?.close();
});

describe('the egress guard at every delivery', () => {
  let app: TestApp;
  let answer: IpAddress[] = [{ address: '93.184.215.14', family: 4 }];
  beforeAll(async () => {
    // No WEBHOOKS_ALLOW_PRIVATE_TARGETS here: internal addresses are refused.
    app = await startTestApp({ workers: true });
    app.pb.rt.net.resolver = async () => answer;
  });
  afterAll(async () => {
    await app?.close();
  });

  it('refuses a hostname that now resolves to an internal address, and literal internal URLs, without connecting', { timeout: 30_000 }, async () => {
    answer = [{ address: '93.184.215.14', family: 4 }];
    const hook = await app.json('/api/v1/webhooks', { method: 'POST', json: { name: 'Rebinding', url: 'http://hooks.example.test/in', eventTypes: ['task_added'] } });
    expect(hook.id).toBeTruthy();
    for (const internal of ['127.0.0.1', '10.0.0.1', '169.254.169.254', '::1']) {
      answer = [{ address: internal, family: internal.includes(':') ? 6 : 4 }];
      const out = await app.json(`/api/v1/webhooks/${hook.id}/test`, { method: 'POST' });
      expect(out, internal).toMatchObject({ ok: false, attempt: { statusCode: null, error: `Refused: ${EGRESS_REFUSED_TEXT}` } });
      // The attempt log and the answer never name the internal address.
      expect(JSON.stringify(out)).not.toContain(internal === '::1' ? '"::1' : internal);
    }
    // Literal targets that an earlier policy admitted (the row is changed as an operator might have left it).
    for (const url of ['http://127.0.0.1:9/hook', 'http://10.0.0.1/hook', 'http://169.254.169.254/latest/meta-data', 'http://[::1]:9/hook']) {
      await sql(app.dbUrl, 'update webhook_endpoints set url = $2 where id = $1', [hook.id, url]);
      const out = await app.json(`/api/v1/webhooks/${hook.id}/test`, { method: 'POST' });
      expect(out, url).toMatchObject({ ok: false, attempt: { error: `Refused: ${EGRESS_REFUSED_TEXT}` } });
    }
    // An automatic delivery is checked the same way, and the reason is in the operator's log only.
    await sql(app.dbUrl, 'update webhook_endpoints set url = $2 where id = $1', [hook.id, 'http://hooks.example.test/in']);
    answer = [{ address: '10.0.0.1', family: 4 }];
    expect((await app.fetch('/api/v1/tasks', { method: 'POST', json: { title: 'rebound' } })).status).toBe(201);
    const [d] = await waitFor('the automatic attempt', async () => {
      const rows = await sql<{ attempts: number; last_error: string; status: string }>(app.dbUrl, "select * from webhook_deliveries where endpoint_id = $1 and event_type = 'task_added'", [hook.id]);
      return rows[0]?.attempts ? rows : null;
    });
    expect(d).toMatchObject({ status: 'pending', last_error: `Refused: ${EGRESS_REFUSED_TEXT}` });
    expect(app.logs.some((l) => l.includes('webhook delivery refused by the egress guard') && l.includes('10.0.0.1'))).toBe(true);
  });
});

describe('a worker killed around a delivery', () => {
  let app: TestApp;
  beforeAll(async () => {
    // The API only: no worker runs in this process, so the task commits with its delivery still ahead.
    app = await startTestApp({ env: { WEBHOOKS_ALLOW_PRIVATE_TARGETS: 'true' } });
  });
  afterAll(async () => {
    await app?.close();
  });

  const startWorker = () => {
    const p = runEntryPoint('src/main/worker.ts', {
      DATABASE_URL: app.dbUrl,
      ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      WEBHOOKS_ALLOW_PRIVATE_TARGETS: 'true',
      JOB_LEASE_MINUTES: '1',
      WORKER_CONCURRENCY: '2',
      WEBHOOK_CONCURRENCY: '2',
    });
    procs.push(p);
    return p;
  };

  it('delivers after restart, with the same webhook-id, exactly one delivery row', { timeout: 90_000 }, async () => {
    rx.received.length = 0;
    rx.script = [{ hang: true }];
    const hook = await app.json('/api/v1/webhooks', { method: 'POST', json: { name: 'Crash', url: rx.url, eventTypes: ['task_added'] } });
    expect((await app.fetch('/api/v1/tasks', { method: 'POST', json: { title: 'survives' } })).status).toBe(201);
    // Committed, not delivered: no worker has run.
    expect(await sql(app.dbUrl, 'select count(*)::int as n from webhook_deliveries')).toEqual([{ n: 0 }]);

    // A worker takes it, and dies while the receiver holds the request.
    const first = startWorker();
    await rx.waitFor(1, 30_000);
    first.child.kill('SIGKILL');
    await first.exited;
    // Its lease runs out (as JOB_LEASE_MINUTES would make it) and another worker starts.
    await sql(app.dbUrl, `update graphile_worker._private_jobs set locked_at = now() - interval '5 minutes' where locked_at is not null`);
    await sql(app.dbUrl, `update graphile_worker._private_job_queues set locked_at = now() - interval '5 minutes' where locked_at is not null`);
    const second = startWorker();
    const [a, b] = await rx.waitFor(2, 30_000);
    expect(JSON.parse(b!.body)).toMatchObject({ eventType: 'task_added', entity: { title: 'survives' } });
    expect(b!.headers['webhook-id']).toBe(a!.headers['webhook-id']);
    await waitFor('delivered', async () => (await sql<{ status: string }>(app.dbUrl, 'select status from webhook_deliveries where endpoint_id = $1', [hook.id]))[0]?.status === 'delivered');
    expect(await sql(app.dbUrl, 'select count(*)::int as n from webhook_deliveries where endpoint_id = $1', [hook.id])).toEqual([{ n: 1 }]);
    await second.kill();
  });
});

describe('retention and a long pause', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ workers: true, env: { WEBHOOKS_ALLOW_PRIVATE_TARGETS: 'true', RETENTION_DAYS: '30' } });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('keeps what a paused endpoint has not received past the retention period; prunes settled deliveries and attempts', { timeout: 30_000 }, async () => {
    rx.received.length = 0;
    rx.script = [];
    const hook = await app.json('/api/v1/webhooks', { method: 'POST', json: { name: 'Long pause', url: rx.url, eventTypes: ['task_added'] } });
    expect((await app.fetch('/api/v1/tasks', { method: 'POST', json: { title: 'delivered long ago' } })).status).toBe(201);
    await rx.waitFor(1);
    await waitFor('delivered', async () => (await sql<{ n: number }>(app.dbUrl, "select count(*)::int as n from webhook_deliveries where status = 'delivered'"))[0]!.n === 1);
    await app.fetch(`/api/v1/webhooks/${hook.id}`, { method: 'PATCH', json: { status: 'paused' } });
    expect((await app.fetch('/api/v1/tasks', { method: 'POST', json: { title: 'kept for months' } })).status).toBe(201);
    await waitFor('kept', async () => (await sql<{ n: number }>(app.dbUrl, "select count(*)::int as n from webhook_deliveries where status = 'pending'"))[0]!.n === 1);
    // Six months pass.
    await sql(app.dbUrl, "update webhook_deliveries set created_at = created_at - interval '180 days'");
    await sql(app.dbUrl, "update webhook_attempts set attempted_at = attempted_at - interval '180 days'");
    await sql(app.dbUrl, "update domain_events set created_at = created_at - interval '180 days'");
    await retention.run({}, { rt: app.pb.rt, em: app.pb.rt.em(), logger: app.pb.rt.logger, helpers: {} as never, correlationId: 'test' });
    expect(await sql(app.dbUrl, 'select status from webhook_deliveries')).toEqual([{ status: 'pending' }]);
    expect(await sql(app.dbUrl, 'select count(*)::int as n from webhook_attempts')).toEqual([{ n: 0 }]);

    const res = await app.fetch(`/api/v1/webhooks/${hook.id}`, { method: 'PATCH', json: { status: 'active' } });
    expect((await json(res)).status).toBe('active');
    const [, kept] = await rx.waitFor(2);
    expect(JSON.parse(kept!.body).entity.title).toBe('kept for months');
  });
});
