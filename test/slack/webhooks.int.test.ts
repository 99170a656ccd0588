/**
 * Outbound webhooks from Slack (signed requests, the fake Web API, the real workers and a local
 * receiver): `webhooks` lists the endpoints for an Admin; an endpoint auto-paused by its 11th
 * failure in a row is alerted once in the channel subscribed with `alerts here webhooks`; a
 * Member's Enable on that alert is refused and changes nothing in Postgres; an Admin's Enable
 * makes it active and the kept deliveries reach the receiver, oldest first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Connection } from '../../src/entities/connection.ts';
import { Workspace } from '../../src/entities/workspace.ts';
import { startReceiver, type Receiver } from '../helpers/receiver.ts';
import { eventually, sql } from '../helpers/sql.ts';
import { OWNER, ADMIN, MEMBER, buttonNamed, buttonsOf, linkTeam, startSlackTest, textOf, type SlackTest } from './support.ts';


let t: SlackTest;
let rx: Receiver;
let hookId: string;

const postsTo = (channel: string) => t.posted.filter((p) => p.channel === channel);
const endpoint = async () =>
  (await sql<{ status: string; consecutive_failures: number }>(t.app.dbUrl, 'select status, consecutive_failures from webhook_endpoints where id = $1', [hookId]))[0]!;
const deliveries = () => sql<{ status: string }>(t.app.dbUrl, `select status from webhook_deliveries where endpoint_id = $1 and event_type = 'task_added' order by id`, [hookId]);
const addTask = async (title: string) => expect((await t.app.fetch('/api/v1/tasks', { method: 'POST', json: { title } })).status).toBe(201);
/** Lets alert jobs that could still run do so (each channel posts at most once a second). */
const settle = () => new Promise((r) => setTimeout(r, 1_500));

beforeAll(async () => {
  t = await startSlackTest({ workers: true, env: { WEBHOOKS_ALLOW_PRIVATE_TARGETS: 'true' } });
  rx = await startReceiver();
  await linkTeam(t, OWNER);
  // A connection, written directly, for a channel subscribed to every kind for it alone.
  const em = t.app.pb.rt.em();
  const ws = await em.findOneOrFail(Workspace, { slug: 'default' });
  em.create(Connection, { workspace: ws.id, providerSlug: 'linear', displayName: 'Linear Ops', authKind: 'api_key', credentials: t.app.pb.rt.vault.encrypt({ type: 'api_key', fields: { apiKey: 'lin_api_x' } }) });
  await em.flush();
  for (const [channel, line] of [
    ['C_HOOKS', 'alerts here webhooks'],
    ['C_ERRORS', 'alerts here errors'],
    ['C_ONE', 'alerts here all for "Linear Ops"'],
  ] as const) {
    const res = await t.slash(ADMIN, line, { channel });
    expect(textOf(res.body), line).toMatch(/subscribed this channel/);
  }
  const res = await t.app.fetch('/api/v1/webhooks', { method: 'POST', json: { name: 'Billing sync', url: rx.url, eventTypes: ['task_added'] } });
  expect(res.status).toBe(201);
  hookId = ((await res.json()) as { id: string }).id;
  // Endpoints belong to the workspace: a webhooks subscription for one connection would never fire.
  const refused = await t.slash(ADMIN, 'alerts here webhooks for "Linear Ops"', { channel: 'C_ONE' });
  expect(textOf(refused.body)).toMatch(/Webhook alerts concern the whole workspace, not one connection/);
});
afterAll(async () => {
  await t?.close();
  await rx?.close();
});

