/**
 * Asana webhooks against a stateful fake Asana (test/fakes/asana-api.ts): a realtime tasks rule
 * registers a webhook on its project; Asana's handshake arrives while that call is in flight and
 * its secret is kept; a task change Asana delivers updates the local task through a webhook-
 * triggered run, with no poll; a wrong signature and a handshake nobody asked for are refused;
 * disconnecting deletes the webhook at Asana.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncRegistrations } from '../../src/inbound/registrations.ts';
import { FakeAsana } from '../fakes/asana-api.ts';
import { workspaceWithConnection } from '../helpers/connections.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { eventually, sql } from '../helpers/sql.ts';
import { firstRunOf } from '../sync/support.ts';

const PROJECT = '1207894561234567';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ workers: true });
}, 60_000);
afterAll(async () => app?.close());

type Env = { asana: FakeAsana; connectionId: string; ruleId: string; token: string; workspaceId: string; registration: { id: string; remote_id: string; secret: string } };

async function setup(name: string, opts: { remove?: boolean } = {}): Promise<Env> {
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  const ws = await workspaceWithConnection(app, { slug, name, provider: 'asana', displayName: `Asana ${name}`, credentials: { type: 'oauth2', accessToken: 'asana-access-0123456789', refreshToken: 'asana-refresh-9876543210', scopes: ['tasks:read', 'tasks:write', 'webhooks:write', 'webhooks:delete'] } });
  const asana = new FakeAsana();
  asana.add(PROJECT, { name: 'Draft the plan' });
  asana.serve(['list', 'events']);
  asana.serveWebhooks(opts);
  const res = await app.fetch(`/api/v1/connections/${ws.connectionId}/rules`, { method: 'POST', token: ws.token, json: { remoteObject: 'tasks', direction: 'both', scope: { project: PROJECT }, frequency: 'realtime' } });
  const body = (await res.json()) as any;
  expect(res.status, JSON.stringify(body)).toBe(201);
  const registration = await eventually(async () => {
    const [row] = await sql<{ id: string; status: string; remote_id: string; secret: string; error: string | null }>(app.dbUrl, 'select id, status, remote_id, secret, error from provider_webhooks where connection_id = $1', [ws.connectionId]);
    return row?.status === 'active' ? row : undefined;
  });
  const e = { asana, connectionId: ws.connectionId, ruleId: body.rule.id, token: ws.token, workspaceId: ws.workspaceId, registration };
  await firstRunOf(app, e);
  return e;
}

const localTitles = (e: Env) => sql<{ title: string }>(app.dbUrl, 'select title from tasks where workspace_id = $1 order by title', [e.workspaceId]);

describe('Asana webhooks', () => {
  it('registers on the rule\'s project, keeping the secret of the handshake that arrived during the call', async () => {
    const e = await setup('Hook Co');
    const [hook] = [...e.asana.webhooks.values()];
    expect(hook).toMatchObject({ resource: PROJECT, target: `${app.pb.rt.config.PUBLIC_URL}/webhooks/asana/${e.connectionId}/${e.registration.id}` });
    expect(e.registration.remote_id).toBe(hook!.gid);
    expect(app.pb.rt.vault.decrypt<string>(e.registration.secret)).toBe(hook!.secret);
    const [log] = await sql<{ message: string }>(app.dbUrl, `select message from connection_logs where connection_id = $1 and kind = 'webhook'`, [e.connectionId]);
    expect(log!.message).toBe(`Asana webhook registered for ${PROJECT}: changes now arrive in real time.`);
  });

  it('a task change Asana delivers updates the local task within seconds, without a poll', async () => {
    const e = await setup('Live Co');
    expect((await localTitles(e)).map((t) => t.title)).toEqual(['Draft the plan']);
    const from = e.asana.events.length;
    const task = [...e.asana.tasks.values()][0]!;
    e.asana.edit(task.gid, { name: 'Draft the plan (final)' });
    expect(await e.asana.deliver(from)).toEqual([200]);
    await eventually(async () => (await localTitles(e)).some((t) => t.title === 'Draft the plan (final)'), 10_000);
    const runs = await sql<{ trigger: string; status: string }>(app.dbUrl, `select trigger, status from sync_runs where rule_id = $1 order by created_at`, [e.ruleId]);
    // The first run, then one run the webhook asked for — no scheduled poll in between.
    expect(runs.map((r) => r.trigger)).toEqual([runs[0]!.trigger, 'webhook']);
    expect(runs[0]!.trigger).not.toBe('webhook');
    const receipts = await sql<{ kind: string; object: string; remote_id: string }>(app.dbUrl, 'select kind, object, remote_id from inbound_receipts where connection_id = $1', [e.connectionId]);
    expect(receipts).toEqual([{ kind: 'task.changed', object: 'tasks', remote_id: task.gid }]);
  });

  it('two realtime rules on two projects: a change in one project runs only that project\'s rule', async () => {
    const e = await setup('Two Projects Co');
    const OTHER = '1207894561239999';
    e.asana.add(OTHER, { name: 'Other project task' });
    const res = await app.fetch(`/api/v1/connections/${e.connectionId}/rules`, { method: 'POST', token: e.token, json: { remoteObject: 'tasks', direction: 'both', scope: { project: OTHER }, frequency: 'realtime' } });
    const other = ((await res.json()) as any).rule.id as string;
    await eventually(async () => e.asana.webhooks.size === 2 && (await sql(app.dbUrl, `select 1 from provider_webhooks where connection_id = $1 and status = 'active'`, [e.connectionId])).length === 2);
    await firstRunOf(app, { ...e, ruleId: other });
    const from = e.asana.events.length;
    const task = [...e.asana.tasks.values()].find((t) => t.projects.includes(PROJECT))!;
    e.asana.edit(task.gid, { name: 'Draft the plan (v3)' });
    expect(await e.asana.deliver(from)).toEqual([200]);
    await eventually(async () => (await localTitles(e)).some((t) => t.title === 'Draft the plan (v3)'));
    await eventually(async () => (await sql(app.dbUrl, `select 1 from sync_runs where connection_id = $1 and status in ('queued', 'running')`, [e.connectionId])).length === 0);
    const webhookRuns = await sql<{ rule_id: string }>(app.dbUrl, `select rule_id from sync_runs where connection_id = $1 and trigger = 'webhook'`, [e.connectionId]);
    expect(webhookRuns).toEqual([{ rule_id: e.ruleId }]);
    const [receipt] = await sql<{ resource: string }>(app.dbUrl, 'select resource from inbound_receipts where connection_id = $1', [e.connectionId]);
    expect(receipt!.resource).toBe(PROJECT);
  });

  it('a delivery signed with another secret is 401 and stored nowhere; a heartbeat is 200', async () => {
    const e = await setup('Forged Co');
    const from = e.asana.events.length;
    e.asana.edit([...e.asana.tasks.values()][0]!.gid, { name: 'Forged' });
    expect(await e.asana.deliver(from, { secret: 'f'.repeat(64) })).toEqual([401]);
    expect(await sql(app.dbUrl, 'select 1 from inbound_receipts where connection_id = $1', [e.connectionId])).toEqual([]);
    const url = `${app.url}/webhooks/asana/${e.connectionId}/${e.registration.id}`;
    const heartbeat = JSON.stringify({ events: [] });
    const secret = app.pb.rt.vault.decrypt<string>(e.registration.secret);
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hook-signature': createHmac('sha256', secret).update(heartbeat).digest('hex') }, body: heartbeat });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ received: 0 });
  });

  it('a handshake for a registration that is not in flight is refused and the secret stays', async () => {
    const e = await setup('Hijack Co');
    const url = `${app.url}/webhooks/asana/${e.connectionId}/${e.registration.id}`;
    const res = await fetch(url, { method: 'POST', headers: { 'x-hook-secret': 'attacker-chosen-secret' } });
    expect(res.status).toBe(401);
    expect(res.headers.get('x-hook-secret')).toBeNull();
    const [row] = await sql<{ secret: string }>(app.dbUrl, 'select secret from provider_webhooks where id = $1', [e.registration.id]);
    expect(app.pb.rt.vault.decrypt<string>(row!.secret)).not.toBe('attacker-chosen-secret');
  });

  it('a registration Asana refuses: the row says why, the connection stays connected, one errors alert event however many retries, and the rule keeps polling', async () => {
    const slug = 'refused-co';
    const ws = await workspaceWithConnection(app, { slug, name: 'Refused Co', provider: 'asana', displayName: 'Asana Refused Co', credentials: { type: 'oauth2', accessToken: 'asana-access-0123456789', scopes: ['tasks:read'] } });
    const asana = new FakeAsana();
    asana.add(PROJECT, { name: 'Polled anyway' });
    asana.serve(['list', 'events']);
    asana.serveWebhooks({ refuse: true });
    const res = await app.fetch(`/api/v1/connections/${ws.connectionId}/rules`, { method: 'POST', token: ws.token, json: { remoteObject: 'tasks', direction: 'in', scope: { project: PROJECT }, frequency: 'realtime' } });
    expect(res.status).toBe(201);
    const row = await eventually(async () => (await sql<{ status: string; error: string }>(app.dbUrl, `select status, error from provider_webhooks where connection_id = $1 and status = 'failed'`, [ws.connectionId]))[0]);
    expect(row.error).toMatch(/403|webhooks:write/);
    // A retry that fails again records no second event.
    await expect(syncRegistrations(app.pb.rt, ws.connectionId)).rejects.toThrow(/Could not register the Asana webhooks/);
    const events = await sql<{ data: { resource: string; reason: string } }>(app.dbUrl, `select data from domain_events where type = 'connection_webhook_failed' and entity_id = $1`, [ws.connectionId]);
    expect(events).toHaveLength(1);
    expect(events[0]!.data.resource).toBe(PROJECT);
    const [c] = await sql<{ status: string }>(app.dbUrl, 'select status from connections where id = $1', [ws.connectionId]);
    expect(c!.status).toBe('connected');
    // The rule still synced (its first run), and polls every 5 minutes while no webhook is live.
    await eventually(async () => (await sql(app.dbUrl, `select 1 from tasks where workspace_id = $1 and title = 'Polled anyway'`, [ws.workspaceId])).length > 0);
    const [rule] = await eventually(async () => {
      const rows = await sql<{ next_run_at: Date | null }>(app.dbUrl, `select r.next_run_at from sync_rules r where r.connection_id = $1 and not exists (select 1 from sync_runs x where x.rule_id = r.id and x.status in ('queued', 'running'))`, [ws.connectionId]);
      return rows[0]?.next_run_at ? rows : undefined;
    });
    expect(rule!.next_run_at!.getTime() - Date.now()).toBeLessThan(6 * 60_000);
  });

  it('disconnecting deletes the webhook at Asana', async () => {
    const e = await setup('Bye Co', { remove: true });
    const res = await app.fetch(`/api/v1/connections/${e.connectionId}/disconnect`, { method: 'POST', token: e.token });
    expect(res.status).toBe(200);
    expect(e.asana.webhooks.size).toBe(0);
    expect(e.asana.of('DELETE', '/api/1.0/webhooks/')).toHaveLength(1);
    expect(await sql(app.dbUrl, 'select 1 from provider_webhooks where connection_id = $1', [e.connectionId])).toEqual([]);
  });
});
