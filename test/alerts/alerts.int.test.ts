import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChannelGoneError, type PostTarget } from '../../src/alerts/posters.ts';
import { attachBot, namesOf } from '../../src/chat/bots.ts';
import { alertEventTypes } from '../../src/alerts/renderers/index.ts';
import { ConnectionService } from '../../src/connections/service.ts';
import { renderText } from '../../src/commands/render-text.ts';
import { unmarkPlain, type NeutralReply } from '../../src/commands/view.ts';
import { Connection } from '../../src/entities/connection.ts';
import { recordEvent } from '../../src/events/record.ts';
import { json, startTestApp, type TestApp } from '../helpers/app.ts';
import { memberWithToken } from '../helpers/members.ts';
import { eventually, sql } from '../helpers/sql.ts';
import { buttons, chat, defaultWorkspace, LINEAR_VIEWER, linkCode, personalCode, settle } from '../commands/support.ts';

const KEY = 'lin_api_AlertsKey000000000000000';
const OWNER = { userId: 'U_OWNER' };
const ADMIN = { userId: 'U_ADMIN', email: 'adam@example.com' };
const MEMBER = { userId: 'U_MEMBER', email: 'mia@example.com' };

type Post = { channel: string; reply: NeutralReply; thread?: string; messageRef: string; at: number };
const posts: Post[] = [];
const attempts: Record<string, number> = {};
let unregister: () => void;
let app: TestApp;
let workspaceId: string;
let linearId: string;
let opsId: string;
let gitId: string;

const inChannel = (ch: string) => posts.filter((p) => p.channel === ch);
const text = (p: Post) => renderText(p.reply);
const channelChat = (channelId: string) => chat(app, { channelId });
const authFailure = () =>
  nock('https://api.linear.app')
    .post('/graphql')
    .reply(400, { errors: [{ message: 'Authentication required, not authenticated', extensions: { code: 'AUTHENTICATION_ERROR' } }] });

/** Waits until the alert subscriber has handled every event recorded so far. */
async function alertsDispatched() {
  await eventually(async () => {
    const [r] = await sql<{ pending: number }>(
      app.dbUrl,
      `select count(*)::int as pending from domain_events e
        where e.type = any($1) and not exists (select 1 from event_deliveries d where d.txid = e.txid and d.subscriber = 'alerts')`,
      [alertEventTypes],
    );
    return r!.pending === 0;
  });
  // …and the post jobs they queued (retries excepted) have run.
  await eventually(async () => (await sql(app.dbUrl, `select 1 from graphile_worker.jobs where task_identifier = 'post_alert' and attempts = 0`)).length === 0);
}

beforeAll(async () => {
  app = await startTestApp({ workers: true });
  // A stand-in Slack app on the runtime: records posts, keeps Slack's pace.
  unregister = attachBot(app.pb.rt, {
    platform: 'slack',
    names: namesOf('slack'),
    pace: { minIntervalMs: 1_000 },
    start: async () => {},
    stop: async () => {},
    poster: {
    async post(channel: PostTarget, marked: NeutralReply, thread?: string) {
      // As a platform renders it: plain() spans (text from outside) shown literally, marks gone.
      const reply = JSON.parse(unmarkPlain(JSON.stringify(marked))) as NeutralReply;
      attempts[channel.channelId] = (attempts[channel.channelId] ?? 0) + 1;
      if (channel.channelId === 'C-GONE') throw new ChannelGoneError('channel_not_found');
      if (channel.channelId === 'C-FLAKY' && attempts[channel.channelId] === 1) throw new Error('socket hang up');
      const messageRef = `${channel.channelId}-${posts.length + 1}`;
      posts.push({ channel: channel.channelId, reply, ...(thread ? { thread } : {}), messageRef, at: Date.now() });
      return { messageRef };
    },
    },
  });
  workspaceId = (await defaultWorkspace(app)).ws.id;
  const admin = await memberWithToken(app, 'admin', 'adam@example.com');
  await memberWithToken(app, 'member', 'mia@example.com');
  await chat(app).final(OWNER, `link ${await linkCode(app)}`);
  // An Admin's email alone gives a Member (issue 9): the Admin links themselves with a personal code.
  await chat(app).final(ADMIN, `link ${await personalCode(app, admin.member)}`);

  nock('https://api.linear.app').post('/graphql').reply(200, LINEAR_VIEWER);
  const res = await app.fetch('/api/v1/connections', { method: 'POST', json: { provider: 'linear', displayName: 'Linear', credentials: { apiKey: KEY } } });
  expect(res.status).toBe(201);
  linearId = (await json(res)).connection.id;
  const em = app.pb.rt.em();
  const insert = (providerSlug: string, displayName: string, authKind: 'api_key' | 'oauth2') =>
    em.create(Connection, { workspace: workspaceId, providerSlug, displayName, authKind, credentials: app.pb.rt.vault.encrypt({ type: 'oauth2', accessToken: 'x', scopes: [] }) });
  const ops = insert('linear', 'Linear Ops', 'api_key');
  const git = insert('github', 'GitHub', 'oauth2');
  await em.flush();
  opsId = ops.id;
  gitId = git.id;
});
afterAll(async () => {
  unregister?.();
  await app.close();
});

