/**
 * Sync and rules through the terminal client, spawned as users run it (`npm run chat -- …`),
 * against the real Sandbox served by a running Patchbay whose workers run the sync jobs.
 *
 * Each test spawns several processes (`npm`, then Node): seconds each on a loaded machine, so
 * the tests get a 90 s ceiling instead of the default 30 s. Nothing here measures speed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount } from '../../src/sandbox/store.ts';
import { json, startTestApp, type TestApp } from '../helpers/app.ts';
import { npmChat as runChat } from '../helpers/npm-chat.ts';
import { eventually, sql } from '../helpers/sql.ts';
import { sbx } from '../sandbox/support.ts';

let app: TestApp;
let key: string;
let ruleId: string;

const npmChat = (args: string[], input = '') => runChat(app.dbUrl, args, input);

const rule = async () => (await sql<{ enabled: boolean }>(app.dbUrl, 'select enabled from sync_rules where id = $1', [ruleId]))[0];

beforeAll(async () => {
  app = await startTestApp({ workers: true, env: { SANDBOX_ENABLED: 'true' } });
  ({ key } = await createAccount(app.pb.rt.db.pool, 'Terminal Co'));
  const conn = await app.fetch('/api/v1/connections', { method: 'POST', json: { provider: 'sandbox', credentials: { apiKey: key } } });
  expect(conn.status).toBe(201);
  const connectionId = (await json(conn)).connection.id;
  const created = await app.fetch(`/api/v1/connections/${connectionId}/rules`, { method: 'POST', json: { remoteObject: 'tasks' } });
  expect(created.status).toBe(201);
  ruleId = (await json(created)).rule.id;
  // The new rule's scheduled first run (nothing to import yet) ends before the tests sync by hand.
  await eventually(async () => (await sql(app.dbUrl, `select 1 from sync_runs where status = 'succeeded'`)).length > 0, 20_000);
}, 60_000);
afterAll(async () => {
  await app?.close();
});

describe('npm run chat: sync and rules', () => {
  it('an admin runs sync sandbox: it says it started, waits for the run and prints the summary with a Log button', { timeout: 90_000 }, async () => {
    for (const name of ['Plan the offsite', 'Send the invites', 'Book the rooms']) expect((await sbx(app, key, '/tasks', { method: 'POST', json: { name } })).status).toBe(201);
    const out = await npmChat(['sync', 'sandbox']);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toContain('🔄 Started syncing Patchbay Sandbox tasks.');
    expect(out.stdout).toMatch(/✅ Synced Patchbay Sandbox tasks: 3 pulled, 0 pushed, 3 linked, 0 conflicts, 0 errors in \d+\.\d s\./);
    expect(out.stdout).toContain('[Log: npm run chat -- log sandbox]');
    expect(await sql(app.dbUrl, `select title from tasks order by title`)).toEqual([{ title: 'Book the rooms' }, { title: 'Plan the offsite' }, { title: 'Send the invites' }]);
    const [audit] = await sql<{ via: string }>(app.dbUrl, `select via from audit_logs where action = 'sync_rule.run'`);
    expect(audit!.via).toBe('cli');
  });

  it('rules sandbox lists the rule with its last run and buttons as commands', { timeout: 90_000 }, async () => {
    const out = await npmChat(['rules', 'sandbox']);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toContain('== Sync rules of Patchbay Sandbox (1) ==');
    expect(out.stdout).toContain('1. tasks ⇄ Patchbay Sandbox tasks · both ways · every 5 min · ▶️ enabled');
    expect(out.stdout).toMatch(/✅ Last run .*: 3 pulled, 0 pushed, 3 linked, 0 conflicts, 0 errors\. Next run /);
    expect(out.stdout).toContain(`[Run: npm run chat -- sync sandbox ${ruleId}]`);
    expect(out.stdout).toContain(`[Pause: npm run chat -- rules sandbox pause ${ruleId}]`);
    expect(out.stdout).toContain('Name a rule by its number: `npm run chat -- rules sandbox pause 1`');
  });

  it('rules sandbox pause 1 disables the rule; sync then says it is paused; resume 1 enables it again', { timeout: 90_000 }, async () => {
    const paused = await npmChat(['rules', 'sandbox', 'pause', '1']);
    expect(paused.code, paused.stderr).toBe(0);
    expect(paused.stdout).toContain('⏸ You paused sync rule 1 (tasks ⇄ Patchbay Sandbox tasks) of Patchbay Sandbox');
    expect(await rule()).toEqual({ enabled: false });
    const [audit] = await sql<{ via: string; details: any }>(app.dbUrl, `select via, details from audit_logs where action = 'sync_rule.update'`);
    expect(audit).toMatchObject({ via: 'cli', details: { changedFields: ['enabled'] } });

    const sync = await npmChat(['sync', 'sandbox', '1']);
    expect(sync.code).toBe(1);
    expect(sync.stdout).toContain('Sync rule 1 (tasks ⇄ Patchbay Sandbox tasks) is paused, so nothing ran. Resume it first: `npm run chat -- rules sandbox resume 1`.');

    const unknown = await npmChat(['rules', 'sandbox', 'pause', '7']);
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toContain('Patchbay Sandbox has no rule 7. Its rules: 1. tasks ⇄ tasks.');

    const resumed = await npmChat(['rules', 'sandbox', 'resume', '1']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain('▶️ You resumed sync rule 1');
    expect(await rule()).toEqual({ enabled: true });
  });

  it('rules sandbox delete 1 asks y/N: no keeps the rule, yes deletes it', { timeout: 90_000 }, async () => {
    const declined = await npmChat(['rules', 'sandbox', 'delete', '1'], 'n\n');
    expect(declined.code).toBe(1);
    expect(declined.stdout).toContain('Records already synced stay in Patchbay and in Patchbay Sandbox');
    expect(declined.stdout).toContain('Cancelled: nothing was changed.');
    expect(await rule()).toBeDefined();

    const deleted = await npmChat(['rules', 'sandbox', 'delete', '1', '--yes']);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(deleted.stdout).toContain('🗑 You deleted sync rule 1 (tasks ⇄ Patchbay Sandbox tasks) of Patchbay Sandbox.');
    expect(await rule()).toBeUndefined();
    const none = await npmChat(['rules', 'sandbox']);
    expect(none.stdout).toContain('Patchbay Sandbox has no sync rules yet. Patchbay Sandbox can sync tasks, contacts. Add one with `npm run chat -- rules sandbox add`.');
    expect(none.stdout).toContain('[Add rule: npm run chat -- rules sandbox add]');
    // sync with no rule says what to add, as one message: no usage lines (the command was typed right).
    const nothing = await npmChat(['sync', 'sandbox']);
    expect(nothing.code).toBe(1);
    const said = nothing.stdout + nothing.stderr;
    expect(said).toMatch(/Patchbay Sandbox has no sync rules yet\. Patchbay Sandbox can sync tasks, contacts: an Admin adds a rule with `npm run chat -- rules sandbox add`, then try again\./);
    expect(said).not.toMatch(/Usage:|\n\s+at /);
  });

  it('rules sandbox add asks the form at the terminal: choices by number, Enter takes the default', { timeout: 90_000 }, async () => {
    // object 2 (contacts), direction default, every 15 min, no filter, delete policy default.
    const out = await npmChat(['rules', 'sandbox', 'add'], ['2', '', '15', '', '', ''].join('\n'));
    expect(out.code, out.stdout + out.stderr).toBe(0);
    expect(out.stdout).toContain('1. tasks — tasks ⇄ Patchbay Sandbox tasks');
    expect(out.stdout).toContain('Every (minutes) (default 5): ');
    expect(out.stdout).toContain('✅ You added a sync rule to Patchbay Sandbox: 1. contacts ⇄ Patchbay Sandbox contacts · both ways · every 15 min · deletes marked.');
    expect(out.stdout).toContain('Mapping: `name = first_name + last_name (name_parts)`');
    const rows = await sql(app.dbUrl, `select remote_object, direction, interval_seconds, delete_policy, enabled from sync_rules`);
    expect(rows).toEqual([{ remote_object: 'contacts', direction: 'both', interval_seconds: 900, delete_policy: 'mark', enabled: false }]);
  });
});