describe('webhooks from Slack', () => {
  let alert: (typeof t.posted)[number];

  it('an Admin’s `webhooks` lists the endpoint privately with a Test button; a Member is told only admins may', async () => {
    await addTask('Delivered at once');
    await rx.waitFor(1);
    await eventually(async () => (await deliveries())[0]?.status === 'delivered');
    const res = await t.slash(ADMIN, 'webhooks', { channel: 'C_OPS' });
    expect(res.status).toBe(200);
    expect(res.body.response_type).toBe('ephemeral');
    expect(textOf(res.body)).toMatch(/✅ active · \*Billing sync\* → 127\.0\.0\.1:\d+\nlast delivery .*: HTTP 200/);
    expect(buttonsOf(res.body).map((b) => [b.text.text, b.value])).toEqual([['Test', `webhooks test ${hookId}`]]);

    const denied = await t.slash(MEMBER, 'webhooks', { channel: 'C_OPS' });
    expect(denied.body.response_type).toBe('ephemeral');
    expect(textOf(denied.body)).toMatch(/🚫 Only Admins and Owners can see and manage this workspace’s webhooks; you are a Member/);
    expect(textOf(denied.body)).not.toContain('Billing sync');
  });

  it('an Admin’s `webhooks test` answers with what the receiver said', async () => {
    const updates = t.fake.callsTo('chat.update').length;
    const res = await t.slash(ADMIN, 'webhooks test "billing sync"', { channel: 'C_OPS' });
    expect(res.status).toBe(200);
    const update = (await t.fake.waitFor('chat.update', updates + 1)).at(-1)!;
    expect(textOf(update.body)).toMatch(/✅ <@U_ADMIN> sent a test event to \*Billing sync\*: HTTP 200 in \d+ ms\./);
    expect(JSON.parse(rx.received.at(-1)!.body)).toMatchObject({ eventType: 'test', entityId: hookId });
  });

  it('pauses the endpoint on its 11th failure in a row and alerts once, in the channel subscribed to webhooks only', async () => {
    rx.received.length = 0;
    rx.fallback = { status: 503, body: 'maintenance' };
    await sql(t.app.dbUrl, 'update webhook_endpoints set consecutive_failures = 10 where id = $1', [hookId]);
    await addTask('Kept first');
    await eventually(async () => (await endpoint()).status === 'paused');
    await addTask('Kept second');
    await eventually(async () => (await deliveries()).filter((d) => d.status === 'pending').length === 2);
    alert = await eventually(async () => postsTo('C_HOOKS')[0]);
    await settle();
    expect(postsTo('C_HOOKS')).toHaveLength(1);
    expect(postsTo('C_ERRORS')).toHaveLength(0);
    expect(postsTo('C_ONE')).toHaveLength(0);
    const text = textOf(alert.body);
    expect(text).toMatch(/⏸ Webhook \*Billing sync\* is paused: Paused after 11 failed attempts in a row \(last: HTTP 503\)\./);
    expect(text).toContain('Last answer: HTTP 503 · 11 failures in a row.');
    expect(text).toContain('1 delivery is kept, and new events are kept too: Enable sends them, oldest first.');
    expect(buttonsOf(alert.body).map((b) => [b.text.text, b.value])).toEqual([
      ['Test', `webhooks test ${hookId}`],
      ['Enable', `webhooks enable ${hookId}`],
    ]);
    expect(rx.received).toHaveLength(1); // the failed attempt; nothing since
  });

  it('refuses a Member’s Enable privately: audited, nothing changes in Postgres, nothing is sent', async () => {
    const posts = t.posted.length;
    const denied = await t.click(MEMBER, buttonNamed(alert.body, 'Enable'), { channel: 'C_HOOKS', messageTs: alert.ts });
    expect(denied.status).toBe(200);
    const [reply] = await t.waitForResponses(denied.responseUrl);
    expect(reply!.body.response_type).toBe('ephemeral');
    expect(textOf(reply!.body)).toMatch(/🚫 Managing webhooks needs the Admin or Owner role; you are a Member\. Nothing was changed\./);
    await new Promise((r) => setTimeout(r, 300));
    expect(await endpoint()).toMatchObject({ status: 'paused', consecutive_failures: 11 });
    expect((await deliveries()).map((d) => d.status)).toEqual(['delivered', 'pending', 'pending']);
    expect(rx.received).toHaveLength(1);
    expect(t.posted.length).toBe(posts);
    const refused = await sql(t.app.dbUrl, `select via, target_type, target_id from audit_logs where action = 'webhooks.manage' and outcome = 'refused' and target_id = $1`, [hookId]);
    expect(refused).toEqual([{ via: 'slack', target_type: 'webhook', target_id: hookId }]);
  });

  it('an Admin’s Enable makes it active and the kept deliveries reach the receiver, oldest first', async () => {
    rx.fallback = { status: 200, body: '{"ok":true}' };
    const clicked = await t.click(ADMIN, buttonNamed(alert.body, 'Enable'), { channel: 'C_HOOKS', messageTs: alert.ts });
    expect(clicked.status).toBe(200);
    const got = await rx.waitFor(3);
    expect(got.slice(1).map((r) => JSON.parse(r.body).entity.title)).toEqual(['Kept first', 'Kept second']);
    expect(await endpoint()).toMatchObject({ status: 'active', consecutive_failures: 0 });
    await eventually(async () => (await deliveries()).every((d) => d.status === 'delivered'));
    // The admin's result in the channel, and the recovery notice; still one pause alert.
    await eventually(async () => postsTo('C_HOOKS').some((p) => /<@U_ADMIN> enabled webhook \*Billing sync\*: its 2 kept deliveries go out now/.test(textOf(p.body))));
    await eventually(async () => postsTo('C_HOOKS').some((p) => /▶️ Webhook \*Billing sync\* is enabled again \(it was paused\)/.test(textOf(p.body))));
    expect(postsTo('C_HOOKS').filter((p) => /is paused/.test(textOf(p.body)))).toHaveLength(1);
    expect(postsTo('C_ERRORS')).toHaveLength(0);
  });
});
