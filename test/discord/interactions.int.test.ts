/**
 * The Discord app end to end: Ed25519-signed interactions over HTTP to the real server (real
 * Postgres), the fake Discord REST API recording follow-ups, nock standing in for the providers.
 */
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../helpers/sql.ts';
import { ADMIN, CHANNEL, GUILD, MANAGER, MEMBER, OWNER, buttonNamed, buttonsOf, commandData, linkGuild, signBody, startDiscordTest, textOf, type DiscordTest } from './support.ts';

const KEY = 'lin_api_DiscordTestKey000000000000';
const VIEWER = { data: { viewer: { id: 'lin-1', name: 'Ada Lovelace', email: 'ada@example.com' } } };
const EPHEMERAL = 64;
const SUPPRESS_EMBEDS = 4;

let t: DiscordTest;
let linearId = '';

const row = async (id: string) => (await sql<{ status: string; updated_at: Date }>(t.app.dbUrl, 'select status, updated_at from connections where id = $1', [id]))[0]!;

beforeAll(async () => {
  nock.disableNetConnect();
  nock.enableNetConnect(/(127\.0\.0\.1|localhost)/);
  t = await startDiscordTest();
});
afterAll(async () => {
  await t?.close();
  expect(nock.pendingMocks()).toEqual([]);
  nock.cleanAll();
  nock.enableNetConnect();
});

describe('interactions are verified as Discord signs them', () => {
  const ping = JSON.stringify({ id: '1700000000000000001', application_id: '1100000000000000001', type: 1, token: 'tok', version: 1 });

  it('answers PING with PONG', async () => {
    const res = await t.send(ping);
    expect(res).toEqual({ status: 200, body: { type: 1 } });
  });

  it('refuses a missing, forged or stale signature with 401 and runs nothing', async () => {
    const before = await sql(t.app.dbUrl, 'select 1 from inbound_receipts');
    expect((await t.send(ping, { unsigned: true })).status).toBe(401);
    expect((await t.send(ping, { headers: { 'x-signature-ed25519': 'ab'.repeat(64) } })).status).toBe(401);
    // Signed correctly, but over other bytes than those sent.
    const other = await t.send(ping.replace('"type":1', '"type":2'), { headers: signBody(t.keys.privateKey, ping) });
    expect(other.status).toBe(401);
    const stale = await t.send(ping, { timestamp: Math.floor(Date.now() / 1000) - 10 * 60 });
    expect(stale.status).toBe(401);
    expect(stale.body.error.code).toBe('signature_invalid');
    expect(await sql(t.app.dbUrl, 'select 1 from inbound_receipts')).toHaveLength(before.length);
    expect(t.fake.calls).toEqual([]);
  });

  it('refuses a replayed interaction id: the command does not run twice', async () => {
    const first = await t.command(OWNER, ['help']);
    expect(first.status).toBe(200);
    const replay = await t.command(OWNER, ['help'], {}, { id: first.id });
    expect(replay.status).toBe(409);
    expect(replay.body.error.code).toBe('conflict');
  });
});

