/**
 * The door in front of Bolt (bots/slack/ingress.ts), driven over HTTP as Slack (or an attacker
 * holding a captured request) would: the first request after boot is answered without waiting
 * for auth.test; timestamps more than 5 minutes off either way are refused; a signed body that
 * is not a Slack payload gets 400, never 500; a replayed command takes no effect; an event whose
 * handling failed is handled on Slack's retry.
 */
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slashCommandBody } from '../fakes/slack-api.ts';
import { json } from '../helpers/app.ts';
import { sql } from '../helpers/sql.ts';
import { OWNER, ADMIN, linkTeam, startSlackTest, textOf, type SlackTest } from './support.ts';

const now = () => Math.floor(Date.now() / 1000);

let t: SlackTest;

beforeAll(async () => {
  t = await startSlackTest();
  // auth.test is slow to answer (a cold Slack, a slow network at boot).
  t.fake.delay('auth.test', 5_000);
});
afterAll(async () => {
  t?.fake.delay('auth.test', null);
  await t?.close();
});

describe('the first request after boot', () => {
  it('is acknowledged without waiting for auth.test', async () => {
    const res = await t.slash(OWNER, 'help');
    expect(res.status).toBe(200);
    expect(res.body.response_type).toBe('ephemeral');
    expect(res.ms).toBeLessThan(2_000);
    expect(t.fake.callsTo('auth.test')).toHaveLength(1);
  });
});

describe('timestamps and payloads', () => {
  it('refuses a correctly signed request stamped a year in the future with 401, and does nothing', async () => {
    const calls = t.fake.calls.length;
    const res = await t.send(slashCommandBody({ text: 'help', trigger_id: 'future.1' }), { timestamp: now() + 365 * 24 * 3600 });
    expect(res.status).toBe(401);
    const soon = await t.send(slashCommandBody({ text: 'help', trigger_id: 'future.2' }), { timestamp: now() + 5 * 60 + 10 });
    expect(soon.status).toBe(401);
    expect(t.fake.calls.slice(calls)).toEqual([]);
  });

  it('answers a signed JSON `null`, `payload=null` and other non-payloads with 400, not 500', async () => {
    for (const [body, contentType] of [
      ['null', 'application/json'],
      ['[]', 'application/json'],
      ['{"no":"type"}', 'application/json'],
      ['payload=null', 'application/x-www-form-urlencoded'],
      ['payload=%7Bnot%20json', 'application/x-www-form-urlencoded'],
      ['payload=42', 'application/x-www-form-urlencoded'],
    ] as const) {
      const res = await t.send(body, { contentType });
      expect(res.status, body).toBe(400);
      expect(res.text, body).not.toMatch(/Error|at .*\.[jt]s:\d+/);
    }
  });
});

