/**
 * Sync rules from chat through forms, in the chat core (any platform): `rules <connection> add`
 * opens a five-input form with defaults and the suggested mapping; a submission creates the rule
 * through the rules service (disabled until previewed and run); bad values come back as field
 * errors with nothing stored; Edit is prefilled and changes the rule; Edit mapping round-trips
 * the mapping as `local = remote` lines; a Member gets no form and stores nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMappingText } from '../../src/commands/mapping-text.ts';
import { renderText } from '../../src/commands/render-text.ts';
import type { Block, NeutralReply } from '../../src/commands/view.ts';
import { createAccount } from '../../src/sandbox/store.ts';
import { ruleJobKey } from '../../src/sync/schedule.ts';
import { json, startTestApp, type TestApp } from '../helpers/app.ts';
import { memberWithToken } from '../helpers/members.ts';
import { sql } from '../helpers/sql.ts';
import { buttons, chat, linkCode, settle } from './support.ts';

const OWNER = { userId: 'U_OWNER', userName: 'olivia' };
const MEMBER = { userId: 'U_MEMBER', userName: 'mia', email: 'mia@example.com' };

let app: TestApp;
let c: ReturnType<typeof chat>;
let connectionId: string;

type Form = Extract<Block, { type: 'form' }>;
const formOf = (r: NeutralReply): Form => {
  const f = r.blocks.find((b): b is Form => b.type === 'form');
  if (!f) throw new Error(`no form in ${renderText(r)}`);
  return f;
};
const rules = () =>
  sql<{ id: string; remote_object: string; direction: string; frequency: string; interval_seconds: number; delete_policy: string; scope: any; enabled: boolean; mapping: any[] }>(
    app.dbUrl,
    'select id, remote_object, direction, frequency, interval_seconds, delete_policy, scope, enabled, mapping from sync_rules order by created_at',
  );
const submit = async (user: typeof OWNER, formId: string, values: Record<string, string>) => await settle(await c.submit(user, formId, values));

beforeAll(async () => {
  app = await startTestApp({ env: { SANDBOX_ENABLED: 'true' } });
  c = chat(app);
  await memberWithToken(app, 'member', 'mia@example.com');
  await c.final(OWNER, `link ${await linkCode(app)}`);
  const { key } = await createAccount(app.pb.rt.db.pool, 'Form Co');
  const conn = await app.fetch('/api/v1/connections', { method: 'POST', json: { provider: 'sandbox', credentials: { apiKey: key } } });
  expect(conn.status).toBe(201);
  connectionId = (await json(conn)).connection.id;
}, 60_000);
afterAll(async () => {
  await app?.close();
});

describe('rules <connection> add', () => {
  it('a Member gets no form: refused with the role message, audited, and a submission stores nothing', async () => {
    const r = await c.final(MEMBER, 'rules sandbox add');
    expect(r.blocks.some((b) => b.type === 'form')).toBe(false);
    expect(c.text(r)).toMatch(/🚫 .*needs the Admin or Owner role; you are a Member\. Nothing was changed\./);
    const sent = await submit(MEMBER, `rules:add:${connectionId}`, { object: 'tasks' });
    expect(sent.error?.code).toBe('forbidden');
    expect(await rules()).toEqual([]);
    const refused = await sql<{ outcome: string }>(app.dbUrl, `select outcome from audit_logs where action = 'sync_rules.manage'`);
    expect(refused.length).toBeGreaterThanOrEqual(2);
    expect(refused.every((a) => a.outcome === 'refused')).toBe(true);
  });

  it('an Owner gets a form of at most five inputs with defaults, and the suggested mapping in its intro', async () => {
    const r = await c.final(OWNER, 'rules sandbox add');
    const form = formOf(r);
    expect(form.id).toBe(`rules:add:${connectionId}`);
    expect(form.fields.length).toBeLessThanOrEqual(5);
    expect(form.fields.map((f) => [f.name, f.initial])).toEqual([
      ['object', 'tasks'],
      ['direction', 'both'],
      ['frequency', '5'],
      ['scope', undefined],
      ['deletePolicy', 'mark'],
    ]);
    expect(form.fields[0]!.options).toEqual([
      { value: 'tasks', label: 'tasks ⇄ Patchbay Sandbox tasks' },
      { value: 'contacts', label: 'contacts ⇄ Patchbay Sandbox contacts' },
    ]);
    expect(form.fields[3]).toMatchObject({ optional: true });
    expect(form.intro).toContain('`title = name (title_minutes)`');
    expect(form.intro).toContain('`name = first_name + last_name (name_parts)`');
    const contacts = formOf(await c.final(OWNER, 'rules sandbox add contacts'));
    expect(contacts.fields[0]!.initial).toBe('contacts');
    expect(contacts.intro).not.toContain('title_minutes');
    const unknown = await c.final(OWNER, 'rules sandbox add invoices');
    expect(c.text(unknown)).toContain("Patchbay Sandbox does not sync 'invoices'; it syncs tasks, contacts.");
    // The terminal lists the choices and defaults.
    expect(c.text(r)).toContain('- Direction — one of: both (Both ways), in (Into Patchbay only), out (Out of Patchbay only); default: both');
  });

  it('bad values come back as field errors on the still-open form, and nothing is stored', async () => {
    const notNumber = await submit(OWNER, `rules:add:${connectionId}`, { object: 'tasks', frequency: 'soon' });
    expect(notNumber.fieldErrors).toEqual({ frequency: "'soon' is not a number of minutes: type a number from 0.5 to 1440, or realtime." });
    const tooFast = await submit(OWNER, `rules:add:${connectionId}`, { object: 'tasks', frequency: '0.1' });
    expect(tooFast.fieldErrors?.frequency).toMatch(/from 0\.5 to 1440/);
    const noObject = await submit(OWNER, `rules:add:${connectionId}`, { object: 'invoices' });
    expect(noObject.fieldErrors?.object).toBe('Choose one of tasks, contacts.');
    const scoped = await submit(OWNER, `rules:add:${connectionId}`, { object: 'contacts', scope: 'P1' });
    expect(scoped.fieldErrors).toEqual({ scope: 'contacts take no filter: leave it empty.' });
    expect(await rules()).toEqual([]);
  });

  it('a valid submission creates the rule (disabled, not scheduled) and replies in the channel with the mapping, Preview, Run now and Edit mapping', async () => {
    const r = await submit(OWNER, `rules:add:${connectionId}`, { object: 'tasks', direction: 'in', frequency: '10', scope: 'P1', deletePolicy: 'ignore' });
    expect(r.error, c.text(r)).toBeUndefined();
    const [rule] = await rules();
    expect(rule).toMatchObject({ remote_object: 'tasks', direction: 'in', frequency: 'interval', interval_seconds: 600, delete_policy: 'ignore', scope: { project: 'P1' }, enabled: false });
    expect(rule!.mapping.map((e: any) => e.local)).toEqual(['title', 'description', 'status', 'dueDate', 'assigneeEmail', 'labels']);
    expect(r.visibility).toBe('in_channel');
    const text = c.text(r);
    expect(text).toContain('✅ @U_OWNER added a sync rule to Patchbay Sandbox: 1. tasks ← Patchbay Sandbox tasks · into Patchbay only · every 10 min · project P1 · deletes ignored.');
    expect(text).toContain('Mapping: `title = name (title_minutes)` · `description = notes (rich_text)`');
    expect(text).toContain('⏸ Not scheduled yet: Preview what the first run will do, then Run now (or Resume) to start its schedule (every 10 min).');
    expect(buttons(r)).toEqual([
      { label: 'Preview', line: `rules ${connectionId} preview ${rule!.id}` },
      { label: 'Run now', line: `rules ${connectionId} resume ${rule!.id}`, style: 'primary' },
      { label: 'Edit mapping', line: `rules ${connectionId} mapping ${rule!.id}` },
    ]);
    const jobs = await sql(app.dbUrl, `select 1 from graphile_worker._private_jobs where key = $1`, [ruleJobKey(rule!.id)]);
    expect(jobs).toEqual([]);
    expect(await sql(app.dbUrl, 'select next_run_at from sync_rules where id = $1', [rule!.id])).toEqual([{ next_run_at: null }]);
    const [audit] = await sql<{ via: string; outcome: string }>(app.dbUrl, `select via, outcome from audit_logs where action = 'sync_rule.create'`);
    expect(audit).toEqual({ via: 'slack', outcome: 'success' });
    // The list says it is waiting for its first run, and offers Edit and Add rule.
    const list = await c.final(OWNER, 'rules sandbox');
    expect(c.text(list)).toContain('Not scheduled yet: Preview, then Run now or Resume.');
    expect(buttons(list).map((b) => b.label)).toEqual(['Preview', 'Resume', 'Edit', 'Delete', 'Add rule']);
  });

  it('a second rule on the same object and scope is refused on the form', async () => {
    const r = await submit(OWNER, `rules:add:${connectionId}`, { object: 'tasks', scope: 'P1' });
    expect(r.fieldErrors?.object).toMatch(/already has a rule for tasks with this scope \(rule 1/);
    expect(await rules()).toHaveLength(1);
  });
});

describe('rules <connection> edit and mapping', () => {
  it('Edit opens prefilled with the rule’s settings and changes them', async () => {
    const member = await c.final(MEMBER, 'rules sandbox edit 1');
    expect(member.blocks.some((b) => b.type === 'form')).toBe(false);
    const form = formOf(await c.final(OWNER, 'rules sandbox edit 1'));
    const [rule] = await rules();
    expect(form.id).toBe(`rules:edit:${connectionId}:${rule!.id}`);
    expect(form.fields.map((f) => [f.name, f.initial])).toEqual([
      ['direction', 'in'],
      ['frequency', '10'],
      ['scope', 'P1'],
      ['deletePolicy', 'ignore'],
    ]);
    expect(form.intro).toContain('Mapping: `title = name (title_minutes)`');

    const bad = await submit(OWNER, form.id, { direction: 'in', frequency: 'often', scope: 'P1', deletePolicy: 'ignore' });
    expect(bad.fieldErrors?.frequency).toMatch(/'often' is not a number of minutes/);

    const r = await submit(OWNER, form.id, { direction: 'both', frequency: 'realtime', deletePolicy: 'mark' });
    expect(r.error, c.text(r)).toBeUndefined();
    expect((await rules())[0]).toMatchObject({ direction: 'both', frequency: 'realtime', delete_policy: 'mark', scope: {}, enabled: false });
    expect(c.text(r)).toContain('✏️ @U_OWNER changed sync rule 1 of Patchbay Sandbox: 1. tasks ⇄ Patchbay Sandbox tasks · both ways · realtime · deletes marked.');
    const same = await submit(OWNER, form.id, { direction: 'both', frequency: 'realtime', deletePolicy: 'mark' });
    expect(c.text(same)).toMatch(/^Nothing changed/);
  });

  it('Edit mapping round-trips the mapping as lines; an unknown field is a field error naming the line', async () => {
    const reply = await c.final(OWNER, 'rules sandbox mapping 1');
    const form = formOf(reply);
    const field = form.fields[0]!;
    expect(form.fields).toHaveLength(1);
    expect(field).toMatchObject({ name: 'mapping', multiline: true });
    const [before] = await rules();
    expect(parseMappingText(field.initial!).entries).toEqual(before!.mapping);

    const unknown = await submit(OWNER, form.id, { mapping: 'title = name\ndescription = nope' });
    expect(unknown.fieldErrors?.mapping).toMatch(/^line 2: 'nope' is not a field of tasks at this provider/);
    const shape = await submit(OWNER, form.id, { mapping: 'title = name\nwhat is this' });
    expect(shape.fieldErrors?.mapping).toMatch(/^line 2 \(what is this\): write it as/);
    expect((await rules())[0]!.mapping).toEqual(before!.mapping);

    const text = 'title = name (title_minutes)\n\ndueDate = due_on\nlabels <- tags';
    const r = await submit(OWNER, form.id, { mapping: text });
    expect(r.error, c.text(r)).toBeUndefined();
    expect((await rules())[0]!.mapping).toEqual([
      { local: 'title', remote: 'name', direction: 'both', transform: 'title_minutes' },
      { local: 'dueDate', remote: 'due_on', direction: 'both' },
      { local: 'labels', remote: 'tags', direction: 'in' },
    ]);
    expect(c.text(r)).toContain('✏️ @U_OWNER changed the field mapping of sync rule 1 of Patchbay Sandbox (tasks ⇄ Patchbay Sandbox tasks). The next run is a full pull');
    expect(c.text(r)).toContain('Mapping: `title = name (title_minutes)` · `dueDate = due_on` · `labels <- tags`');
    const again = formOf(await c.final(OWNER, 'rules sandbox mapping 1'));
    expect(again.fields[0]!.initial).toBe('title = name (title_minutes)\ndueDate = due_on\nlabels <- tags');
  });

  it('contacts: the combined name round-trips through Edit mapping', async () => {
    const added = await submit(OWNER, `rules:add:${connectionId}`, { object: 'contacts' });
    expect(added.error, c.text(added)).toBeUndefined();
    const form = formOf(await c.final(OWNER, 'rules sandbox mapping contacts'));
    expect(form.fields[0]!.initial).toContain('name = first_name + last_name (name_parts)');
    const r = await submit(OWNER, form.id, { mapping: 'name = first_name + last_name (name_parts)\nemail = email' });
    expect(r.error, c.text(r)).toBeUndefined();
    const contacts = (await rules()).find((x) => x.remote_object === 'contacts')!;
    expect(contacts.mapping).toEqual([
      { local: 'name', remote: ['first_name', 'last_name'], direction: 'both', transform: 'name_parts' },
      { local: 'email', remote: 'email', direction: 'both' },
    ]);
  });
});