describe('tenancy', () => {
  it('gives an unlinked guild only the link instructions, privately', async () => {
    const res = await t.command(ADMIN, ['list']);
    expect(res.body.type).toBe(4);
    expect(res.body.data.flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(textOf(res.body.data)).toMatch(/not linked to a Patchbay workspace/);
    expect(await sql(t.app.dbUrl, 'select 1 from chat_identities')).toHaveLength(0);
  });

  it('answers a direct message with where Patchbay works', async () => {
    const res = await t.command(ADMIN, ['list'], {}, { guild: null });
    expect(res.body.data.flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(textOf(res.body.data)).toMatch(/works in servers/);
  });

  it('links the guild with an Owner’s single-use code', async () => {
    await linkGuild(t, OWNER);
    const rows = await sql<{ active: boolean; workspace_id: string | null }>(t.app.dbUrl, `select active, workspace_id from chat_teams where platform = 'discord' and external_id = $1`, [GUILD]);
    expect(rows[0]).toMatchObject({ active: true });
    expect(rows[0]!.workspace_id).toBeTruthy();
  });
});

describe('an admin connects with a modal (API key)', () => {
  let modal: any;

  it('opens a modal as the first answer (never deferred)', async () => {
    const res = await t.command(ADMIN, ['connect'], { provider: 'linear' });
    expect(res.body.type).toBe(9);
    modal = res.body.data;
    expect(modal.title).toBe('Connect Linear');
    expect(JSON.stringify(modal)).toContain('apiKey');
  });

  it('answers a malformed key privately and stores nothing', async () => {
    const res = await t.submit(ADMIN, modal.custom_id, { apiKey: 'not-a-linear-key' });
    expect(res.body.type).toBe(4);
    expect(res.body.data.flags & EPHEMERAL).toBe(EPHEMERAL);
    // Discord closes a modal on submit: the refused field comes back named, with what to do.
    expect(res.body.data.embeds[0].fields.map((f: any) => f.name)).toEqual(['API key']);
    expect(textOf(res.body.data)).toMatch(/Run the command again/);
    expect(await sql(t.app.dbUrl, `select 1 from connections where provider_slug = 'linear'`)).toHaveLength(0);
  });

  it('edits the private placeholder into a refusal whole: Discord keeps what an edit leaves out, and hides embeds while SUPPRESS_EMBEDS is set', async () => {
    nock('https://api.linear.app').post('/graphql').reply(401, { errors: [{ message: 'Authentication required, not authenticated' }] });
    const res = await t.submit(ADMIN, modal.custom_id, { apiKey: 'lin_api_RejectedKey00000000000000000' });
    expect(res.body.data).toMatchObject({ content: expect.stringMatching(/Checking the credentials/), flags: EPHEMERAL | SUPPRESS_EMBEDS });
    const [edit] = await t.waitForFollowUps(res.token, 1);
    expect(edit!.method).toBe('PATCH');
    expect(edit!.body.embeds).toHaveLength(1);
    expect(textOf(edit!.body)).toMatch(/Linear rejected the credentials/);
    // The placeholder's text is replaced, and embeds are shown again.
    expect(edit!.body.content).toBe('');
    expect(edit!.body.flags & SUPPRESS_EMBEDS).toBe(0);
    expect(await sql(t.app.dbUrl, `select 1 from connections where provider_slug = 'linear'`)).toHaveLength(0);
  });

  it('acknowledges privately, then posts the result for everyone and removes the private placeholder', async () => {
    nock('https://api.linear.app').post('/graphql').reply(200, VIEWER);
    const res = await t.submit(ADMIN, modal.custom_id, { apiKey: KEY });
    expect(res.body.type).toBe(4);
    expect(textOf(res.body.data)).toMatch(/Checking the credentials with Linear/);
    expect(res.body.data.flags & EPHEMERAL).toBe(EPHEMERAL);
    const [result, removed] = await t.waitForFollowUps(res.token, 2);
    expect(result!.method).toBe('POST');
    expect(result!.body.flags ?? 0).toBe(0);
    expect(textOf(result!.body)).toMatch(/<@1400000000000000002> connected \*\*Linear\*\* as Ada Lovelace/);
    expect(result!.body.allowed_mentions).toEqual({ parse: [] });
    expect(removed!.method).toBe('DELETE');
    const rows = await sql<{ id: string; status: string }>(t.app.dbUrl, `select id, status from connections where provider_slug = 'linear'`);
    expect(rows).toHaveLength(1);
    linearId = rows[0]!.id;
    expect(JSON.stringify(t.fake.calls)).not.toContain(KEY);
    expect(t.app.logs.join('\n')).not.toContain(KEY);
  });
});

describe('autocomplete', () => {
  it('offers provider slugs and the guild’s connections as the user types', async () => {
    const providers = await t.interact(ADMIN, 4, commandData(['connect'], { provider: 'lin' }, 'provider'));
    expect(providers.body.type).toBe(8);
    expect(providers.body.data.choices.map((c: any) => c.value)).toContain('linear');
    const conns = await t.interact(MEMBER, 4, commandData(['status'], { connection: 'lin' }, 'connection'));
    expect(conns.body.data.choices).toEqual([{ name: 'Linear — Linear', value: 'Linear' }]);
  });
});

describe('roles: Discord permissions and the guild owner', () => {
  const pause = (user: typeof ADMIN) => t.command(user, ['pause'], { connection: 'Linear' });
  const resume = (user: typeof ADMIN) => t.command(user, ['resume'], { connection: 'Linear' });

  it('denies a plain member privately, and the row is unchanged', async () => {
    const before = await row(linearId);
    const res = await pause(MEMBER);
    expect(res.body.data.flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(textOf(res.body.data)).toMatch(/🚫/);
    expect(await row(linearId)).toEqual(before);
  });

  it('lets Manage Server and Administrator act as Admin', async () => {
    expect(textOf((await pause(MANAGER)).body.data)).toMatch(/paused \*\*Linear\*\*/);
    expect((await row(linearId)).status).toBe('paused');
    expect(textOf((await resume(ADMIN)).body.data)).toMatch(/resumed \*\*Linear\*\*/);
    expect((await row(linearId)).status).toBe('connected');
  });

  it('reads the guild owner from the guild (cached) and lets them act as Admin', async () => {
    const member = await sql(t.app.dbUrl, `select m.role from members m join chat_identities i on i.member_id = m.id where i.external_user_id = $1`, [OWNER.id]);
    expect(member).toEqual([{ role: 'owner' }]);
    // An owner whose explicit role is only Member still acts as Admin through the guild's owner_id.
    await sql(t.app.dbUrl, `update members set role = 'member' where id = (select member_id from chat_identities where external_user_id = $1)`, [OWNER.id]);
    const reads = t.fake.callsTo('GET', /^\/guilds\//).length;
    const res = await pause({ ...OWNER });
    expect(textOf(res.body.data)).toMatch(/paused \*\*Linear\*\*/);
    await resume(OWNER);
    expect(t.fake.callsTo('GET', /^\/guilds\//).length - reads).toBeLessThanOrEqual(1);
    await sql(t.app.dbUrl, `update members set role = 'owner' where id = (select member_id from chat_identities where external_user_id = $1)`, [OWNER.id]);
  });
});

describe('buttons and confirmation', () => {
  let card: any;

  it('lists connections with buttons; a click runs the button’s command as the clicker', async () => {
    const res = await t.command(ADMIN, ['list']);
    card = res.body.data;
    expect(buttonsOf(card).map((b) => b.label)).toEqual(expect.arrayContaining(['Test', 'Pause', 'Disconnect']));
    const paused = await t.click(ADMIN, buttonNamed(card, 'Pause').custom_id!, { id: '1800000000000000001', channel_id: CHANNEL, components: card.components, embeds: card.embeds ?? [] });
    expect(textOf(paused.body.data)).toMatch(/paused \*\*Linear\*\*/);
    expect((await row(linearId)).status).toBe('paused');
    await t.command(ADMIN, ['resume'], { connection: 'Linear' });
  });

  it('changes nothing when a member clicks Disconnect', async () => {
    const before = await row(linearId);
    const res = await t.click(MEMBER, buttonNamed(card, 'Disconnect').custom_id!, { id: '1800000000000000001', channel_id: CHANNEL, components: card.components });
    expect(res.body.data.flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(textOf(res.body.data)).toMatch(/🚫/);
    expect(await row(linearId)).toEqual(before);
  });

  it('asks an admin with an ephemeral Confirm (danger) / Cancel pair that cannot be replayed for another connection', async () => {
    const step1 = await t.click(ADMIN, buttonNamed(card, 'Disconnect').custom_id!, { id: '1800000000000000001', channel_id: CHANNEL, components: card.components });
    const confirmCard = step1.body.data;
    const ask = buttonNamed(confirmCard, 'Disconnect');
    const prompt = await t.click(ADMIN, ask.custom_id!, { id: '1800000000000000002', channel_id: CHANNEL, components: confirmCard.components, flags: EPHEMERAL });
    expect(prompt.body.data.flags & EPHEMERAL).toBe(EPHEMERAL);
    const confirm = buttonsOf(prompt.body.data).find((b) => b.style === 4)!;
    const cancel = buttonNamed(prompt.body.data, 'Cancel');
    expect(confirm).toBeTruthy();
    // The same id with another connection's id in it, or clicked by someone else: refused.
    const forged = confirm.custom_id!.replace(/~[A-Za-z0-9_-]{22}/, '~AAAAAAAAAAAAAAAAAAAAAA');
    expect(forged).not.toBe(confirm.custom_id);
    for (const [user, id] of [[ADMIN, forged], [MANAGER, confirm.custom_id!]] as const) {
      const res = await t.click(user, id, { id: '1800000000000000003', channel_id: CHANNEL, components: [] });
      expect(textOf(res.body.data)).toMatch(/can no longer be used/);
    }
    expect((await row(linearId)).status).toBe('connected');
    const cancelled = await t.click(ADMIN, cancel.custom_id!, { id: '1800000000000000003', channel_id: CHANNEL, components: [] });
    expect(cancelled.body).toMatchObject({ type: 7, data: { components: [] } });
    expect((await row(linearId)).status).toBe('connected');

    nock('https://api.linear.app').post('/oauth/revoke').optionally().reply(200, {});
    const done = await t.click(ADMIN, confirm.custom_id!, { id: '1800000000000000004', channel_id: CHANNEL, components: [] });
    expect(done.status).toBe(200);
    await t.idle();
    const all = [textOf(done.body.data), ...t.followUps(done.token).map((f) => textOf(f.body))].join('\n');
    expect(all).toMatch(/disconnected \*\*Linear\*\*/);
    expect((await row(linearId)).status).toBe('disconnected');
    nock.cleanAll();
  });
});

describe('every subcommand answers, signed, without a server error', () => {
  it('answers each /integrations subcommand with a message or a modal', async () => {
    const { discordCommandDefinitions } = await import('../../bots/discord/commands.ts');
    const root = discordCommandDefinitions()[0] as any;
    const paths: Array<{ path: string[]; values: Record<string, string | number | boolean> }> = [];
    const sample = (o: any): string | number | boolean => (o.type === 5 ? false : o.type === 4 ? 1 : o.type === 6 ? MEMBER.id : o.choices?.[0]?.value ?? (o.name === 'connection' ? 'Linear' : o.name === 'provider' ? 'linear' : 'x'));
    for (const top of root.options) {
      const leaves = top.type === 2 ? top.options.map((s: any) => ({ path: [top.name, s.name], opts: s.options ?? [] })) : [{ path: [top.name], opts: top.options ?? [] }];
      for (const l of leaves) paths.push({ path: l.path, values: Object.fromEntries(l.opts.filter((o: any) => o.required).map((o: any) => [o.name, sample(o)])) });
    }
    expect(paths.length).toBeGreaterThanOrEqual(21);
    for (const p of paths) {
      if (p.path[0] === 'link') continue; // a second link would relink the guild
      const res = await t.command(ADMIN, p.path, p.values);
      expect(res.status, p.path.join(' ')).toBe(200);
      expect([4, 5, 9], p.path.join(' ')).toContain(res.body.type);
      expect(JSON.stringify(res.body), p.path.join(' ')).not.toMatch(/internal error|stack|at .*\.ts:/i);
    }
    await t.idle();
  });
});
