/**
 * Alerts reach Slack channels through the Slack poster: the real worker runs the alert jobs, the
 * fake Slack API records the posts. One message per subscribed channel and state change, with the
 * right buttons; the buttons re-check the clicking user's role; a channel the bot was removed
 * from is unsubscribed.
 */
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json } from '../helpers/app.ts';
import { eventually, sql } from '../helpers/sql.ts';
import { OWNER, ADMIN, MEMBER, buttonNamed, buttonsOf, linkTeam, startSlackTest, textOf, type SlackTest } from './support.ts';

const VIEWER = { data: { viewer: { id: 'lin-1', name: 'Ada Lovelace', email: 'ada@example.com' } } };

let t: SlackTest;
const ids = { errors: '', limits: '', third: '' };

async function connectLinear(displayName: string, key: string): Promise<string> {
  nock('https://api.linear.app').post('/graphql').reply(200, VIEWER);
  const res = await t.app.fetch('/api/v1/connections', { method: 'POST', json: { provider: 'linear', displayName, credentials: { apiKey: key } } });
  expect(res.status).toBe(201);
  return (await json(res)).connection.id;
}

const status = async (id: string) => (await sql<{ status: string; paused_by: string | null }>(t.app.dbUrl, 'select status, paused_by from connections where id = $1', [id]))[0]!;
const postsTo = (channel: string) => t.posted.filter((p) => p.channel === channel);
/** Lets the alert jobs that could still run do so (each channel posts at most once a second). */
const settle = () => new Promise((r) => setTimeout(r, 1_500));

beforeAll(async () => {
  t = await startSlackTest({ workers: true, env: { PROVIDER_HUBSPOT_CLIENT_ID: 'hub-client-id', PROVIDER_HUBSPOT_CLIENT_SECRET: 'hub-client-secret-value' } });
  await linkTeam(t, OWNER);
  ids.errors = await connectLinear('Linear Errors', 'lin_api_AlertErrors000000000000');
  ids.limits = await connectLinear('Linear Limits', 'lin_api_AlertLimits000000000000');
  for (const [channel, line] of [
    ['C_ALL', 'alerts here'],
    ['C_ERRORS', 'alerts here errors'],
    ['C_PAUSES_OF_ERRORS', 'alerts here pauses for "Linear Errors"'],
  ] as const) {
    const res = await t.slash(ADMIN, line, { channel });
    expect(textOf(res.body), line).not.toMatch(/⚠️|🚫/);
  }
  expect(await sql(t.app.dbUrl, 'select 1 from alert_subscriptions where active')).toHaveLength(3);
});
afterAll(async () => {
  await t?.close();
});

