/**
 * Sync from Slack against the real Sandbox (served by the app itself), with the real workers and
 * the fake Slack Web API: an Admin's `sync` acknowledges privately, then one bot message shows
 * "Syncing…" and is edited into the summary; a Member is refused; a same-field conflict is one
 * alert in the subscribed channel; `rules` lists the rule with buttons that pause, resume and
 * delete it (each click checked for the clicker).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount } from '../../src/sandbox/store.ts';
import { json } from '../helpers/app.ts';
import { eventually, sql } from '../helpers/sql.ts';
import { sbx } from '../sandbox/support.ts';
import { OWNER, ADMIN, MEMBER, buttonNamed, buttonsOf, linkTeam, startSlackTest, textOf, type SlackTest } from './support.ts';


let t: SlackTest;
let key: string;
let connectionId: string;
let ruleId: string;

const postsTo = (channel: string) => t.posted.filter((p) => p.channel === channel);
const runs = () => sql<{ id: string; status: string; trigger: string; pulled: number; conflicts: number }>(t.app.dbUrl, 'select id, status, trigger, pulled, conflicts from sync_runs order by created_at');
const ruleRow = async () => (await sql<{ enabled: boolean }>(t.app.dbUrl, 'select enabled from sync_rules where id = $1', [ruleId]))[0];
const addTask = async (name: string) => (await sbx(t.app, key, '/tasks', { method: 'POST', json: { name } })).body.id as string;

beforeAll(async () => {
  t = await startSlackTest({ workers: true, env: { SANDBOX_ENABLED: 'true' } });
  await linkTeam(t, OWNER);
  ({ key } = await createAccount(t.app.pb.rt.db.pool, 'Acme Sandbox'));
  const conn = await t.app.fetch('/api/v1/connections', { method: 'POST', json: { provider: 'sandbox', credentials: { apiKey: key } } });
  expect(conn.status).toBe(201);
  connectionId = (await json(conn)).connection.id;
  await addTask('Write the launch note');
  await addTask('Book the venue');
  const rule = await t.app.fetch(`/api/v1/connections/${connectionId}/rules`, { method: 'POST', json: { remoteObject: 'tasks' } });
  expect(rule.status).toBe(201);
  ruleId = (await json(rule)).rule.id;
  // A new rule runs at once (scheduled): its first full import, before the tests sync by hand.
  await eventually(async () => (await runs()).some((r) => r.status === 'succeeded'), 20_000);
}, 60_000);
afterAll(async () => {
  await t?.close();
});

describe('sync from Slack', () => {
  it('an Admin’s sync: "started" privately, then one message with "Syncing…" edited into the summary with a Log button', async () => {
    await addTask('Order the banners');
    await addTask('Print the badges');
    const res = await t.slash(ADMIN, 'sync sandbox', { channel: 'C_SYNC' });
    expect(res.status).toBe(200);
    expect(res.body.response_type).toBe('ephemeral');
    expect(textOf(res.body)).toMatch(/Started syncing \*Patchbay Sandbox tasks\*; progress appears in this channel/);

    const post = await eventually(async () => postsTo('C_SYNC')[0]);
    expect(textOf(post.body)).toMatch(/🔄 Syncing \*Patchbay Sandbox tasks\*…/);
    const update = await eventually(async () => t.fake.callsTo('chat.update').find((u) => u.body.ts === post.ts && /Synced/.test(textOf(u.body))), 20_000);
    expect(update.body.channel).toBe('C_SYNC');
    expect(textOf(update.body)).toMatch(/✅ Synced Patchbay Sandbox tasks: 2 pulled, 0 pushed, 2 linked, 0 conflicts, 0 errors in \d+\.\d s\./);
    expect(buttonNamed(update.body, 'Log').value).toBe(`log ${connectionId}`);
    expect(postsTo('C_SYNC')).toHaveLength(1);
    const [manual] = (await runs()).filter((r) => r.trigger === 'manual');
    expect(manual).toMatchObject({ status: 'succeeded', pulled: 2 });
    const audit = await sql<{ via: string; outcome: string }>(t.app.dbUrl, `select via, outcome from audit_logs where action = 'sync_rule.run'`);
    expect(audit).toEqual([{ via: 'slack', outcome: 'success' }]);
  });

  it('a Member’s sync is refused privately, naming the role, audited, and starts no run', async () => {
    const before = (await runs()).length;
    const res = await t.slash(MEMBER, 'sync sandbox', { channel: 'C_SYNC' });
    expect(res.body.response_type).toBe('ephemeral');
    expect(textOf(res.body)).toMatch(/needs the Admin or Owner role; you are a Member\. Nothing was changed\./);
    const refused = await sql<{ outcome: string; via: string }>(t.app.dbUrl, `select outcome, via from audit_logs where action = 'connections.sync'`);
    expect(refused).toEqual([{ outcome: 'refused', via: 'slack' }]);
    await new Promise((r) => setTimeout(r, 300));
    expect(await runs()).toHaveLength(before);
  });

  it('a field changed on both sides within the grace window: one alert in the subscribed channel, naming record, field, values and winner', async () => {
    const sub = await t.slash(ADMIN, 'alerts here conflicts', { channel: 'C_ALERTS' });
    expect(textOf(sub.body)).toMatch(/subscribed this channel to \*conflicts\*/);
    const [link] = await sql<{ local_id: string; remote_id: string }>(
      t.app.dbUrl,
      `select l.local_id, l.remote_id from sync_links l join tasks k on k.id = l.local_id where l.rule_id = $1 and k.title = 'Book the venue'`,
      [ruleId],
    );
    const local = await t.app.fetch(`/api/v1/tasks/${link!.local_id}`, { method: 'PATCH', json: { title: 'Book the venue (local)' } });
    expect(local.status).toBe(200);
    await new Promise((r) => setTimeout(r, 20));
    expect((await sbx(t.app, key, `/tasks/${link!.remote_id}`, { method: 'PATCH', json: { name: 'Book the bigger venue' } })).status).toBe(200);

    await t.slash(ADMIN, 'sync sandbox', { channel: 'C_SYNC' });
    const alert = await eventually(async () => postsTo('C_ALERTS').find((p) => /conflict/.test(textOf(p.body))), 20_000);
    const text = textOf(alert.body);
    expect(text).toMatch(/⚠️ 1 sync conflict in \*Patchbay Sandbox tasks\*/);
    expect(text).toContain('Task Book the bigger venue');
    expect(text).toContain(`Patchbay Sandbox id ${link!.remote_id}`);
    expect(text).toMatch(/field \*title\*: Patchbay had Book the venue \(local\), Patchbay Sandbox had Book the bigger venue → Patchbay Sandbox’s value won/);
    expect(buttonNamed(alert.body, 'Log').value).toBe(`log ${connectionId}`);
    // The run's own summary says so too, in the channel that ran it; the alert is posted once.
    await eventually(async () => t.fake.callsTo('chat.update').find((u) => /1 conflict,/.test(textOf(u.body))), 20_000);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(postsTo('C_ALERTS').filter((p) => p.ts !== sub.body?.ts)).toHaveLength(1);
    const [task] = await sql<{ title: string }>(t.app.dbUrl, 'select title from tasks where id = $1', [link!.local_id]);
    expect(task!.title).toBe('Book the bigger venue');
  });
});