describe('alert subscriptions from chat', () => {
  it('subscribes channels with kinds and connection filters; members may not', async () => {
    const denied = await channelChat('C-ALL').final(MEMBER, 'alerts here');
    expect(denied.text).toMatch(/needs the Admin or Owner role; you are a Member/);
    const all = await channelChat('C-ALL').final(ADMIN, 'alerts here');
    expect(all.visibility).toBe('in_channel');
    // Hook bodies are a feed a channel asks for by name: not part of the default.
    expect(renderText(all)).toContain('@U_ADMIN subscribed this channel to errors, pauses, conflicts, webhooks for every connection.');
    expect(renderText(await channelChat('C-ERR').final(ADMIN, 'alerts here errors'))).toContain('to errors for every connection');
    expect(renderText(await channelChat('C-PAUSE').final(ADMIN, 'alerts here pause'))).toContain('to pauses for every connection');
    expect(renderText(await channelChat('C-OPS').final(ADMIN, 'alerts here errors for "Linear Ops"'))).toContain('to errors for Linear Ops');
    await channelChat('C-GONE').final(ADMIN, 'alerts here errors');
    await channelChat('C-FLAKY').final(ADMIN, 'alerts here errors');
    expect(renderText(await channelChat('C-ERR').final(ADMIN, 'alerts here bogus'))).toMatch(/Unknown alert kind 'bogus'/);
    expect(renderText(await channelChat('C-OPS').final(MEMBER, 'alerts'))).toMatch(/errors — for Linear Ops/);
    const subs = await sql<{ channel_id: string; kinds: string[]; connection_id: string | null }>(
      app.dbUrl,
      'select channel_id, kinds, connection_id from alert_subscriptions where active order by channel_id',
    );
    expect(subs).toEqual([
      { channel_id: 'C-ALL', kinds: ['errors', 'pauses', 'conflicts', 'webhooks'], connection_id: null },
      { channel_id: 'C-ERR', kinds: ['errors'], connection_id: null },
      { channel_id: 'C-FLAKY', kinds: ['errors'], connection_id: null },
      { channel_id: 'C-GONE', kinds: ['errors'], connection_id: null },
      { channel_id: 'C-OPS', kinds: ['errors'], connection_id: opsId },
      { channel_id: 'C-PAUSE', kinds: ['pauses'], connection_id: null },
    ]);
  });
});

