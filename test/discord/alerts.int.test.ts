/**
 * Alerts reach Discord channels through the Discord poster: the real worker runs the alert jobs,
 * the fake Discord REST API records the posts. Outside text arrives inert; a channel the bot lost
 * is unsubscribed; a guild the bot was removed from is unlinked with its subscriptions.
 */
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../src/connections/actor.ts';
import { markErrored } from '../../src/connections/system-transitions.ts';
import { json } from '../helpers/app.ts';
import { eventually, sql } from '../helpers/sql.ts';
import { ADMIN, GUILD, OWNER, buttonsOf, linkGuild, startDiscordTest, textOf, type DiscordTest } from './support.ts';

const VIEWER = { data: { viewer: { id: 'lin-1', name: 'Ada Lovelace', email: 'ada@example.com' } } };
const C_ALL = '1310000000000000001';
const C_GONE = '1310000000000000002';
const HOSTILE = 'Linear said: **re-auth** @everyone <@&1234567890> ||now|| [click here](https://evil.example) # Heading';

let t: DiscordTest;
let linearId = '';

const posts = (channel: string) => t.fake.callsTo('POST', new RegExp(`^/channels/${channel}/messages$`));

beforeAll(async () => {
  nock.disableNetConnect();
  nock.enableNetConnect(/(127\.0\.0\.1|localhost)/);
  t = await startDiscordTest({ workers: true });
  await linkGuild(t, OWNER);
  nock('https://api.linear.app').post('/graphql').reply(200, VIEWER);
  const res = await t.app.fetch('/api/v1/connections', { method: 'POST', json: { provider: 'linear', displayName: 'Linear', credentials: { apiKey: 'lin_api_DiscordAlerts0000000000' } } });
  expect(res.status).toBe(201);
  linearId = (await json(res)).connection.id;
  for (const channel of [C_ALL, C_GONE]) {
    const sub = await t.command(ADMIN, ['alerts', 'here'], {}, { channel });
    expect(textOf(sub.body.data)).not.toMatch(/⚠️|🚫/);
  }
  expect(await sql(t.app.dbUrl, `select 1 from alert_subscriptions where active and platform = 'discord'`)).toHaveLength(2);
});
afterAll(async () => {
  await t?.close();
  expect(nock.pendingMocks()).toEqual([]);
  nock.cleanAll();
  nock.enableNetConnect();
});

describe('alerts in Discord channels', () => {
  it('posts provider text inert: markdown escaped, no mention parsed, no masked link', async () => {
    const { rows } = await t.app.pb.rt.db.pool.query<{ workspace_id: string }>('select workspace_id from connections where id = $1', [linearId]);
    await markErrored(t.app.pb.rt, systemActor(rows[0]!.workspace_id, 'test'), linearId, HOSTILE);
    const [post] = await t.fake.waitFor('POST', new RegExp(`^/channels/${C_ALL}/messages$`));
    const body = post!.body;
    expect(post!.auth).toBe('Bot MTEwMDAwMDAwMDAwMDAwMDAwMQ.fake.discord-bot-token');
    expect(body.allowed_mentions).toEqual({ parse: [] });
    const text = textOf(body);
    expect(text).toMatch(/errored/);
    expect(text).not.toContain('**re-auth**');
    expect(text).toContain('\\*\\*re-auth\\*\\*');
    expect(text).not.toMatch(/@everyone/); // neutralised with a zero-width space
    expect(text).not.toContain('[click here](https://evil.example)');
    expect(text).not.toContain('||now||');
    expect(text).not.toContain('<@&1234567890>');
    expect(buttonsOf(body).map((b) => b.label)).toEqual(['Test', 'Log']);
  });

  it('unsubscribes a channel the bot lost access to (50001), with a log entry, and keeps the guild', async () => {
    await t.fake.waitFor('POST', new RegExp(`^/channels/${C_GONE}/messages$`));
    t.fake.failChannel(C_GONE, { status: 403, code: 50001 });
    // A test that succeeds recovers the connection: a second alert, to both channels.
    nock('https://api.linear.app').post('/graphql').reply(200, VIEWER);
    await t.app.json(`/api/v1/connections/${linearId}/test`, { method: 'POST' });
    const sub = await eventually(async () => {
      const [row] = await sql<{ active: boolean; deactivated_reason: string | null }>(t.app.dbUrl, 'select active, deactivated_reason from alert_subscriptions where channel_id = $1', [C_GONE]);
      return row && !row.active ? row : undefined;
    });
    expect(sub.deactivated_reason).toMatch(/Channel gone: Discord POST \/channels\/\{id\}\/messages: Patchbay may not see the channel \(50001\)/);
    expect(t.app.logs.some((l) => l.includes('channel no longer reachable'))).toBe(true);
    expect(await sql(t.app.dbUrl, `select active from chat_teams where platform = 'discord' and external_id = $1`, [GUILD])).toEqual([{ active: true }]);
    await eventually(async () => posts(C_ALL).length === 2);
  });

  it('unlinks the guild and stops its subscriptions when the bot was removed from it', async () => {
    t.fake.guilds.delete(GUILD);
    t.fake.failChannel(C_ALL, { status: 403, code: 50001 });
    nock('https://api.linear.app').post('/graphql').reply(401, { errors: [{ message: 'Authentication required' }] });
    await t.app.json(`/api/v1/connections/${linearId}/test`, { method: 'POST' });
    await eventually(async () => (await sql<{ active: boolean }>(t.app.dbUrl, `select active from chat_teams where platform = 'discord' and external_id = $1`, [GUILD]))[0]?.active === false);
    expect(await sql(t.app.dbUrl, `select 1 from alert_subscriptions where active and platform = 'discord'`)).toHaveLength(0);
    const res = await t.command(ADMIN, ['list']);
    expect(textOf(res.body.data)).toMatch(/not linked/);
  });
});
