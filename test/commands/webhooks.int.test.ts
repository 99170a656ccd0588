/**
 * The `webhooks` chat command through the chat core (any platform): the list with status, last
 * delivery, failures and kept deliveries; Test and Enable through the webhook services; a
 * Member refused (audited, nothing changed, no names leaked); names shown as inert text.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { renderText } from '../../src/commands/render-text.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { memberWithToken } from '../helpers/members.ts';
import { npmChat } from '../helpers/npm-chat.ts';
import { startReceiver, type Receiver } from '../helpers/receiver.ts';
import { eventually, sql } from '../helpers/sql.ts';
import { buttons, chat, linkCode } from './support.ts';

const OWNER = { userId: 'U_OWNER', userName: 'olivia' };
const MEMBER = { userId: 'U_MEMBER', userName: 'mia', email: 'mia@example.com' };
const NAME = '*Billing* <!channel>';

let app: TestApp;
let rx: Receiver;
let c: ReturnType<typeof chat>;
let hookId: string;

const endpoint = async () =>
  (await sql<{ status: string; consecutive_failures: number; status_reason: string | null }>(app.dbUrl, 'select status, consecutive_failures, status_reason from webhook_endpoints where id = $1', [hookId]))[0]!;
const deliveries = () => sql<{ status: string; event_type: string }>(app.dbUrl, `select status, event_type from webhook_deliveries where endpoint_id = $1 and event_type <> 'test' order by id`, [hookId]);

beforeAll(async () => {
  app = await startTestApp({ workers: true, env: { WEBHOOKS_ALLOW_PRIVATE_TARGETS: 'true', PUBLIC_URL: 'https://patchbay.test' } });
  rx = await startReceiver();
  c = chat(app);
  await memberWithToken(app, 'member', 'mia@example.com');
  await c.final(OWNER, `link ${await linkCode(app)}`);
  const res = await app.fetch('/api/v1/webhooks', { method: 'POST', json: { name: NAME, url: rx.url, eventTypes: ['task_added'] } });
  expect(res.status).toBe(201);
  hookId = ((await res.json()) as { id: string }).id;
});
afterAll(async () => {
  await app?.close();
  await rx?.close();
});
beforeEach(() => {
  rx.received.length = 0;
  rx.script.length = 0;
});

describe('webhooks in chat', () => {
  it('lists the endpoints for an Admin or Owner, with Test and no Enable while active', async () => {
    const reply = await c.final(OWNER, 'webhooks');
    expect(reply.visibility).toBe('ephemeral');
    const text = renderText(reply);
    expect(text).toContain('== Webhooks (1) ==');
    expect(text).toContain(`✅ active · ${NAME} → 127.0.0.1:`);
    expect(text).toContain('no delivery attempted yet');
    expect(buttons(reply)).toEqual([{ label: 'Test', line: `webhooks test ${hookId}` }]);
    // The name is outside text: one plain() span, never markup or a mention.
    expect(reply.text).toContain(`\uE000${NAME}\uE001`);
  });

  it('refuses a Member: the list, enable and test, with the refusal audited and no endpoint named', async () => {
    const list = await c.final(MEMBER, 'webhooks');
    expect(list.error).toEqual({ code: 'forbidden' });
    expect(list.visibility).toBe('ephemeral');
    expect(renderText(list)).toMatch(/Only Admins and Owners can see and manage this workspace’s webhooks; you are a Member/);
    expect(renderText(list)).not.toContain('Billing');

    await sql(app.dbUrl, `update webhook_endpoints set status = 'paused', status_reason = 'Paused by test' where id = $1`, [hookId]);
    const enable = await c.final(MEMBER, `webhooks enable "${NAME}"`);
    expect(enable.error).toEqual({ code: 'forbidden' });
    expect(renderText(enable)).toMatch(/🚫 Managing webhooks needs the Admin or Owner role; you are a Member\. Nothing was changed\./);
    expect(await endpoint()).toMatchObject({ status: 'paused' });
    // A name that does not exist gets the same refusal: a Member cannot probe for names.
    expect((await c.final(MEMBER, 'webhooks test nope')).error).toEqual({ code: 'forbidden' });
    expect((await c.final(MEMBER, `webhooks test ${hookId}`)).error).toEqual({ code: 'forbidden' });
    expect(rx.received).toHaveLength(0);
    const refused = await sql<{ target_type: string; target_id: string | null; via: string }>(
      app.dbUrl,
      `select target_type, target_id, via from audit_logs where action = 'webhooks.manage' and outcome = 'refused' order by id`,
    );
    expect(refused.map((r) => r.target_id)).toEqual(expect.arrayContaining([null, hookId]));
    expect(refused.every((r) => r.target_type === 'webhook' && r.via === 'slack')).toBe(true);
  });

  it('shows a paused endpoint’s reason, failures, kept deliveries and an Enable button', async () => {
    await sql(app.dbUrl, `update webhook_endpoints set consecutive_failures = 11, last_attempt_at = now() - interval '5 minutes', last_status_code = 503 where id = $1`, [hookId]);
    const task = await app.fetch('/api/v1/tasks', { method: 'POST', json: { title: 'Kept while paused' } });
    expect(task.status).toBe(201);
    await eventually(async () => (await deliveries()).length === 1);
    const reply = await c.final(OWNER, 'webhooks');
    const text = renderText(reply);
    expect(text).toContain(`⏸ paused · ${NAME}`);
    expect(text).toMatch(/Paused by test · last delivery .* \(5 min ago\): HTTP 503 · 11 failures in a row · 1 delivery kept/);
    expect(buttons(reply)).toEqual([
      { label: 'Test', line: `webhooks test ${hookId}` },
      { label: 'Enable', line: `webhooks enable ${hookId}`, style: 'primary' },
    ]);
    expect(rx.received).toHaveLength(0);
  });

  it('tests a paused endpoint: the answer, and that it stays paused', async () => {
    rx.script.push({ status: 503, body: 'down <!here>' });
    const r = await c.run(OWNER, `webhooks test "${NAME.toUpperCase()}"`);
    expect(renderText(r.immediate)).toContain(`⏳ Sending a test event to ${NAME}…`);
    const done = await r.followUp!;
    expect(done.visibility).toBe('in_channel');
    expect(renderText(done)).toMatch(/❌ @U_OWNER sent a test event to .*: it failed in \d+ ms — HTTP 503\. It answered: down <!here> The endpoint stays paused\./);
    expect(done.text).toContain('\uE000down <!here>\uE001');
    const ok = await c.final(OWNER, `webhooks test ${hookId}`);
    expect(renderText(ok)).toMatch(/✅ @U_OWNER sent a test event to .*: HTTP 200 in \d+ ms\. The endpoint is still paused: Enable resumes delivery\./);
    expect(buttons(ok)).toEqual([{ label: 'Enable', line: `webhooks enable ${hookId}`, style: 'primary' }]);
    expect(rx.received.map((x) => JSON.parse(x.body).eventType)).toEqual(['test', 'test']);
    expect(await endpoint()).toMatchObject({ status: 'paused' });
  });

  it('enables it for an Owner: the kept delivery goes out, and enabling again says it is active', async () => {
    const reply = await c.final(OWNER, `webhooks enable "${NAME}"`);
    expect(reply.visibility).toBe('in_channel');
    expect(renderText(reply)).toContain(`▶️ @U_OWNER enabled webhook ${NAME}: its 1 kept delivery goes out now, oldest first.`);
    expect(await endpoint()).toMatchObject({ status: 'active', consecutive_failures: 0 });
    const [got] = await rx.waitFor(1);
    expect(JSON.parse(got!.body)).toMatchObject({ eventType: 'task_added', entity: { title: 'Kept while paused' } });
    await eventually(async () => (await deliveries())[0]?.status === 'delivered');
    expect(renderText(await c.final(OWNER, `webhooks enable ${hookId}`))).toContain('is already active');
    const [audit] = await sql<{ via: string; details: { changed: string[] } }>(app.dbUrl, `select via, details from audit_logs where action = 'webhook.update' and target_id = $1`, [hookId]);
    expect(audit).toMatchObject({ via: 'slack', details: { changed: ['status'] } });
  });

  it('answers usage errors and unknown names helpfully, the name shown as typed', async () => {
    expect(renderText(await c.final(OWNER, 'webhooks frobnicate'))).toMatch(/Unknown webhooks action 'frobnicate': use `enable` or `test`/);
    expect(renderText(await c.final(OWNER, 'webhooks enable'))).toMatch(/Name the webhook to enable/);
    const missing = await c.final(OWNER, 'webhooks test "<@U123> nope"');
    expect(missing.error).toEqual({ code: 'not_found' });
    expect(missing.text).toContain("No webhook '\uE000<@U123> nope\uE001'");
    expect(renderText(await c.final(OWNER, 'help webhooks'))).toMatch(/webhooks \[enable\|test <name>\]/);
  });

  it('works in the terminal: `npm run chat -- webhooks` lists, `webhooks test <name>` prints the answer', async () => {
    const listed = await npmChat(app.dbUrl, ['webhooks']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toContain('== Webhooks (1) ==');
    expect(listed.stdout).toContain(`✅ active · ${NAME} → 127.0.0.1:`);
    expect(listed.stdout).toContain(`[Test: npm run chat -- webhooks test ${hookId}]`);
    const tested = await npmChat(app.dbUrl, ['webhooks', 'test', NAME], '', { WEBHOOKS_ALLOW_PRIVATE_TARGETS: 'true' });
    expect(tested.code, tested.stderr).toBe(0);
    expect(tested.stdout).toMatch(/sent a test event to .*: HTTP 200 in \d+ ms\./);
    expect(rx.received.map((x) => JSON.parse(x.body).eventType)).toEqual(['test']);
  }, 60_000);
});