describe('replays', () => {
  let connectionId: string;

  beforeAll(async () => {
    await linkTeam(t, OWNER);
    nock('https://api.linear.app').post('/graphql').reply(200, { data: { viewer: { id: 'lin-1', name: 'Ada Lovelace', email: 'ada@example.com' } } });
    const res = await t.app.fetch('/api/v1/connections', { method: 'POST', json: { provider: 'linear', displayName: 'Linear', credentials: { apiKey: 'lin_api_IngressTestKey000000000000' } } });
    expect(res.status).toBe(201);
    await json(res);
    connectionId = (await sql<{ id: string }>(t.app.dbUrl, `select id from connections where provider_slug = 'linear'`))[0]!.id;
  });

  it('runs a signed command sent twice (same trigger_id, same signature) once; the replay is answered harmlessly', async () => {
    t.users.set(ADMIN.id, ADMIN);
    const body = slashCommandBody({ text: 'pause linear', user_id: ADMIN.id, user_name: ADMIN.name, trigger_id: 'replay.trigger.1' });
    const ts = now();
    const first = await t.send(body, { timestamp: ts });
    expect(first.status).toBe(200);
    expect(textOf(first.body)).toMatch(/<@U_ADMIN> paused \*Linear\*/);
    // Resumed in between: a replay that took effect would pause it again.
    expect((await t.slash(ADMIN, 'resume linear')).status).toBe(200);
    const replay = await t.send(body, { timestamp: ts });
    expect(replay.status).toBe(200);
    expect(replay.body.response_type).toBe('ephemeral');
    expect(textOf(replay.body)).toMatch(/already received once; it was not run again/);
    expect((await sql<{ status: string }>(t.app.dbUrl, 'select status from connections where id = $1', [connectionId]))[0]!.status).toBe('connected');
    expect(await sql(t.app.dbUrl, `select 1 from audit_logs where action = 'connection.pause'`)).toHaveLength(1);
  });

  it('runs a replayed click once', async () => {
    const posts = t.fake.callsTo('chat.postMessage').length;
    const payload = {
      type: 'block_actions',
      team: { id: 'T0001', domain: 'acme' },
      user: { id: ADMIN.id, username: ADMIN.name, team_id: 'T0001' },
      trigger_id: 'replay.trigger.2',
      response_url: `${t.fake.url}/hooks/replayed-click`,
      channel: { id: 'C0001' },
      container: { type: 'message', message_ts: '1700000000.000100', channel_id: 'C0001', is_ephemeral: false },
      actions: [{ type: 'button', action_id: `pb:0:pause ${connectionId}`, value: `pause ${connectionId}` }],
    };
    const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    const ts = now();
    expect((await t.send(body, { timestamp: ts })).status).toBe(200);
    await t.fake.waitFor('chat.postMessage', posts + 1);
    expect((await t.slash(ADMIN, 'resume linear')).status).toBe(200);
    const replay = await t.send(body, { timestamp: ts });
    expect(replay.status).toBe(200);
    expect(replay.text).toBe('');
    await new Promise((r) => setTimeout(r, 300));
    expect(t.fake.callsTo('chat.postMessage')).toHaveLength(posts + 1);
    expect((await sql<{ status: string }>(t.app.dbUrl, 'select status from connections where id = $1', [connectionId]))[0]!.status).toBe('connected');
    expect(await sql(t.app.dbUrl, `select 1 from audit_logs where action = 'connection.pause'`)).toHaveLength(2);
  });
});

describe('events whose handling fails', () => {
  it('answers 500 so Slack retries, and handles app_uninstalled on the retry', async () => {
    // The first handling fails inside its transaction (a trigger refuses the update).
    await sql(
      t.app.dbUrl,
      `create function pb_test_refuse() returns trigger language plpgsql as $$ begin raise exception 'database hiccup'; end $$;
       create trigger pb_test_refuse before update on chat_teams for each row execute function pb_test_refuse();`,
    );
    const first = await t.event({ type: 'app_uninstalled' }, { eventId: 'Ev_FAILS_ONCE' });
    expect(first.status).toBe(500);
    expect(first.text).not.toMatch(/hiccup|at .*\.[jt]s:\d+/);
    expect((await sql<{ active: boolean }>(t.app.dbUrl, `select active from chat_teams where external_id = 'T0001'`))[0]!.active).toBe(true);
    await sql(t.app.dbUrl, 'drop trigger pb_test_refuse on chat_teams; drop function pb_test_refuse();');

    const retry = await t.event({ type: 'app_uninstalled' }, { eventId: 'Ev_FAILS_ONCE', retryNum: 1 });
    expect(retry.status).toBe(200);
    expect((await sql<{ active: boolean }>(t.app.dbUrl, `select active from chat_teams where external_id = 'T0001'`))[0]!.active).toBe(false);
    const receipts = await sql<{ processed: boolean }>(t.app.dbUrl, `select processed_at is not null as processed from inbound_receipts where delivery_id = 'Ev_FAILS_ONCE'`);
    expect(receipts).toEqual([{ processed: true }]);

    // A third delivery of a handled event changes nothing.
    const again = await t.event({ type: 'app_uninstalled' }, { eventId: 'Ev_FAILS_ONCE', retryNum: 2 });
    expect(again.status).toBe(200);
    expect(await sql(t.app.dbUrl, `select 1 from audit_logs where action = 'chat.unlink'`)).toHaveLength(1);
  });
});