describe('alerts in Slack channels', () => {
  it('posts one message per subscribed channel when a connection errors, with Test and Log buttons', async () => {
    nock('https://api.linear.app').post('/graphql').reply(401, { errors: [{ message: 'Authentication required' }] });
    const res = await t.app.json(`/api/v1/connections/${ids.errors}/test`, { method: 'POST' });
    expect(res.connection.status).toBe('errored');
    await eventually(async () => postsTo('C_ALL').length === 1 && postsTo('C_ERRORS').length === 1);
    await settle();
    expect(postsTo('C_ALL')).toHaveLength(1);
    expect(postsTo('C_ERRORS')).toHaveLength(1);
    expect(postsTo('C_PAUSES_OF_ERRORS')).toHaveLength(0);
    for (const channel of ['C_ALL', 'C_ERRORS']) {
      const post = postsTo(channel)[0]!;
      expect(textOf(post.body)).toMatch(/❌ \*Linear Errors\* errored/);
      expect(post.body.thread_ts).toBeUndefined();
      expect(buttonsOf(post.body).map((b) => [b.text.text, b.value])).toEqual([
        ['Test', `test ${ids.errors}`],
        ['Log', `log ${ids.errors}`],
      ]);
    }
    // Still errored after another failing test: no second alert.
    nock('https://api.linear.app').post('/graphql').reply(401, { errors: [{ message: 'Authentication required' }] });
    await t.app.json(`/api/v1/connections/${ids.errors}/test`, { method: 'POST' });
    await settle();
    expect(postsTo('C_ALL')).toHaveLength(1);
  });

  it('posts one message per subscribed channel when a rate limit pauses a connection, with a Resume button', async () => {
    nock('https://api.linear.app').post('/graphql').reply(429, 'Too Many Requests', { 'Retry-After': '600' });
    const res = await t.app.json(`/api/v1/connections/${ids.limits}/test`, { method: 'POST' });
    expect(res.connection).toMatchObject({ status: 'paused', pausedBy: 'rate_limit' });
    await eventually(async () => postsTo('C_ALL').length === 2);
    await settle();
    expect(postsTo('C_ALL')).toHaveLength(2);
    // Filtered out: errors only, and pauses of another connection only.
    expect(postsTo('C_ERRORS')).toHaveLength(1);
    expect(postsTo('C_PAUSES_OF_ERRORS')).toHaveLength(0);
    const post = postsTo('C_ALL')[1]!;
    expect(textOf(post.body)).toMatch(/⏸ \*Linear Limits\* is paused/);
    expect(buttonsOf(post.body).map((b) => [b.text.text, b.value])).toEqual([
      ['Resume now', `resume ${ids.limits}`],
      ['Log', `log ${ids.limits}`],
    ]);
  });

  it('denies a member’s Resume on the alert privately, and resumes for an admin', async () => {
    const alert = postsTo('C_ALL')[1]!;
    const resume = buttonNamed(alert.body, 'Resume now');
    const denied = await t.click(MEMBER, resume, { channel: 'C_ALL', messageTs: alert.ts });
    const [reply] = await t.waitForResponses(denied.responseUrl);
    expect(reply!.body.response_type).toBe('ephemeral');
    expect(textOf(reply!.body)).toMatch(/🚫/);
    expect(await status(ids.limits)).toMatchObject({ status: 'paused', paused_by: 'rate_limit' });

    const allowed = await t.click(ADMIN, resume, { channel: 'C_ALL', messageTs: alert.ts });
    expect(allowed.status).toBe(200);
    await eventually(async () => (await status(ids.limits)).status === 'connected');
    // The admin's result in the channel, and the recovery threaded under the alert.
    await eventually(async () => postsTo('C_ALL').some((p) => /<@U_ADMIN> resumed \*Linear Limits\*/.test(textOf(p.body))));
    const followUp = await eventually(async () => postsTo('C_ALL').find((p) => p.body.thread_ts === alert.ts));
    expect(textOf(followUp.body)).toMatch(/Linear Limits\* resumed/);
  });

  it('unsubscribes a channel the bot was removed from, instead of retrying', async () => {
    await t.slash(ADMIN, 'alerts here errors', { channel: 'C_GONE' });
    t.failChannel('C_GONE', 'not_in_channel');
    ids.third = await connectLinear('Linear Third', 'lin_api_AlertThird0000000000000');
    nock('https://api.linear.app').post('/graphql').reply(401, { errors: [{ message: 'Authentication required' }] });
    await t.app.json(`/api/v1/connections/${ids.third}/test`, { method: 'POST' });
    const sub = await eventually(async () => {
      const [row] = await sql<{ active: boolean; deactivated_reason: string | null }>(t.app.dbUrl, `select active, deactivated_reason from alert_subscriptions where channel_id = 'C_GONE'`);
      return row && !row.active ? row : undefined;
    });
    expect(sub.deactivated_reason).toMatch(/not_in_channel/);
    const attempts = () => t.fake.callsTo('chat.postMessage').filter((c) => c.body.channel === 'C_GONE').length;
    expect(attempts()).toBe(1);
    await settle();
    expect(attempts()).toBe(1);
    expect(t.app.logs.some((l) => l.includes('channel no longer reachable'))).toBe(true);
    // The other channels still got their alert.
    await eventually(async () => postsTo('C_ERRORS').some((p) => /Linear Third/.test(textOf(p.body))));
  });

  it('fails an alert Slack refuses for good (invalid_blocks) at once: logged, not retried, the channel kept', async () => {
    await t.slash(ADMIN, 'alerts here errors', { channel: 'C_BAD' });
    t.failChannel('C_BAD', 'invalid_blocks');
    const fourth = await connectLinear('Linear Fourth', 'lin_api_AlertFourth000000000000');
    nock('https://api.linear.app').post('/graphql').reply(401, { errors: [{ message: 'Authentication required' }] });
    await t.app.json(`/api/v1/connections/${fourth}/test`, { method: 'POST' });
    const attempts = () => t.fake.callsTo('chat.postMessage').filter((c) => c.body.channel === 'C_BAD').length;
    await eventually(async () => attempts() === 1);
    await eventually(async () => t.app.logs.find((l) => l.includes('refused by the chat platform for good')));
    // A retry with backoff would come after ~3 s.
    await new Promise((r) => setTimeout(r, 4_000));
    expect(attempts()).toBe(1);
    expect(t.app.logs.find((l) => l.includes('refused by the chat platform for good'))).toMatch(/invalid_blocks/);
    expect(await sql(t.app.dbUrl, `select 1 from alert_subscriptions where channel_id = 'C_BAD' and active`)).toHaveLength(1);
  }, 20_000);

  it('posts a provider’s error description from an OAuth callback as inert text: no link, no @channel', async () => {
    const res = await t.slash(ADMIN, 'connect hubspot', { channel: 'C_OAUTH' });
    const state = new URL(buttonNamed(res.body, 'Connect HubSpot').url!).searchParams.get('state')!;
    const description = 'Fix it: [Re-authorize here](https://evil.example) <!channel>';
    const q = new URLSearchParams({ state, error: 'server_error', error_description: description });
    await fetch(`${t.app.url}/oauth/callback?${q}`);
    const post = await eventually(async () => postsTo('C_OAUTH').find((p) => /HubSpot/.test(textOf(p.body))));
    const sent = JSON.stringify(post.body);
    expect(textOf(post.body)).toContain('[Re-authorize here](https://evil.example) &lt;!channel&gt;');
    expect(sent).not.toContain('<https://evil.example');
    expect(sent).not.toContain('<!channel>');
    const section = (post.body.blocks as any[]).find((b) => b.type === 'section');
    expect(section.text.verbatim).toBe(true);
  });
});
