/**
 * Sync rules from Slack through modals (signed requests, fake Web API, real Sandbox and workers):
 * an Admin clicks Add rule, submits the modal and the rule is in Postgres, disabled, with the
 * submitted values, announced in the channel with Preview, Run now and Edit mapping; an invalid
 * submission keeps the modal open with `response_action: errors`; a Member gets no modal and a
 * Member's submission stores nothing; Edit opens prefilled and changes the rule; Edit mapping
 * round-trips; Run now starts the first run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount } from '../../src/sandbox/store.ts';
import { json } from '../helpers/app.ts';
import { eventually, sql } from '../helpers/sql.ts';
import { sbx } from '../sandbox/support.ts';
import { OWNER, ADMIN, MEMBER, buttonNamed, linkTeam, startSlackTest, textOf, type SlackTest, type SlackUser } from './support.ts';


let t: SlackTest;
let key: string;
let connectionId: string;
let addModal: any;
let announced: any;

type RuleRow = { id: string; remote_object: string; direction: string; frequency: string; interval_seconds: number; delete_policy: string; scope: any; enabled: boolean; mapping: any[] };
const rules = () => sql<RuleRow>(t.app.dbUrl, 'select id, remote_object, direction, frequency, interval_seconds, delete_policy, scope, enabled, mapping from sync_rules order by created_at');
const inputs = (view: any) => view.blocks.filter((b: any) => b.type === 'input');

/** Clicks a button and returns the modal it opened. */
async function openModal(user: SlackUser, button: any): Promise<any> {
  const before = t.fake.callsTo('views.open').length;
  await t.click(user, button, { ephemeral: true });
  return (await t.fake.waitFor('views.open', before + 1)).at(-1)!.body.view;
}

/** Submits a modal that closes, and returns the message then posted in the channel. */
async function submitAndPost(user: SlackUser, view: any, values: Record<string, string>): Promise<any> {
  const posts = t.fake.callsTo('chat.postMessage').length;
  const res = await t.submit(user, view, values);
  expect(res.status).toBe(200);
  expect(res.text, res.text).toBe('');
  return (await t.fake.waitFor('chat.postMessage', posts + 1)).at(-1)!.body;
}

beforeAll(async () => {
  t = await startSlackTest({ workers: true, env: { SANDBOX_ENABLED: 'true' } });
  await linkTeam(t, OWNER);
  ({ key } = await createAccount(t.app.pb.rt.db.pool, 'Acme Sandbox'));
  const conn = await t.app.fetch('/api/v1/connections', { method: 'POST', json: { provider: 'sandbox', credentials: { apiKey: key } } });
  expect(conn.status).toBe(201);
  connectionId = (await json(conn)).connection.id;
  for (const name of ['Write the launch note', 'Book the venue']) expect((await sbx(t.app, key, '/tasks', { method: 'POST', json: { name } })).status).toBe(201);
}, 60_000);
afterAll(async () => {
  await t?.close();
});

