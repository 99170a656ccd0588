import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bold, plain } from '../../src/commands/view.ts';
import { systemActor } from '../../src/connections/actor.ts';
import { markErrored } from '../../src/connections/system-transitions.ts';
import { Connection } from '../../src/entities/connection.ts';
import { json, startTestApp, type TestApp } from '../helpers/app.ts';
import { memberWithToken } from '../helpers/members.ts';
import { sql } from '../helpers/sql.ts';
import { buttons, chat, defaultWorkspace, LINEAR_VIEWER, linkCode, settle } from './support.ts';

const KEY = 'lin_api_ChatCoreKey0000000000000';
const OWNER = { userId: 'U_OWNER', userName: 'olivia' };
const ADMIN = { userId: 'U_ADMIN', userName: 'adam', email: 'adam@example.com' };
const MEMBER = { userId: 'U_MEMBER', userName: 'mia', email: 'Mia@Example.com' };
const PLATFORM_ADMIN = { userId: 'U_PADMIN', userName: 'pat' };

let app: TestApp;
let c: ReturnType<typeof chat>;
let workspaceId: string;
let memberToken: string;
let adminToken: string;
const ids: Record<string, string> = {};

const linearOk = () => nock('https://api.linear.app').post('/graphql').reply(200, LINEAR_VIEWER);
const row = async (id: string) =>
  (await sql(app.dbUrl, 'select status, paused_by, status_reason, credentials, updated_at from connections where id = $1', [id]))[0];
const lastAudit = async () =>
  (await sql<{ action: string; outcome: string; via: string; actor_external_id: string; actor_member_id: string }>(
    app.dbUrl,
    'select action, outcome, via, actor_external_id, actor_member_id from audit_logs order by id desc limit 1',
  ))[0]!;

/** A connection written directly (no provider call): for name resolution and states. */
async function insertConnection(providerSlug: string, displayName: string, authKind: 'api_key' | 'oauth2' = 'api_key') {
  const em = app.pb.rt.em();
  const conn = em.create(Connection, {
    workspace: workspaceId,
    providerSlug,
    displayName,
    authKind,
    credentials: app.pb.rt.vault.encrypt(authKind === 'api_key' ? { type: 'api_key', fields: { apiKey: 'lin_api_inserted000' } } : { type: 'oauth2', accessToken: 'tok', scopes: [] }),
  });
  await em.flush();
  return conn.id;
}

beforeAll(async () => {
  app = await startTestApp({ env: { PROVIDER_HUBSPOT_CLIENT_ID: 'hub-client-id', PROVIDER_HUBSPOT_CLIENT_SECRET: 'hub-client-secret' } });
  c = chat(app);
  workspaceId = (await defaultWorkspace(app)).ws.id;
  adminToken = (await memberWithToken(app, 'admin', 'adam@example.com')).token;
  memberToken = (await memberWithToken(app, 'member', 'mia@example.com')).token;
});
afterAll(async () => {
  await app.close();
});

