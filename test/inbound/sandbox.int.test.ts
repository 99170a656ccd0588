/**
 * Inbound webhooks end to end with the built-in Sandbox: a realtime rule subscribes the
 * connection to the Sandbox's change webhooks; a change there reaches Patchbay's receiver, is
 * verified, stored once and applied by an incremental run — no poll; forged, tampered and stale
 * deliveries are refused and leave nothing behind; disconnecting removes the subscription.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhookSummary } from '../../src/inbound/summary.ts';
import { createAccount } from '../../src/sandbox/store.ts';
import { createWorkspace } from '../../src/workspaces/workspaces.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { eventually, sql } from '../helpers/sql.ts';
import { sbx } from '../sandbox/support.ts';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ workers: true, env: { SANDBOX_ENABLED: 'true' } });
}, 60_000);
afterAll(async () => app?.close());

type Env = { key: string; token: string; workspaceId: string; connectionId: string; ruleId: string; registrationId: string; secret: string; url: string };

/** A workspace, a Sandbox account with one task, a connection and a realtime rule whose webhook got registered. */
async function setup(name: string): Promise<Env> {
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  const ws = await createWorkspace(app.pb.rt.em(), { name, slug, ownerName: 'Ada', ownerEmail: `ada@${slug}.example` });
  const { key } = await createAccount(app.pb.rt.db.pool, name);
  await sbx(app, key, '/tasks', { method: 'POST', json: { name: 'Write the brief' } });
  const conn = await app.json('/api/v1/connections', { method: 'POST', token: ws.token, json: { provider: 'sandbox', displayName: name, credentials: { apiKey: key } } });
  const connectionId = conn.connection.id as string;
  const res = await app.fetch(`/api/v1/connections/${connectionId}/rules`, { method: 'POST', token: ws.token, json: { remoteObject: 'tasks', direction: 'both', frequency: 'realtime' } });
  const rule = (await res.json()) as any;
  expect(res.status, JSON.stringify(rule)).toBe(201);
  const reg = await eventually(async () => {
    const [row] = await sql<{ id: string; status: string; remote_id: string; secret: string }>(app.dbUrl, `select id, status, remote_id, secret from provider_webhooks where connection_id = $1`, [connectionId]);
    return row?.status === 'active' ? row : undefined;
  });
  await eventually(async () => (await sql(app.dbUrl, `select 1 from sync_runs where connection_id = $1 and status = 'succeeded'`, [connectionId])).length > 0);
  return {
    key,
    token: ws.token,
    workspaceId: ws.workspace.id,
    connectionId,
    ruleId: (rule.rule ?? rule).id,
    registrationId: reg.id,
    secret: app.pb.rt.vault.decrypt<string>(reg.secret),
    url: `${app.url}/webhooks/sandbox/${connectionId}/${reg.id}`,
  };
}

/** Signs like the Sandbox does (src/sandbox/README.md), independently of the receiver's code. */
function signed(secret: string, body: string, t = Math.floor(Date.now() / 1000), delivery: string = randomUUID()) {
  const v1 = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
  return { 'content-type': 'application/json', 'sandbox-signature': `t=${t},v1=${v1}`, 'sandbox-delivery': delivery };
}

const receipts = (e: Env) => sql<{ delivery_id: string; kind: string; object: string | null; processed_at: Date | null }>(app.dbUrl, `select delivery_id, kind, object, processed_at from inbound_receipts where connection_id = $1 order by received_at`, [e.connectionId]);
const webhookRuns = (e: Env) => sql<{ id: string; status: string; pulled: number }>(app.dbUrl, `select id, status, pulled from sync_runs where rule_id = $1 and trigger = 'webhook' order by created_at`, [e.ruleId]);