describe('adding a rule from Slack', () => {
  it('a Member gets no modal: refused privately naming the role, and nothing opens', async () => {
    const before = t.fake.callsTo('views.open').length;
    const res = await t.slash(MEMBER, 'rules sandbox add');
    expect(res.body.response_type).toBe('ephemeral');
    expect(textOf(res.body)).toMatch(/needs the Admin or Owner role; you are a Member\. Nothing was changed\./);
    await new Promise((r) => setTimeout(r, 200));
    expect(t.fake.callsTo('views.open')).toHaveLength(before);
  });

  it('an Admin’s Add rule opens a modal of five inputs with defaults (selects preselected) and the suggested mapping', async () => {
    const list = await t.slash(ADMIN, 'rules sandbox');
    expect(textOf(list.body)).toMatch(/has no sync rules yet/);
    addModal = await openModal(ADMIN, buttonNamed(list.body, 'Add rule'));
    expect(addModal).toMatchObject({ type: 'modal', callback_id: 'patchbay_form', title: { text: 'Add a sync rule' }, submit: { text: 'Add rule' } });
    expect(JSON.parse(addModal.private_metadata)).toMatchObject({ formId: `rules:add:${connectionId}`, channelId: 'C0001' });
    const fields = inputs(addModal);
    expect(fields.map((b: any) => b.block_id)).toEqual(['object', 'direction', 'frequency', 'scope', 'deletePolicy']);
    expect(fields[0].element).toMatchObject({ type: 'static_select', initial_option: { value: 'tasks', text: { text: 'tasks ⇄ Patchbay Sandbox tasks' } } });
    expect(fields[0].element.options.map((o: any) => o.value)).toEqual(['tasks', 'contacts']);
    expect(fields[1].element).toMatchObject({ type: 'static_select', initial_option: { value: 'both' } });
    expect(fields[2].element).toMatchObject({ type: 'plain_text_input', initial_value: '5' });
    expect(fields[3]).toMatchObject({ optional: true, label: { text: 'Filter: Project' } });
    expect(fields[4].element).toMatchObject({ type: 'static_select', initial_option: { value: 'mark' } });
    expect(addModal.blocks[0].text.text).toContain('`title = name (title_minutes)`');
  });

  it('an invalid submission keeps the modal open with response_action errors, and stores nothing', async () => {
    const res = await t.submit(ADMIN, addModal, { frequency: 'soon' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ response_action: 'errors', errors: { frequency: "'soon' is not a number of minutes: type a number from 0.5 to 1440, or realtime." } });
    const scoped = await t.submit(ADMIN, addModal, { object: 'contacts', scope: 'P1' });
    expect(scoped.body).toEqual({ response_action: 'errors', errors: { scope: 'contacts take no filter: leave it empty.' } });
    expect(await rules()).toEqual([]);
  });

  it('a Member submitting the modal is refused (audited) and nothing is stored', async () => {
    const res = await t.submit(MEMBER, addModal, { frequency: '10' });
    expect(res.status).toBe(200);
    await eventually(async () => (await sql(t.app.dbUrl, `select 1 from audit_logs where action = 'sync_rules.manage' and outcome = 'refused' and target_id = $1`, [`rules:add:${connectionId}`])).length === 1);
    expect(await rules()).toEqual([]);
  });

  it('the Admin’s submission creates the rule with the submitted values, disabled, and posts it with Preview, Run now and Edit mapping', async () => {
    announced = await submitAndPost(ADMIN, addModal, { frequency: '10', direction: 'in' });
    const [rule] = await rules();
    expect(rule).toMatchObject({ remote_object: 'tasks', direction: 'in', frequency: 'interval', interval_seconds: 600, delete_policy: 'mark', scope: {}, enabled: false });
    expect(rule!.mapping.map((e: any) => `${e.local}=${e.remote}`)).toEqual(['title=name', 'description=notes', 'status=status', 'dueDate=due_on', 'assigneeEmail=assignee_email', 'labels=tags']);
    const text = textOf(announced);
    expect(text).toMatch(/✅ <@U_ADMIN> added a sync rule to \*Patchbay Sandbox\*: \*1\. tasks ← Patchbay Sandbox tasks\* · into Patchbay only · every 10 min · deletes marked\./);
    expect(text).toContain('Mapping: `title = name (title_minutes)`');
    expect(text).toMatch(/Not scheduled yet: Preview what the first run will do, then Run now \(or Resume\)/);
    expect(buttonNamed(announced, 'Preview').value).toBe(`rules ${connectionId} preview ${rule!.id}`);
    expect(buttonNamed(announced, 'Run now').value).toBe(`rules ${connectionId} resume ${rule!.id}`);
    expect(buttonNamed(announced, 'Edit mapping').value).toBe(`rules ${connectionId} mapping ${rule!.id}`);
    // Disabled: the scheduler has nothing queued, so no run happens before the preview.
    await new Promise((r) => setTimeout(r, 500));
    expect(await sql(t.app.dbUrl, 'select 1 from sync_runs')).toEqual([]);
    const [audit] = await sql<{ via: string }>(t.app.dbUrl, `select via from audit_logs where action = 'sync_rule.create'`);
    expect(audit!.via).toBe('slack');
  });
});