describe('tenancy: a team drives a workspace only after an Owner’s link code', () => {
  it('answers an unlinked team with how to get a code, and runs nothing else', async () => {
    for (const line of ['list', 'pause linear', 'whoami', 'alerts here']) {
      const r = await c.final(ADMIN, line);
      expect(r.visibility, line).toBe('ephemeral');
      expect(c.text(r), line).toMatch(/not linked to a Patchbay workspace/);
      expect(c.text(r), line).toContain('npm run chat -- link');
      expect(c.text(r), line).toContain('POST /api/v1/chat/link-codes');
    }
    const help = c.text(await c.final(ADMIN, 'help'));
    expect(help).toContain('/integrations link <code>');
    expect(help).not.toContain('/integrations pause');
    // Nobody was resolved to a member before the team was linked.
    expect(await sql(app.dbUrl, 'select 1 from chat_identities')).toHaveLength(0);
  });

  it('creates link codes for Owners only, through the admin API, shown once', async () => {
    const res = await app.fetch('/api/v1/chat/link-codes', { method: 'POST' });
    expect(res.status).toBe(201);
    const body = await json(res);
    expect(body.code).toMatch(/^PB-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$/);
    expect(new Date(body.expiresAt).getTime() - Date.now()).toBeGreaterThan(29 * 60_000);
    const stored = await sql<{ code_hash: string }>(app.dbUrl, 'select code_hash from chat_link_codes');
    expect(JSON.stringify(stored)).not.toContain(body.code);
    const denied = await app.fetch('/api/v1/chat/link-codes', { method: 'POST', token: memberToken });
    expect(denied.status).toBe(403);
  });

  it('links with a code once; the linker acts as the Owner who made it; used and expired codes are refused', async () => {
    const code = await linkCode(app);
    const r = await c.final(OWNER, `link ${code.toLowerCase()}`);
    expect(r.visibility).toBe('in_channel');
    expect(c.text(r)).toMatch(/linked this Slack workspace to the Patchbay workspace Default/);
    const [team] = await sql<{ workspace_id: string; active: boolean }>(app.dbUrl, `select workspace_id, active from chat_teams where platform = 'slack' and external_id = 'T1'`);
    expect(team).toEqual({ workspace_id: workspaceId, active: true });
    const { owner } = await defaultWorkspace(app);
    const [identity] = await sql<{ member_id: string }>(app.dbUrl, `select member_id from chat_identities where external_user_id = 'U_OWNER'`);
    expect(identity!.member_id).toBe(owner.id);
    expect(await lastAudit()).toMatchObject({ action: 'chat.link', outcome: 'success', via: 'slack', actor_external_id: 'slack:T1:U_OWNER' });

    const other = chat(app, { teamId: 'T2' });
    expect(c.text(await other.final(OWNER, `link ${code}`))).toMatch(/already been used/);
    const stale = await linkCode(app);
    await sql(app.dbUrl, `update chat_link_codes set expires_at = now() - interval '1 minute' where used_at is null`);
    expect(c.text(await other.final(OWNER, `link ${stale}`))).toMatch(/has expired/);
    expect(c.text(await other.final(OWNER, 'link hello'))).toMatch(/not a link code/);
    expect(c.text(await other.final(OWNER, 'list'))).toMatch(/not linked/);
    expect(await sql(app.dbUrl, `select 1 from chat_teams where external_id = 'T2' and workspace_id is not null`)).toHaveLength(0);
    const refusals = await sql<{ details: { reason: string } }>(app.dbUrl, `select details from audit_logs where action = 'chat.link' and target_type = 'chat_team' and outcome = 'refused' order by id`);
    expect(refusals.map((a) => a.details.reason)).toEqual(['used', 'expired']);
  });

  it('matches a new chat user to a Member by email, or creates a Member; an Admin links themselves with a personal code', async () => {
    // The Admin's email alone gives a new Member, not the Admin (issue 9).
    expect(c.text(await c.final(ADMIN, 'whoami'))).toMatch(/You are adam, Member of the workspace Default/);
    const { code } = await json(await app.fetch('/api/v1/me/link-codes', { method: 'POST', token: adminToken }));
    expect(c.text(await c.final(ADMIN, `link ${code}`))).toMatch(/You now act as adam \(adam@example.com\), Admin/);
    expect(c.text(await c.final(ADMIN, 'whoami'))).toMatch(/You are adam \(adam@example.com\), Admin of the workspace Default/);
    expect(c.text(await c.final(MEMBER, 'whoami'))).toMatch(/You are mia \(mia@example.com\), Member/);
    expect(c.text(await c.final({ userId: 'U_NEW', userName: 'newbie' }, 'whoami'))).toMatch(/You are newbie, Member/);
    const members = await sql<{ display_name: string; role: string }>(app.dbUrl, `select display_name, role from members where display_name = 'newbie'`);
    expect(members).toEqual([{ display_name: 'newbie', role: 'member' }]);
    expect(await sql(app.dbUrl, `select 1 from members where lower(email) = 'mia@example.com'`)).toHaveLength(1);
  });
});