describe('Sandbox webhooks drive a realtime rule', () => {
  let e: Env;
  beforeAll(async () => {
    e = await setup('Realtime Co');
  }, 60_000);

  it('registers a subscription at the Sandbox pointing at the connection\'s receiver', async () => {
    const subs = await sbx(app, e.key, '/webhooks');
    expect(subs.body.data).toEqual(expect.arrayContaining([expect.objectContaining({ url: `${app.pb.rt.config.PUBLIC_URL}/webhooks/sandbox/${e.connectionId}/${e.registrationId}` })]));
    // With a webhook registered, the rule only reconciles hourly: the next poll is far off.
    const [rule] = await sql<{ next_run_at: Date }>(app.dbUrl, 'select next_run_at from sync_rules where id = $1', [e.ruleId]);
    expect(rule!.next_run_at.getTime() - Date.now()).toBeGreaterThan(50 * 60_000);
  });

  it('a change at the Sandbox updates the local task within seconds, by a webhook-triggered run', async () => {
    const list = await sbx(app, e.key, '/tasks');
    const remote = list.body.data[0];
    await sbx(app, e.key, `/tasks/${remote.id}`, { method: 'PATCH', json: { name: 'Write the brief — v2' } });
    const task = await eventually(async () => {
      const [t] = await sql<{ title: string }>(app.dbUrl, `select title from tasks where workspace_id = $1 and title like 'Write the brief%'`, [e.workspaceId]);
      return t?.title === 'Write the brief — v2' ? t : undefined;
    }, 10_000);
    expect(task.title).toBe('Write the brief — v2');
    const runs = await webhookRuns(e);
    expect(runs.length).toBeGreaterThanOrEqual(1);
    const rows = await receipts(e);
    expect(rows.some((r) => r.kind === 'task.updated' && r.object === 'tasks' && r.processed_at)).toBe(true);
    // What `status <connection>` shows under Webhooks.
    expect(await webhookSummary(app.pb.rt.em(), e.connectionId)).toMatch(/^1 receiving, last change received \d+ s ago$/);
  });

  it('50 concurrent copies of one delivery: all acknowledged, one receipt, one run', async () => {
    await eventually(async () => (await sql(app.dbUrl, `select 1 from sync_runs where rule_id = $1 and status in ('queued', 'running')`, [e.ruleId])).length === 0);
    const before = (await webhookRuns(e)).length;
    const body = JSON.stringify({ type: 'task.updated', id: 'tsk_dupe', account_id: 'acc_x', occurred_at: new Date().toISOString() });
    const headers = signed(e.secret, body, undefined, 'dupe-delivery-1');
    const answers = await Promise.all(Array.from({ length: 50 }, () => fetch(e.url, { method: 'POST', headers, body })));
    expect(answers.map((r) => r.status)).toEqual(Array(50).fill(200));
    const bodies = await Promise.all(answers.map((r) => r.json() as Promise<any>));
    expect(bodies.filter((b) => b.duplicates === 0)).toHaveLength(1);
    expect((await receipts(e)).filter((r) => r.delivery_id === 'dupe-delivery-1')).toHaveLength(1);
    await eventually(async () => (await webhookRuns(e)).length > before && (await sql(app.dbUrl, `select 1 from sync_runs where rule_id = $1 and status in ('queued', 'running')`, [e.ruleId])).length === 0);
    expect((await webhookRuns(e)).length).toBe(before + 1);
  });

  it('a tampered body, a wrong secret, a stale timestamp or no signature → 401 and nothing stored', async () => {
    const body = JSON.stringify({ type: 'task.updated', id: 'tsk_1', account_id: 'acc_x' });
    const cases: Array<[string, Record<string, string>, string]> = [
      ['tampered', signed(e.secret, body, undefined, 'forged-1'), body.replace('tsk_1', 'tsk_2')],
      ['wrong secret', signed('sbxwh_not-the-secret', body, undefined, 'forged-2'), body],
      ['stale', signed(e.secret, body, Math.floor(Date.now() / 1000) - 600, 'forged-3'), body],
      ['unsigned', { 'content-type': 'application/json', 'sandbox-delivery': 'forged-4' }, body],
    ];
    for (const [what, headers, sent] of cases) {
      const res = await fetch(e.url, { method: 'POST', headers, body: sent });
      const err = (await res.json()) as any;
      expect(res.status, what).toBe(401);
      expect(err.error.code, what).toBe('signature_invalid');
    }
    expect((await receipts(e)).filter((r) => r.delivery_id.startsWith('forged-'))).toEqual([]);
    expect(app.logs.some((l) => l.includes('inbound webhook: signature invalid'))).toBe(true);
    expect(app.logs.some((l) => l.includes(e.secret))).toBe(false);
    // Operators see refusals and duplicates on /metrics.
    const metrics = await (await fetch(`${app.url}/metrics`)).text();
    expect(Number(/patchbay_inbound_webhooks_total\{provider="sandbox",outcome="rejected"\} (\d+)/.exec(metrics)?.[1])).toBeGreaterThanOrEqual(4);
    expect(Number(/patchbay_inbound_webhooks_total\{provider="sandbox",outcome="duplicate"\} (\d+)/.exec(metrics)?.[1])).toBeGreaterThanOrEqual(49);
  });

  it('an event type Patchbay has no use for → 200, recorded as processed, no run', async () => {
    const before = (await webhookRuns(e)).length;
    const body = JSON.stringify({ type: 'account.updated', id: 'acc_1', account_id: 'acc_1' });
    const res = await fetch(e.url, { method: 'POST', headers: signed(e.secret, body, undefined, 'ignored-1'), body });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ received: 1, ignored: 1, applied: 0 });
    const [row] = (await receipts(e)).filter((r) => r.delivery_id === 'ignored-1');
    expect(row).toMatchObject({ object: null });
    expect(row!.processed_at).not.toBeNull();
    await sleep(300);
    expect((await webhookRuns(e)).length).toBe(before);
  });

  it('unknown connections and malformed URLs are 404; a valid signature over a body that is not JSON is 400', async () => {
    expect((await fetch(`${app.url}/webhooks/sandbox/${randomUUID()}`, { method: 'POST', body: '{}' })).status).toBe(404);
    expect((await fetch(`${app.url}/webhooks/sandbox/not-a-uuid`, { method: 'POST', body: '{}' })).status).toBe(404);
    expect((await fetch(`${app.url}/webhooks/nosuchprovider/${e.connectionId}`, { method: 'POST', body: '{}' })).status).toBe(404);
    const res = await fetch(e.url, { method: 'POST', headers: signed(e.secret, 'not json', undefined, 'bad-json'), body: 'not json' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).error.code).toBe('validation_failed');
  });
});