describe('editing a rule from Slack', () => {
  it('Edit opens prefilled with the rule’s values and the submission changes the rule', async () => {
    const list = await t.slash(ADMIN, 'rules sandbox');
    const modal = await openModal(ADMIN, buttonNamed(list.body, 'Edit'));
    const fields = inputs(modal);
    expect(fields.map((b: any) => b.block_id)).toEqual(['direction', 'frequency', 'scope', 'deletePolicy']);
    expect(fields[0].element.initial_option.value).toBe('in');
    expect(fields[1].element.initial_value).toBe('10');
    expect(fields[3].element.initial_option.value).toBe('mark');
    const post = await submitAndPost(ADMIN, modal, { direction: 'both', frequency: '15', scope: 'P9', deletePolicy: 'ignore' });
    expect(textOf(post)).toMatch(/✏️ <@U_ADMIN> changed sync rule 1 of \*Patchbay Sandbox\*: \*1\. tasks ⇄ Patchbay Sandbox tasks\* · both ways · every 15 min · project P9 · deletes ignored\./);
    expect((await rules())[0]).toMatchObject({ direction: 'both', interval_seconds: 900, scope: { project: 'P9' }, delete_policy: 'ignore', enabled: false });
    // And back to every project, through a prefilled modal again.
    const again = await openModal(ADMIN, buttonNamed((await t.slash(ADMIN, 'rules sandbox')).body, 'Edit'));
    expect(inputs(again)[2].element.initial_value).toBe('P9');
    await submitAndPost(ADMIN, again, { scope: '' });
    expect((await rules())[0]!.scope).toEqual({});
  });

  it('Edit mapping opens the mapping as lines, refuses an unknown field on the open modal, and saves a changed mapping', async () => {
    const modal = await openModal(ADMIN, buttonNamed(announced, 'Edit mapping'));
    const [field] = inputs(modal);
    expect(field.block_id).toBe('mapping');
    expect(field.element).toMatchObject({ type: 'plain_text_input', multiline: true });
    expect(field.element.initial_value.split('\n')[0]).toBe('title = name (title_minutes)');

    const bad = await t.submit(ADMIN, modal, { mapping: 'title = name\ndescription = body' });
    expect(bad.body.response_action).toBe('errors');
    expect(bad.body.errors.mapping).toMatch(/^line 2: 'body' is not a field of tasks at this provider/);

    const post = await submitAndPost(ADMIN, modal, { mapping: 'title = name (title_minutes)\ndescription = notes (rich_text)\nlabels <- tags' });
    expect(textOf(post)).toContain('Mapping: `title = name (title_minutes)` · `description = notes (rich_text)` · `labels &lt;- tags`');
    expect((await rules())[0]!.mapping).toEqual([
      { local: 'title', remote: 'name', direction: 'both', transform: 'title_minutes' },
      { local: 'description', remote: 'notes', direction: 'both', transform: 'rich_text' },
      { local: 'labels', remote: 'tags', direction: 'in' },
    ]);
    const reopened = await openModal(ADMIN, buttonNamed(post, 'Edit mapping'));
    expect(inputs(reopened)[0].element.initial_value).toBe('title = name (title_minutes)\ndescription = notes (rich_text)\nlabels <- tags');
  });

  it('Preview says what the first run will do (here: create both Sandbox tasks), with the button that starts it', async () => {
    const click = await t.click(ADMIN, buttonNamed(announced, 'Preview'), { ephemeral: true });
    const [reply] = await t.waitForResponses(click.responseUrl);
    const text = textOf(reply!.body);
    expect(text, text).toContain('Will link 0, create 0 in Patchbay Sandbox, create 2 here.');
    expect(buttonNamed(reply!.body, 'Resume').value).toBe(`rules ${connectionId} resume ${(await rules())[0]!.id}`);
    // Previewing ran nothing and linked nothing.
    expect(await sql(t.app.dbUrl, 'select 1 from sync_runs')).toEqual([]);
    expect(await sql(t.app.dbUrl, 'select 1 from sync_links')).toEqual([]);
  });

  it('Run now starts the rule: it runs at once and imports the tasks', async () => {
    await t.click(ADMIN, buttonNamed(announced, 'Run now'));
    await eventually(async () => (await sql<{ status: string }>(t.app.dbUrl, 'select status from sync_runs')).some((r) => r.status === 'succeeded'), 20_000);
    expect((await rules())[0]!.enabled).toBe(true);
    expect(await sql(t.app.dbUrl, 'select title from tasks order by title')).toEqual([{ title: 'Book the venue' }, { title: 'Write the launch note' }]);
  });
});