describe('connections through chat', () => {
  it('connects Linear with its API key through a form: checked first, saved, never echoed', async () => {
    const r = await c.final(ADMIN, 'connect linear');
    const form = r.blocks.find((b) => b.type === 'form');
    expect(form).toMatchObject({ type: 'form', id: 'connect:linear', fields: [{ name: 'apiKey', secret: true }, { name: 'displayName', secret: false, optional: true }] });
    expect(r.visibility).toBe('ephemeral');

    const bad = await c.submit(ADMIN, 'connect:linear', { apiKey: 'not-a-linear-key' });
    expect(bad.followUp).toBeUndefined();
    expect(bad.immediate.fieldErrors).toEqual({ apiKey: expect.stringMatching(/does not look right/) });
    expect(JSON.stringify(bad)).not.toContain('not-a-linear-key');
    expect(await sql(app.dbUrl, 'select 1 from connections')).toHaveLength(0);

    linearOk();
    const good = await c.submit(ADMIN, 'connect:linear', { apiKey: KEY });
    expect(c.text(good.immediate)).toMatch(/Checking the credentials with Linear/);
    const done = await settle(good);
    expect(done.visibility).toBe('in_channel');
    expect(c.text(done)).toContain('@U_ADMIN connected Linear as Ada Lovelace.');
    expect(JSON.stringify(done)).not.toContain(KEY);
    const [conn] = await sql<{ id: string; status: string; credentials: string }>(app.dbUrl, `select id, status, credentials from connections where display_name = 'Linear'`);
    expect(conn!.status).toBe('connected');
    expect(conn!.credentials).not.toContain(KEY);
    ids.linear = conn!.id;
    expect(await lastAudit()).toMatchObject({ action: 'connection.connect', outcome: 'success', via: 'slack', actor_external_id: 'slack:T1:U_ADMIN' });
    const logs = app.logs.join('\n');
    expect(logs).not.toContain(KEY);
  });

  it('offers an OAuth provider’s sign-in link bound to this user and channel', async () => {
    const r = await c.final(ADMIN, 'connect hubspot');
    const [btn] = buttons(r);
    expect(btn).toMatchObject({ label: 'Connect HubSpot', style: 'primary' });
    expect(btn!.url).toMatch(/^https:\/\/app\.hubspot\.com\/oauth\/authorize\?/);
    expect(new URL(btn!.url!).searchParams.get('client_id')).toBe('hub-client-id');
    const [state] = await sql<{ chat_context: unknown }>(app.dbUrl, `select chat_context from oauth_states where provider_slug = 'hubspot'`);
    expect(state!.chat_context).toEqual({ platform: 'slack', teamId: 'T1', channelId: 'C1', userId: 'U_ADMIN' });
  });

  it('names connections by display name or provider, suggests close names and lists ambiguous ones', async () => {
    ids.ops = await insertConnection('linear', 'Linear Ops');
    ids.hubspot = await insertConnection('hubspot', 'HubSpot', 'oauth2');
    await insertConnection('github', 'GitHub Web', 'oauth2');
    await insertConnection('github', 'GitHub API', 'oauth2');
    expect(c.text(await c.final(MEMBER, 'status linear'))).toMatch(/^== Linear ==/);
    expect(c.text(await c.final(MEMBER, 'status "linear ops"'))).toMatch(/^== Linear Ops ==/);
    expect(c.text(await c.final(MEMBER, `status ${ids.hubspot}`))).toMatch(/^== HubSpot ==/);
    const unknown = await c.final(MEMBER, 'status hubspt');
    expect(unknown.visibility).toBe('ephemeral');
    expect(c.text(unknown)).toContain("No connection 'hubspt'. Did you mean hubspot?");
    const ambiguous = c.text(await c.final(MEMBER, 'status github'));
    expect(ambiguous).toMatch(/Several connections use GitHub: "GitHub API", "GitHub Web"\. Name one of them\./);
    expect(ambiguous).toContain('Usage: `/integrations status <connection>`');
  });

  it('answers an unknown command and a missing argument with the grammar', async () => {
    const r = await c.final(ADMIN, 'pasue linear');
    expect(r.visibility).toBe('ephemeral');
    expect(c.text(r)).toMatch(/Unknown command 'pasue'\. Did you mean `\/integrations pause`\?/);
    const usage = c.text(await c.final(ADMIN, 'pause'));
    expect(usage).toMatch(/Name a connection/);
    expect(usage).toContain('Usage: `/integrations pause <connection> [reason…]`');
    expect(usage).toContain('Examples: `/integrations pause hubspot`');
  });

  it('refuses a member’s pause and disconnect privately, naming the role, and changes nothing', async () => {
    const before = await row(ids.linear!);
    const events = await sql(app.dbUrl, 'select count(*)::int as n from domain_events');
    for (const line of [`pause ${ids.linear}`, `disconnect ${ids.linear} --confirmed`, 'test linear']) {
      const r = await c.final(MEMBER, line);
      expect(r.visibility, line).toBe('ephemeral');
      expect(r.text, line).toMatch(/needs the Admin or Owner role; you are a Member\. Nothing was changed\./);
      expect(r.error).toEqual({ code: 'forbidden' });
    }
    expect(await row(ids.linear!)).toEqual(before);
    expect(await sql(app.dbUrl, 'select count(*)::int as n from domain_events')).toEqual(events);
    expect(await lastAudit()).toMatchObject({ outcome: 'refused', via: 'slack', actor_external_id: 'slack:T1:U_MEMBER' });
  });

  it('lets an admin pause, resume, test and disconnect (with confirmation) Linear', async () => {
    const paused = await c.final(ADMIN, 'pause linear maintenance window');
    expect(paused.visibility).toBe('in_channel');
    expect(c.text(paused)).toContain('@U_ADMIN paused Linear. Reason: maintenance window');
    expect(buttons(paused).map((b) => b.label)).toEqual(['Test', 'Resume', 'Log', 'Disconnect']);
    expect(await row(ids.linear!)).toMatchObject({ status: 'paused', paused_by: 'member', status_reason: 'maintenance window' });
    expect(await lastAudit()).toMatchObject({ action: 'connection.pause', outcome: 'success', via: 'slack', actor_external_id: 'slack:T1:U_ADMIN' });

    const again = c.text(await c.final(ADMIN, 'pause linear'));
    expect(again).toMatch(/Linear is already paused/);
    expect(again).toContain('Usage: `/integrations pause');

    const resumed = await c.final(ADMIN, `resume ${ids.linear}`);
    expect(c.text(resumed)).toContain('@U_ADMIN resumed Linear.');
    expect((await row(ids.linear!))!.status).toBe('connected');

    linearOk();
    const tested = await c.run(ADMIN, 'test linear');
    expect(tested.immediate).toMatchObject({ visibility: 'ephemeral', text: `⏳ Testing ${bold(plain('Linear'))}…` });
    expect(c.text(tested.immediate)).toBe('⏳ Testing Linear…');
    const result = await settle(tested);
    expect(result.visibility).toBe('in_channel');
    expect(c.text(result)).toMatch(/@U_ADMIN tested Linear: passed in \d+ ms, connected as Ada Lovelace\./);

    const card = await c.final(MEMBER, 'status linear');
    expect(c.text(card)).toContain('Account: Ada Lovelace');
    expect(buttons(card).map((b) => b.label)).toEqual(['Log']); // a member sees only what they may use
    const log = c.text(await c.final(MEMBER, 'log linear'));
    expect(log).toMatch(/Paused by adam[\s\S]*Resumed by adam[\s\S]*Test passed/);

    const confirm = await c.final(ADMIN, 'disconnect linear');
    expect(confirm.visibility).toBe('ephemeral');
    const [danger] = buttons(confirm);
    expect(danger).toMatchObject({
      label: 'Disconnect',
      style: 'danger',
      line: `disconnect ${ids.linear} --confirmed`,
      confirm: { title: 'Disconnect Linear?', confirmLabel: 'Disconnect', denyLabel: 'Cancel' },
    });
    expect((await row(ids.linear!))!.status).toBe('connected'); // asking changes nothing

    const clicked = await c.run({ ...ADMIN, messageRef: '1700000000.000100' }, danger!.line!);
    expect(clicked.immediate.text).toMatch(/Disconnecting/);
    const gone = await settle(clicked);
    expect(gone).toMatchObject({ visibility: 'in_channel', replaceOriginal: true });
    expect(c.text(gone)).toMatch(/@U_ADMIN disconnected Linear\. .*personal API key cannot be revoked/);
    expect(await row(ids.linear!)).toMatchObject({ status: 'disconnected', credentials: null });
    expect(await lastAudit()).toMatchObject({ action: 'connection.disconnect', outcome: 'success', via: 'slack', actor_external_id: 'slack:T1:U_ADMIN' });
  });

  it('acknowledges a test before the provider answers and delivers the result afterwards', async () => {
    nock('https://api.linear.app').post('/graphql').delay(1500).reply(200, LINEAR_VIEWER);
    const started = Date.now();
    const r = await c.run(ADMIN, 'test "Linear Ops"');
    expect(Date.now() - started).toBeLessThan(1000);
    expect(r.followUp).toBeDefined();
    const result = await settle(r);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
    expect(c.text(result)).toMatch(/tested Linear Ops: passed/);
  });

  it('reconnects an API-key connection through a form, in place', async () => {
    const r = await c.final(ADMIN, 'reconnect "Linear Ops"');
    expect(r.blocks.find((b) => b.type === 'form')).toMatchObject({ id: `reconnect:${ids.ops}`, fields: [{ name: 'apiKey', secret: true }] });
    linearOk();
    const done = await settle(await c.submit(ADMIN, `reconnect:${ids.ops}`, { apiKey: KEY }));
    expect(c.text(done)).toContain('@U_ADMIN reconnected Linear Ops as Ada Lovelace.');
    expect(await lastAudit()).toMatchObject({ action: 'connection.reconnect', outcome: 'success', via: 'slack' });
  });

  it('offers Reconnect instead of a duplicate when the provider’s connection is errored', async () => {
    const [row] = await sql<{ workspace_id: string }>(app.dbUrl, 'select workspace_id from connections where id = $1', [ids.hubspot]);
    await markErrored(app.pb.rt, systemActor(row!.workspace_id, 'test'), ids.hubspot!, 'Authentication failed');
    const r = await c.final(ADMIN, 'connect hubspot');
    expect(c.text(r)).toMatch(/HubSpot \(HubSpot\) is errored: Authentication failed\. Reconnect it rather than adding a second HubSpot connection\./);
    expect(buttons(r)).toEqual([
      { label: 'Reconnect HubSpot', line: `reconnect ${ids.hubspot}`, style: 'primary' },
      { label: 'Connect another anyway', line: 'connect hubspot --new' },
    ]);
    const reauth = await c.final(ADMIN, `reconnect ${ids.hubspot}`);
    expect(buttons(reauth)[0]!.url).toMatch(/^https:\/\/app\.hubspot\.com\/oauth\/authorize/);
  });

  it('lets a platform owner/admin act as Admin while the workspace trusts platform roles — re-checked on every call', async () => {
    const ok = await c.final({ ...PLATFORM_ADMIN, platformRole: 'admin' }, 'pause "Linear Ops"');
    expect(c.text(ok)).toContain('@U_PADMIN paused Linear Ops.');
    // Within the cache window the bot may omit the role: the cached one applies.
    expect(c.text(await c.final(PLATFORM_ADMIN, 'whoami'))).toMatch(/act as Admin because you are a Slack workspace admin/);
    await sql(app.dbUrl, `update chat_identities set platform_role_fetched_at = now() - interval '1 hour' where external_user_id = 'U_PADMIN'`);
    expect((await c.final(PLATFORM_ADMIN, 'resume "Linear Ops"')).text).toMatch(/you are a Member/);
    await sql(app.dbUrl, `update workspaces set settings = '{"trustPlatformRoles": false}' where id = $1`, [workspaceId]);
    expect((await c.final({ ...PLATFORM_ADMIN, platformRole: 'owner' }, 'resume "Linear Ops"')).text).toMatch(/you are a Member/);
    await sql(app.dbUrl, `update workspaces set settings = '{"trustPlatformRoles": true}' where id = $1`, [workspaceId]);
    // Owner is never granted by the platform.
    expect((await c.final({ ...PLATFORM_ADMIN, platformRole: 'owner' }, 'role <@U_NEW> admin')).text).toMatch(/needs the Owner role; you are an Admin/);
    expect(c.text(await c.final({ ...PLATFORM_ADMIN, platformRole: 'owner' }, 'resume "Linear Ops"'))).toContain('resumed Linear Ops');
  });

  it('lets the Owner set roles by mention', async () => {
    const r = await c.final(OWNER, 'role <@U_NEW|newbie> admin');
    expect(c.text(r)).toBe('👤 @U_OWNER made @U_NEW an Admin (was a Member).');
    expect(await sql(app.dbUrl, `select role from members where display_name = 'newbie'`)).toEqual([{ role: 'admin' }]);
    expect(c.text(await c.final(ADMIN, 'role <@U_NEW> owner'))).toMatch(/Manage members needs the Owner role; you are an Admin/);
    expect(c.text(await c.final(OWNER, 'role newbie admin'))).toMatch(/Mention the person/);
  });

  it('lists connections with their state and the buttons the viewer may use', async () => {
    const admin = await c.final(ADMIN, 'list');
    expect(admin.visibility).toBe('ephemeral');
    const text = c.text(admin);
    expect(text).toMatch(/== Connections \(4\) ==/);
    expect(text).toContain('❌ errored · **HubSpot**'.replace(/\*\*/g, ''));
    expect(text).toContain(`[Reconnect: /integrations reconnect ${ids.hubspot}]`);
    expect(text).toContain(`[Pause: /integrations pause ${ids.ops}]`);
    expect(text).not.toContain(ids.linear!); // disconnected: only with --all
    expect(c.text(await c.final(ADMIN, 'list --all'))).toContain('⚪ disconnected · Linear');
    expect(c.text(await c.final(MEMBER, 'list'))).not.toContain('[Pause:');
  });
});
