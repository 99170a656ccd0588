/**
 * The chat scenario every platform passes (issue 15), written once against ScenarioDriver:
 * an Admin connects the Sandbox through the connect form, tests, pauses and resumes it (a Member's
 * Resume on the pause message is refused), adds a sync rule through the rule form and runs a sync;
 * a same-field conflict is alerted in the subscribed channel; a Member's pause and disconnect are
 * refused with the connection row unchanged; the Admin disconnects it after confirming; an outbound
 * webhook paused by its 11th failure in a row is alerted in the channel, where a Member's Enable is
 * refused and the Admin's sends what was kept.
 *
 * Real Patchbay (Postgres, graphile-worker, HTTP), the Sandbox it serves itself as the provider,
 * a local webhook receiver, and the platform's fake API. Every step asserts what the user saw
 * (neutral text and button labels, see driver.ts) and the rows in Postgres. The steps share state
 * and run in order.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount } from '../../src/sandbox/store.ts';
import { startReceiver, type Receiver } from '../helpers/receiver.ts';
import { eventually, sql } from '../helpers/sql.ts';
import { sbx } from '../sandbox/support.ts';
import type { ScenarioDriver } from './driver.ts';

type ConnectionRow = { id: string; status: string; paused_by: string | null; status_reason: string | null; credentials: string | null; display_name: string; updated_at: Date };
type RunRow = { status: string; trigger: string; pulled: number; conflicts: number };

const DENIED = /🚫.*needs the Admin or Owner role; you are a Member\. Nothing was changed\./s;

export function chatScenario(name: string, makeDriver: () => Promise<ScenarioDriver>): void {
  describe(`chat scenario on ${name}`, () => {
    let d: ScenarioDriver;
    let rx: Receiver;
    let key: string;
    let connectionId: string;
    let ruleId: string;
    let via: string;

    const db = <T extends Record<string, unknown>>(text: string, values: unknown[] = []) => sql<T>(d.app.dbUrl, text, values);
    const connection = async () => (await db<ConnectionRow>('select id, status, paused_by, status_reason, credentials, display_name, updated_at from connections where id = $1', [connectionId]))[0]!;
    const runs = () => db<RunRow>('select status, trigger, pulled, conflicts from sync_runs order by created_at');
    const audit = (action: string) => db<{ outcome: string; via: string }>('select outcome, via from audit_logs where action = $1 order by created_at', [action]);
    const remoteTask = async (name: string) => (await sbx(d.app, key, '/tasks', { method: 'POST', json: { name } })).body.id as string;
    /** Time for anything a refused action might still have set off (there should be nothing). */
    const settle = (ms = 300) => new Promise((r) => setTimeout(r, ms));

    beforeAll(async () => {
      d = await makeDriver();
      await d.setup();
      via = d.platform.toLowerCase();
      rx = await startReceiver();
      ({ key } = await createAccount(d.app.pb.rt.db.pool, 'Acme Sandbox'));
      await remoteTask('Write the launch note');
      await remoteTask('Book the venue');
    }, 60_000);
    afterAll(async () => {
      await d?.close();
      await rx?.close();
    });

    it('an Admin connects the Sandbox through the connect form: a malformed key stays on the form, the right one connects', async () => {
      const opened = await d.command('admin', 'connect sandbox');
      expect(opened.form).toMatchObject({ title: 'Connect Patchbay Sandbox', fields: ['apiKey', 'displayName'] });

      const bad = await d.submit('admin', opened, { apiKey: 'not-a-sandbox-key' });
      expect(Object.keys(bad.form?.errors ?? {})).toEqual(['apiKey']);
      expect(await db('select 1 from connections')).toEqual([]);

      const done = await d.submit('admin', opened, { apiKey: key, displayName: '' });
      expect(done.ephemeral).toBe(false);
      expect(done.text).toMatch(/@admin connected Patchbay Sandbox/);
      expect(JSON.stringify(done.raw)).not.toContain(key);
      expect(d.app.logs.join('\n')).not.toContain(key);
      const rows = await db<ConnectionRow>(`select id, status, credentials from connections where provider_slug = 'sandbox'`);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ status: 'connected' });
      expect(rows[0]!.credentials).not.toContain(key);
      connectionId = rows[0]!.id;
      expect(await audit('connection.connect')).toEqual([{ outcome: 'success', via }]);
    });

    it('the Admin tests it: passed, in the channel', async () => {
      const seen = await d.command('admin', 'test sandbox');
      expect(seen.ephemeral).toBe(false);
      expect(seen.text).toMatch(/@admin tested Patchbay Sandbox: passed/);
      expect(await connection()).toMatchObject({ status: 'connected' });
      expect(await audit('connection.test')).toEqual([{ outcome: 'success', via }]);
    });

    it('the Admin pauses it; a Member’s Resume on that message is refused and changes nothing; the Admin’s Resume resumes it', async () => {
      const paused = await d.command('admin', 'pause sandbox maintenance window');
      expect(paused.ephemeral).toBe(false);
      expect(paused.text).toMatch(/@admin paused Patchbay Sandbox/);
      expect(paused.buttons).toContain('Resume');
      const row = await connection();
      expect(row).toMatchObject({ status: 'paused', paused_by: 'member' });

      const denied = await d.click('member', paused, 'Resume');
      expect(denied.ephemeral).toBe(true);
      expect(denied.text).toMatch(DENIED);
      await settle();
      expect(await connection()).toEqual(row);

      const resumed = await d.click('admin', paused, 'Resume');
      expect(resumed.ephemeral).toBe(false);
      expect(resumed.text).toMatch(/@admin resumed Patchbay Sandbox/);
      expect(await connection()).toMatchObject({ status: 'connected', paused_by: null });
      expect(await audit('connections.resume')).toEqual([{ outcome: 'refused', via }]);
      expect((await audit('connection.resume')).map((a) => a.outcome)).toEqual(['success']);
    });

    it('the Admin adds a sync rule through the rule form: stored disabled, announced with Run now', async () => {
      const opened = await d.command('admin', 'rules sandbox add');
      expect(opened.form).toMatchObject({ title: 'Add a sync rule', fields: ['object', 'direction', 'frequency', 'scope', 'deletePolicy'] });
      const added = await d.submit('admin', opened, { object: 'tasks', direction: 'both', frequency: '5' });
      expect(added.ephemeral).toBe(false);
      expect(added.text).toMatch(/@admin added a sync rule to Patchbay Sandbox: 1\. tasks ⇄ Patchbay Sandbox tasks · both ways · every 5 min/);
      expect(added.buttons).toEqual(expect.arrayContaining(['Preview', 'Run now', 'Edit mapping']));
      const rules = await db<{ id: string; remote_object: string; direction: string; interval_seconds: number; enabled: boolean }>(
        'select id, remote_object, direction, interval_seconds, enabled from sync_rules where connection_id = $1',
        [connectionId],
      );
      expect(rules).toEqual([{ id: expect.any(String), remote_object: 'tasks', direction: 'both', interval_seconds: 300, enabled: false }]);
      ruleId = rules[0]!.id;
      expect(await runs()).toEqual([]);

      // Run now starts it: the first run imports both Sandbox tasks.
      const started = await d.click('admin', added, 'Run now');
      expect(started.text).toMatch(/@admin resumed sync rule 1/);
      await eventually(async () => (await runs()).some((r) => r.status === 'succeeded'), 20_000);
      expect(await db('select title from tasks order by title')).toEqual([{ title: 'Book the venue' }, { title: 'Write the launch note' }]);
    });

    it('the Admin runs a sync: acknowledged, then the summary in the channel', async () => {
      await remoteTask('Order the banners');
      const seen = await d.command('admin', 'sync sandbox', { until: (s) => /Synced Patchbay Sandbox tasks/.test(s.text) });
      expect(seen.ephemeral).toBe(false);
      expect(seen.text).toMatch(/✅ Synced Patchbay Sandbox tasks: 1 pulled, 0 pushed, 1 linked, 0 conflicts, 0 errors/);
      expect(seen.buttons).toContain('Log');
      const manual = (await runs()).filter((r) => r.trigger === 'manual');
      expect(manual).toEqual([{ status: 'succeeded', trigger: 'manual', pulled: 1, conflicts: 0 }]);
      expect(await db(`select 1 from tasks where title = 'Order the banners'`)).toHaveLength(1);
    });

    it('a field changed on both sides: one conflict alert in the subscribed channel, naming the field and the winner', async () => {
      const sub = await d.command('admin', 'alerts here conflicts webhooks', { channel: 'alerts' });
      expect(sub.text).toMatch(/subscribed this channel to conflicts, webhooks/);
      expect(await db(`select kinds from alert_subscriptions where active`)).toEqual([{ kinds: ['conflicts', 'webhooks'] }]);

      const [link] = await db<{ local_id: string; remote_id: string }>(
        `select l.local_id, l.remote_id from sync_links l join tasks k on k.id = l.local_id where l.rule_id = $1 and k.title = 'Book the venue'`,
        [ruleId],
      );
      expect((await d.app.fetch(`/api/v1/tasks/${link!.local_id}`, { method: 'PATCH', json: { title: 'Book the venue (local)' } })).status).toBe(200);
      await settle(20);
      expect((await sbx(d.app, key, `/tasks/${link!.remote_id}`, { method: 'PATCH', json: { name: 'Book the bigger venue' } })).status).toBe(200);

      const synced = await d.command('admin', 'sync sandbox', { until: (s) => /Synced Patchbay Sandbox tasks/.test(s.text) });
      expect(synced.text).toMatch(/1 conflict,/);
      const alert = await d.waitForChannelPost('alerts', (text) => /sync conflict/.test(text));
      expect(alert.ephemeral).toBe(false);
      expect(alert.text).toMatch(/⚠️ 1 sync conflict in Patchbay Sandbox tasks/);
      expect(alert.text).toMatch(/field title: Patchbay had Book the venue \(local\), Patchbay Sandbox had Book the bigger venue → Patchbay Sandbox’s value won/);
      expect(alert.buttons).toContain('Log');
      await settle(1_500);
      expect((await d.channelPosts('alerts')).filter((p) => /sync conflict/.test(p.text))).toHaveLength(1);
      expect(await db('select title from tasks where id = $1', [link!.local_id])).toEqual([{ title: 'Book the bigger venue' }]);
      expect((await runs()).at(-1)).toMatchObject({ status: 'succeeded', trigger: 'manual', conflicts: 1 });
    });

    it('a Member’s pause and disconnect are refused privately, and the connection row does not change', async () => {
      const before = await connection();
      for (const line of ['pause sandbox', 'disconnect sandbox']) {
        const seen = await d.command('member', line);
        expect(seen.ephemeral, line).toBe(true);
        expect(seen.text, line).toMatch(DENIED);
      }
      await settle();
      expect(await connection()).toEqual(before);
      expect((await audit('connections.pause')).map((a) => a.outcome)).toEqual(['refused']);
      expect((await audit('connections.disconnect')).map((a) => a.outcome)).toEqual(['refused']);
    });

    it('the Admin disconnects it only after confirming: cancelling changes nothing; confirming disconnects and drops the credentials', async () => {
      const card = await d.command('admin', 'disconnect sandbox');
      expect(card.ephemeral).toBe(true);
      expect(card.text).toMatch(/Disconnect Patchbay Sandbox\?/);
      expect(card.buttons).toContain('Disconnect');
      const before = await connection();

      const cancelled = await d.click('admin', card, 'Disconnect', { confirm: false });
      expect(cancelled.text).not.toMatch(/disconnected/);
      expect(await connection()).toEqual(before);

      const done = await d.click('admin', card, 'Disconnect', { confirm: true });
      expect(done.ephemeral).toBe(false);
      expect(done.text).toMatch(/@admin disconnected Patchbay Sandbox/);
      expect(await connection()).toMatchObject({ status: 'disconnected', credentials: null });
      expect(await audit('connection.disconnect')).toEqual([{ outcome: 'success', via }]);
    });

    it('an outbound webhook paused by its 11th failure in a row: one alert in the subscribed channel; a Member’s Enable on it is refused, the Admin’s sends the kept delivery', async () => {
      rx.fallback = { status: 503, body: 'maintenance' };
      const res = await d.app.fetch('/api/v1/webhooks', { method: 'POST', json: { name: 'Billing sync', url: rx.url, eventTypes: ['task_added'] } });
      expect(res.status).toBe(201);
      const hookId = ((await res.json()) as { id: string }).id;
      const endpoint = () => db('select status, consecutive_failures from webhook_endpoints where id = $1', [hookId]);
      const deliveries = () => db<{ status: string }>(`select status from webhook_deliveries where endpoint_id = $1 and event_type = 'task_added' order by id`, [hookId]);
      // Ten failures already (the retry schedule would take hours); the eleventh is a real delivery.
      await db('update webhook_endpoints set consecutive_failures = 10 where id = $1', [hookId]);
      expect((await d.app.fetch('/api/v1/tasks', { method: 'POST', json: { title: 'Print the badges' } })).status).toBe(201);

      const alert = await d.waitForChannelPost('alerts', (text) => /Webhook Billing sync is paused/.test(text));
      expect(alert.text).toMatch(/⏸ Webhook Billing sync is paused: Paused after 11 failed attempts in a row \(last: HTTP 503\)\./);
      expect(alert.buttons).toEqual(['Test', 'Enable']);
      expect(await endpoint()).toEqual([{ status: 'paused', consecutive_failures: 11 }]);
      expect(alert.ephemeral).toBe(false);
      expect(rx.received).toHaveLength(1);
      await settle(1_500);
      expect((await d.channelPosts('alerts')).filter((p) => /Webhook Billing sync is paused/.test(p.text))).toHaveLength(1);

      // On the alert: a Member's Enable is refused and changes nothing; the Admin's sends the kept delivery.
      const denied = await d.click('member', alert, 'Enable');
      expect(denied.ephemeral).toBe(true);
      expect(denied.text).toMatch(/🚫 Managing webhooks needs the Admin or Owner role; you are a Member\. Nothing was changed\./);
      await settle();
      expect(await endpoint()).toEqual([{ status: 'paused', consecutive_failures: 11 }]);
      expect(await deliveries()).toEqual([{ status: 'pending' }]);
      expect(rx.received).toHaveLength(1);

      rx.fallback = { status: 200, body: '{"ok":true}' };
      const enabled = await d.click('admin', alert, 'Enable');
      expect(enabled.ephemeral).toBe(false);
      expect(enabled.text).toMatch(/@admin enabled webhook Billing sync/);
      await rx.waitFor(2);
      expect(JSON.parse(rx.received[1]!.body).entity.title).toBe('Print the badges');
      await eventually(async () => (await deliveries()).every((r) => r.status === 'delivered'));
      expect(await endpoint()).toEqual([{ status: 'active', consecutive_failures: 0 }]);
    });
  });
}