describe('secrets that just changed', () => {
  it('a delivery right after registration verifies, though an earlier request found no secret (the receiver re-reads before refusing)', async () => {
    const ws = await createWorkspace(app.pb.rt.em(), { name: 'Fresh Co', slug: 'fresh-co', ownerName: 'Ada', ownerEmail: 'ada@fresh.example' });
    const { key } = await createAccount(app.pb.rt.db.pool, 'Fresh Co');
    const conn = await app.json('/api/v1/connections', { method: 'POST', token: ws.token, json: { provider: 'sandbox', displayName: 'Fresh Co', credentials: { apiKey: key } } });
    const url = `${app.url}/webhooks/sandbox/${conn.connection.id}`;
    const early = await fetch(url, { method: 'POST', headers: signed('sbxwh_guess', '{}'), body: '{}' });
    expect(early.status).toBe(401);
    expect(((await early.json()) as any).error.message).toMatch(/no Patchbay Sandbox webhook secret configured/);
    const res = await app.fetch(`/api/v1/connections/${conn.connection.id}/rules`, { method: 'POST', token: ws.token, json: { remoteObject: 'tasks', direction: 'in', frequency: 'realtime' } });
    expect(res.status).toBe(201);
    const reg = await eventually(async () => (await sql<{ secret: string; status: string }>(app.dbUrl, `select secret, status from provider_webhooks where connection_id = $1 and status = 'active'`, [conn.connection.id]))[0]);
    const body = JSON.stringify({ type: 'task.created', id: 'tsk_fresh', account_id: 'acc_x' });
    const first = await fetch(url, { method: 'POST', headers: signed(app.pb.rt.vault.decrypt<string>(reg.secret), body), body });
    expect(first.status).toBe(200);
  });
});

describe('reconciliation and disconnect', () => {
  it('with webhooks silent, the reconciliation poll still picks up a change', async () => {
    const e = await setup('Silent Co');
    // The Sandbox stops sending (its subscription is gone there), Patchbay still believes in it.
    await sql(app.dbUrl, `delete from sandbox.webhooks`);
    const list = await sbx(app, e.key, '/tasks');
    await sbx(app, e.key, `/tasks/${list.body.data[0].id}`, { method: 'PATCH', json: { name: 'Changed while silent' } });
    await sleep(500);
    expect((await sql(app.dbUrl, `select 1 from tasks where workspace_id = $1 and title = 'Changed while silent'`, [e.workspaceId])).length).toBe(0);
    // The reconciliation poll comes due (an hour later in real life).
    await sql(app.dbUrl, `update graphile_worker._private_jobs set run_at = now() where key = $1`, [`sync_run:${e.ruleId}`]);
    await sql(app.dbUrl, `select pg_notify('jobs:insert', '{"count":1}')`);
    await eventually(async () => (await sql(app.dbUrl, `select 1 from tasks where workspace_id = $1 and title = 'Changed while silent'`, [e.workspaceId])).length > 0);
    const runs = await sql<{ trigger: string }>(app.dbUrl, `select trigger from sync_runs where rule_id = $1 order by created_at desc limit 1`, [e.ruleId]);
    expect(runs[0]!.trigger).toBe('schedule');
  });

  it('disconnecting removes the subscription at the Sandbox; the URL then answers 410', async () => {
    const e = await setup('Leaving Co');
    expect((await sbx(app, e.key, '/webhooks')).body.data.length).toBe(1);
    const res = await app.fetch(`/api/v1/connections/${e.connectionId}/disconnect`, { method: 'POST', token: e.token });
    expect(res.status).toBeLessThan(300);
    expect((await sbx(app, e.key, '/webhooks')).body.data).toEqual([]);
    expect(await sql(app.dbUrl, 'select 1 from provider_webhooks where connection_id = $1', [e.connectionId])).toEqual([]);
    const body = JSON.stringify({ type: 'task.updated', id: 'tsk_1', account_id: 'acc_x' });
    const late = await fetch(e.url, { method: 'POST', headers: signed(e.secret, body), body });
    expect(late.status).toBe(410);
  });

  it('switching the rule back to interval removes the webhook', async () => {
    const e = await setup('Switch Co');
    const res = await app.fetch(`/api/v1/connections/${e.connectionId}/rules/${e.ruleId}`, { method: 'PATCH', token: e.token, json: { frequency: 'interval', intervalSeconds: 600 } });
    expect(res.status).toBe(200);
    await eventually(async () => (await sql(app.dbUrl, 'select 1 from provider_webhooks where connection_id = $1', [e.connectionId])).length === 0);
    expect((await sbx(app, e.key, '/webhooks')).body.data).toEqual([]);
  });
});