describe('rules from Slack', () => {
  it('lists the rule for a Member without buttons, and for an Admin with Run, Pause, Edit and Delete, and Add rule', async () => {
    const member = await t.slash(MEMBER, 'rules sandbox');
    expect(member.body.response_type).toBe('ephemeral');
    const listed = textOf(member.body);
    expect(listed).toContain('Sync rules of Patchbay Sandbox (1)');
    expect(listed).toMatch(/1\. tasks ⇄ Patchbay Sandbox tasks\*? · both ways · every 5 min · ▶️ enabled/);
    expect(listed).toMatch(/⚠️ Last run .* ago\): 1 pulled, 0 pushed, 1 merged, 1 conflict, 0 errors\./);
    expect(listed).toMatch(/Next run \d{4}-\d\d-\d\d \d\d:\d\d UTC \(in \d+ min\)/);
    expect(buttonsOf(member.body)).toEqual([]);

    const admin = await t.slash(ADMIN, 'rules sandbox');
    expect(buttonsOf(admin.body).map((b) => [b.text.text, b.value])).toEqual([
      ['Run', `sync ${connectionId} ${ruleId}`],
      ['Pause', `rules ${connectionId} pause ${ruleId}`],
      ['Edit', `rules ${connectionId} edit ${ruleId}`],
      ['Delete', `rules ${connectionId} delete ${ruleId}`],
      ['Add rule', `rules ${connectionId} add`],
    ]);
  });

  it('Pause is refused for a Member, pauses for an Admin (audited, unscheduled), and Resume schedules it again', async () => {
    const admin = await t.slash(ADMIN, 'rules sandbox');
    const denied = await t.click(MEMBER, buttonNamed(admin.body, 'Pause'), { ephemeral: true });
    const [reply] = await t.waitForResponses(denied.responseUrl);
    expect(textOf(reply!.body)).toMatch(/🚫 .*needs the Admin or Owner role; you are a Member/);
    expect(await ruleRow()).toEqual({ enabled: true });

    const posts = t.fake.callsTo('chat.postMessage').length;
    await t.click(ADMIN, buttonNamed(admin.body, 'Pause'), { ephemeral: true });
    const paused = (await t.fake.waitFor('chat.postMessage', posts + 1)).at(-1)!;
    expect(textOf(paused.body)).toMatch(/⏸ <@U_ADMIN> paused sync rule 1 \(tasks ⇄ Patchbay Sandbox tasks\) of \*Patchbay Sandbox\*/);
    expect(await ruleRow()).toEqual({ enabled: false });
    const [row] = await sql<{ next_run_at: Date | null }>(t.app.dbUrl, 'select next_run_at from sync_rules where id = $1', [ruleId]);
    expect(row!.next_run_at).toBeNull();
    expect(await sql(t.app.dbUrl, `select 1 from audit_logs where action = 'sync_rule.update' and via = 'slack' and outcome = 'success'`)).toHaveLength(1);

    const skipped = await t.slash(ADMIN, 'sync sandbox', { channel: 'C_SYNC' });
    expect(textOf(skipped.body)).toMatch(/Every sync rule of \*Patchbay Sandbox\* is paused, so nothing ran\. Resume it first: `\/integrations rules sandbox resume 1`/);

    await t.click(ADMIN, buttonNamed(paused.body, 'Resume'));
    const resumed = (await t.fake.waitFor('chat.postMessage', posts + 2)).at(-1)!;
    expect(textOf(resumed.body)).toMatch(/▶️ <@U_ADMIN> resumed sync rule 1 .* It runs now, then every 5 min\./);
    expect(await ruleRow()).toEqual({ enabled: true });
  });

  it('Delete asks first, saying what is kept; the confirmed click deletes the rule, keeps its runs, and rules then says how to add one', async () => {
    const admin = await t.slash(ADMIN, 'rules sandbox');
    const card = await t.click(ADMIN, buttonNamed(admin.body, 'Delete'), { ephemeral: true });
    const [reply] = await t.waitForResponses(card.responseUrl);
    expect(textOf(reply!.body)).toMatch(/Delete sync rule 1 \(tasks ⇄ Patchbay Sandbox tasks\) of \*Patchbay Sandbox\*\? .*Records already synced stay in Patchbay and in Patchbay Sandbox, and past runs stay in the log\./);
    const confirm = buttonNamed(reply!.body, 'Delete');
    expect(confirm.value).toBe(`rules ${connectionId} delete ${ruleId} --confirmed`);
    expect(confirm.confirm.title.text).toMatch(/Delete sync rule 1/);
    expect(await ruleRow()).toBeDefined();

    const runsBefore = (await runs()).length;
    await t.click(ADMIN, confirm, { ephemeral: true });
    await eventually(async () => (await ruleRow()) === undefined);
    // Let a run the Resume started finish; runs are kept, only their rule is gone.
    await eventually(async () => (await runs()).every((r) => r.status === 'succeeded' || r.status === 'failed'), 20_000);
    expect((await runs()).length).toBeGreaterThanOrEqual(runsBefore);
    expect(await sql(t.app.dbUrl, `select 1 from audit_logs where action = 'sync_rule.delete' and via = 'slack'`)).toHaveLength(1);

    const none = await t.slash(ADMIN, 'rules sandbox');
    expect(textOf(none.body)).toMatch(/\*Patchbay Sandbox\* has no sync rules yet\. Patchbay Sandbox can sync tasks, contacts\. Add one with `\/integrations rules sandbox add`\./);
    expect(buttonNamed(none.body, 'Add rule').value).toBe(`rules ${connectionId} add`);
    const unknown = await t.slash(ADMIN, 'rules nope');
    expect(textOf(unknown.body)).toMatch(/No connection 'nope'/);
  });

  it('providers shows which objects sync', async () => {
    const res = await t.slash(MEMBER, 'providers');
    expect(textOf(res.body)).toMatch(/\*Patchbay Sandbox\* `sandbox` — project management · API key · syncs tasks, contacts · 1 connected/);
  });
});