describe('the alert pipeline', () => {
  let erroredRef: Record<string, string> = {};

  it('posts one alert per subscribed channel when a connection errors, with its reason, correlation id and Test button', async () => {
    authFailure();
    const tested = await chat(app).run(ADMIN, 'test linear');
    expect(renderText(await settle(tested))).toMatch(/failed/);
    await eventually(async () => inChannel('C-ALL').length === 1 && inChannel('C-ERR').length === 1 && inChannel('C-FLAKY').length === 1);
    await alertsDispatched();
    for (const ch of ['C-ALL', 'C-ERR']) {
      const [p] = inChannel(ch);
      expect(p!.reply.visibility).toBe('in_channel');
      expect(text(p!)).toMatch(/❌ Linear errored: Authentication failed: Linear rejected the credentials/);
      expect(text(p!)).toContain(`Correlation id: \`${tested.correlationId}\``);
      expect(buttons(p!.reply)).toEqual([
        { label: 'Test', line: `test ${linearId}`, style: 'primary' },
        { label: 'Log', line: `log ${linearId}` },
      ]);
      erroredRef[ch] = p!.messageRef;
    }
    expect(inChannel('C-PAUSE')).toHaveLength(0);
    expect(inChannel('C-OPS')).toHaveLength(0);
  });

  it('unsubscribes a channel the bot was removed from, with a log entry, instead of retrying', async () => {
    await eventually(async () => (await sql(app.dbUrl, `select 1 from alert_subscriptions where channel_id = 'C-GONE' and not active`)).length === 1);
    const [sub] = await sql<{ deactivated_reason: string }>(app.dbUrl, `select deactivated_reason from alert_subscriptions where channel_id = 'C-GONE'`);
    expect(sub!.deactivated_reason).toMatch(/Channel gone: channel_not_found/);
    expect(attempts['C-GONE']).toBe(1);
    expect(app.logs.some((l) => l.includes('channel no longer reachable: unsubscribed it') && l.includes('C-GONE'))).toBe(true);
  });

  it('retries a failed post with backoff, logging the failure and recording it on the alert', async () => {
    expect(attempts['C-FLAKY']).toBe(2);
    const [row] = await sql<{ attempts: number; last_error: string | null; message_ref: string }>(
      app.dbUrl,
      `select p.attempts, p.last_error, p.message_ref from alert_posts p join alert_subscriptions s on s.id = p.subscription_id where s.channel_id = 'C-FLAKY'`,
    );
    expect(row).toMatchObject({ attempts: 2, last_error: null, message_ref: inChannel('C-FLAKY')[0]!.messageRef });
    expect(app.logs.some((l) => l.includes('alert post failed; retrying with backoff') && l.includes('socket hang up'))).toBe(true);
  });

  it('does not repeat the alert while the connection stays errored', async () => {
    const before = posts.length;
    // Another report of the same state (e.g. a sync hitting the same revoked key).
    await app.pb.rt.em().transactional(async (tx) => {
      const c = await tx.findOneOrFail(Connection, { id: linearId });
      await recordEvent(tx, { workspaceId, type: 'connection_errored', entityId: linearId, snapshot: new ConnectionService(app.pb.rt).view(c), data: { previousStatus: 'errored', reason: 'still failing' } });
    });
    await alertsDispatched();
    expect(posts.length).toBe(before);
  });

  it('follows up in the alert’s thread when the connection recovers', async () => {
    nock('https://api.linear.app').post('/graphql').reply(200, LINEAR_VIEWER);
    const passed = await settle(await chat(app).run(ADMIN, 'test linear'));
    expect(renderText(passed)).toMatch(/passed .*It has recovered\./);
    await eventually(async () => inChannel('C-ALL').length === 2 && inChannel('C-ERR').length === 2);
    for (const ch of ['C-ALL', 'C-ERR']) {
      const follow = inChannel(ch)[1]!;
      expect(text(follow)).toBe('✅ Linear recovered: connected again as Ada Lovelace.');
      expect(follow.thread).toBe(erroredRef[ch]);
    }
  });

  it('posts one alert per channel subscribed to pauses when a rate limit pauses a connection, with a Resume button', async () => {
    nock('https://api.linear.app').post('/graphql').reply(429, 'Too Many Requests', { 'Retry-After': '3600' });
    await settle(await chat(app).run(ADMIN, 'test linear'));
    await eventually(async () => inChannel('C-PAUSE').length === 1 && inChannel('C-ALL').length === 3);
    await alertsDispatched();
    for (const ch of ['C-ALL', 'C-PAUSE']) {
      const p = inChannel(ch).at(-1)!;
      expect(text(p)).toMatch(/⏸ Linear is paused: Rate limited by Linear: .*It resumes by itself \d{4}-\d\d-\d\d \d\d:\d\d UTC \(in 1 h\)\./);
      expect(buttons(p.reply)).toEqual([
        { label: 'Resume now', line: `resume ${linearId}` },
        { label: 'Log', line: `log ${linearId}` },
      ]);
    }
    expect(inChannel('C-ERR')).toHaveLength(2);
    expect(inChannel('C-FLAKY')).toHaveLength(2); // its recovery follow-up only
  });

  it('lets an admin click Resume on the alert, denies a member, and threads the recovery', async () => {
    const alert = inChannel('C-PAUSE')[0]!;
    const resume = buttons(alert.reply)[0]!.line!;
    const pauseChat = channelChat('C-PAUSE');
    const before = await sql(app.dbUrl, 'select status, paused_by, paused_until from connections where id = $1', [linearId]);
    const denied = await pauseChat.final({ ...MEMBER, messageRef: alert.messageRef }, resume);
    expect(denied).toMatchObject({ visibility: 'ephemeral', error: { code: 'forbidden' } });
    expect(denied.text).toMatch(/Resume connections needs the Admin or Owner role; you are a Member/);
    expect(await sql(app.dbUrl, 'select status, paused_by, paused_until from connections where id = $1', [linearId])).toEqual(before);
    const ok = await pauseChat.final({ ...ADMIN, messageRef: alert.messageRef }, resume);
    expect(renderText(ok)).toMatch(/@U_ADMIN resumed Linear\.[\s\S]*rate limit/);
    await eventually(async () => inChannel('C-PAUSE').length === 2);
    const follow = inChannel('C-PAUSE')[1]!;
    expect(text(follow)).toBe('▶️ Linear resumed.');
    expect(follow.thread).toBe(alert.messageRef);
  });

  it('spaces posts to one channel about a second apart', async () => {
    const start = inChannel('C-ALL').length;
    await app.pb.rt.em().transactional(async (tx) => {
      const svc = new ConnectionService(app.pb.rt);
      for (const id of [gitId, opsId]) {
        const c = await tx.findOneOrFail(Connection, { id });
        await recordEvent(tx, { workspaceId, type: 'connection_errored', entityId: id, snapshot: svc.view(c), data: { previousStatus: 'connected', reason: 'token revoked' } });
      }
    });
    await eventually(async () => inChannel('C-ALL').length === start + 2 && inChannel('C-OPS').length === 1);
    const [a, b] = inChannel('C-ALL').slice(start);
    expect(b!.at - a!.at).toBeGreaterThanOrEqual(950);
    // GitHub connects through OAuth: its alert offers Reconnect.
    const git = [a!, b!].find((p) => text(p).includes('GitHub'))!;
    expect(buttons(git.reply)[0]).toEqual({ label: 'Reconnect', line: `reconnect ${gitId}`, style: 'primary' });
    expect(text(inChannel('C-OPS')[0]!)).toMatch(/Linear Ops errored: token revoked/);
  });

  it('posts an OAuth outcome back to the channel that started it', async () => {
    const svc = new ConnectionService(app.pb.rt);
    const chatContext = { platform: 'slack' as const, teamId: 'T1', channelId: 'C-OAUTH', userId: 'U_ADMIN' };
    await app.pb.rt.em().transactional(async (tx) => {
      const c = await tx.findOneOrFail(Connection, { id: gitId });
      c.metadata = { ...c.metadata, accountName: 'octocat' };
      await tx.flush();
      await recordEvent(tx, { workspaceId, type: 'connection_connected', entityId: gitId, snapshot: svc.view(c), data: { previousStatus: 'errored', reconnected: true, chatContext } });
    });
    await app.pb.rt.em().transactional(async (tx) => {
      await recordEvent(tx, {
        workspaceId,
        type: 'connection_authorization_failed',
        entityId: 'state-1',
        snapshot: { id: 'state-1', provider: 'hubspot', connectionId: null },
        data: { chatContext, code: 'access_denied', message: 'The authorization was cancelled at HubSpot, so nothing was connected.' },
      });
    });
    await eventually(async () => inChannel('C-OAUTH').length === 2);
    // Two transactions, two dispatches: their order is not guaranteed.
    const ok = inChannel('C-OAUTH').find((p) => text(p).startsWith('✅'));
    const failed = inChannel('C-OAUTH').find((p) => text(p).startsWith('❌'));
    expect(text(ok!)).toMatch(/^✅ GitHub reconnected as octocat, requested by @U_ADMIN\./);
    expect(buttons(ok!.reply).map((b) => b.label)).toEqual(['Test', 'Pause', 'Log', 'Disconnect']);
    expect(text(failed!)).toMatch(/^❌ @U_ADMIN Connecting HubSpot failed: The authorization was cancelled at HubSpot/);
    expect(buttons(failed!.reply)).toEqual([{ label: 'Try again', line: 'connect hubspot' }]);
    // GitHub's own recovery still goes to the subscribed channels, threaded under its alert.
    await eventually(async () => inChannel('C-ALL').some((p) => text(p) === '✅ GitHub recovered: connected again as octocat.'));
  });

  it('stops a channel’s alerts with `alerts off`', async () => {
    const off = await channelChat('C-PAUSE').final(ADMIN, 'alerts off');
    expect(renderText(off)).toBe('🔕 @U_ADMIN turned off this channel’s alerts for every connection.');
    const [sub] = await sql<{ active: boolean; deactivated_reason: string }>(app.dbUrl, `select active, deactivated_reason from alert_subscriptions where channel_id = 'C-PAUSE'`);
    expect(sub).toEqual({ active: false, deactivated_reason: 'Turned off by adam (slack).' });
    const before = inChannel('C-PAUSE').length;
    nock('https://api.linear.app').post('/graphql').reply(429, 'Too Many Requests', { 'Retry-After': '3600' });
    await settle(await chat(app).run(ADMIN, 'test linear'));
    await eventually(async () => inChannel('C-ALL').some((p) => p.at > Date.now() - 10_000 && text(p).includes('Linear is paused')));
    await alertsDispatched();
    expect(inChannel('C-PAUSE')).toHaveLength(before);
    expect((await channelChat('C-PAUSE').final(ADMIN, 'alerts off')).text).toMatch(/no alert subscription/);
  });
});
