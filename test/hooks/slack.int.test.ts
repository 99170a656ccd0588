/**
 * Custom hooks from Slack (signed requests, the fake Web API, real workers): a Member's
 * `hooks create` is refused (audited, nothing created); an Admin's shows the URL and secret once,
 * to them alone; with that secret an unsigned body is refused and a signed one is posted in the
 * channel subscribed with `alerts here hooks` — as inert text (no pings, no links) — and nowhere
 * else; a flood costs the channel one post per interval, the rest counted in it and all listed in the API.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, sql } from '../helpers/sql.ts';
import { linkTeam, startSlackTest, textOf, type SlackTest, type SlackUser } from '../slack/support.ts';
import { sendToHook } from './support.ts';

const OWNER: SlackUser = { id: 'U_OWNER', name: 'olivia', email: 'olivia@acme.test' };
const ADMIN: SlackUser = { id: 'U_ADMIN', name: 'adam', email: 'adam@acme.test', isAdmin: true };
const MEMBER: SlackUser = { id: 'U_MEMBER', name: 'mia', email: 'mia@acme.test' };
const INTERVAL_S = 3;

let t: SlackTest;
let url: string;
let secret: string;

const postsTo = (channel: string) => t.posted.filter((p) => p.channel === channel);

beforeAll(async () => {
  t = await startSlackTest({ workers: true, env: { HOOKS_ALERT_INTERVAL_SECONDS: String(INTERVAL_S) } });
  await linkTeam(t, OWNER);
  for (const [channel, line] of [
    ['C_HOOKS', 'alerts here hooks'],
    ['C_ERRORS', 'alerts here errors'],
  ] as const) {
    const res = await t.slash(ADMIN, line, { channel });
    expect(textOf(res.body), line).toMatch(/subscribed this channel/);
  }
});
afterAll(async () => {
  await t?.close();
});

describe('custom hooks from Slack', () => {
  it('refuses a Member’s `hooks create`: ephemeral, audited, nothing created', async () => {
    const res = await t.slash(MEMBER, 'hooks create Sneaky --secret', { channel: 'C_OPS' });
    expect(res.status).toBe(200);
    expect(res.body.response_type).toBe('ephemeral');
    expect(textOf(res.body)).toMatch(/🚫 Managing custom hooks needs the Admin or Owner role; you are a Member/);
    expect(await sql(t.app.dbUrl, 'select 1 from inbound_hooks')).toEqual([]);
    const refused = await sql(t.app.dbUrl, `select via, target_type from audit_logs where action = 'hooks.manage' and outcome = 'refused'`);
    expect(refused).toEqual([{ via: 'slack', target_type: 'hook' }]);
  });

  it('an Admin’s `hooks create --secret` shows the URL and the secret once, privately; `hooks` lists it for a Member', async () => {
    const res = await t.slash(ADMIN, 'hooks create "Uptime <!channel>" --secret', { channel: 'C_OPS' });
    expect(res.body.response_type).toBe('ephemeral');
    const text = textOf(res.body);
    expect(text).toMatch(/Hook \*Uptime &lt;!channel&gt;\* is ready/);
    const path = /\/hooks\/(hk_[A-Za-z0-9_-]{43})/.exec(text)?.[0];
    secret = /whsec_[A-Za-z0-9+/]+=*/.exec(text)?.[0] ?? '';
    expect(path && secret).toBeTruthy();
    // The fallback text (notifications) holds neither.
    expect(res.body.text).not.toContain(path);
    expect(res.body.text).not.toContain(secret);
    url = `${t.app.url}${path}`;
    expect(await sql(t.app.dbUrl, `select name, status from inbound_hooks`)).toEqual([{ name: 'Uptime <!channel>', status: 'active' }]);
    expect(t.app.logs.some((l) => l.includes(secret) || l.includes(path!))).toBe(false);

    const listed = await t.slash(MEMBER, 'hooks', { channel: 'C_OPS' });
    expect(textOf(listed.body)).toMatch(/✅ active · \*Uptime &lt;!channel&gt;\* · 0 messages, nothing received yet · signed/);
    expect(textOf(listed.body)).not.toContain(path!.slice(10));
  });

  it('with the secret, an unsigned body is refused and a signed one is posted as inert text in the hooks channel only', async () => {
    const body = { alert: 'db down <!channel> @here <!here>', link: '<https://evil.example|click me>', who: '<@U_OWNER>' };
    const unsigned = await sendToHook(url, body);
    expect(unsigned.status).toBe(401);
    const signed = await sendToHook(url, body, { secret });
    expect(signed.status).toBe(200);
    const { id } = (await signed.json()) as { id: string };
    const post = await eventually(async () => postsTo('C_HOOKS')[0]);
    const text = textOf(post.body);
    expect(text).toMatch(/📨 Hook \*Uptime &lt;!channel&gt;\* received a message\./);
    expect(text).toContain('"alert": "db down &lt;!channel&gt; @here &lt;!here&gt;"');
    expect(text).toContain('"link": "&lt;https://evil.example|click me&gt;"');
    expect(text).toContain('"who": "&lt;@U_OWNER&gt;"');
    expect(text).toContain(`signature verified · message ${id}`);
    // Nothing in the post can ping or link: no raw special mention, user mention or link, and the body block is verbatim.
    expect(JSON.stringify(post.body)).not.toMatch(/<!channel>|<!here>|<@U_OWNER>|<https:\/\/evil/);
    const blocks = (post.body.blocks as Array<{ text?: { text: string; verbatim?: boolean } }>).filter((b) => b.text?.text.includes('```'));
    expect(blocks).toHaveLength(1);
    expect(blocks[0]!.text!.verbatim).toBe(true);
    expect(String(post.body.unfurl_links)).toBe('false'); // form-encoded by the Web API client
    await new Promise((r) => setTimeout(r, 1_000));
    expect(postsTo('C_HOOKS')).toHaveLength(1);
    expect(postsTo('C_ERRORS')).toHaveLength(0);
    expect((await sql(t.app.dbUrl, 'select count(*)::int as n from inbound_hook_messages'))[0]).toEqual({ n: 1 });
    // The URL's token is the hook's credential: the request log shows it redacted.
    const token = url.split('/hooks/')[1]!;
    expect(t.app.logs.some((l) => l.includes('"path":"/hooks/hk_[REDACTED]"'))).toBe(true);
    expect(t.app.logs.some((l) => l.includes(token) || l.includes(secret))).toBe(false);
  });

  it('a flood of 12 bodies costs the channel at most two posts; together they account for every body, and the API lists all', async () => {
    const before = postsTo('C_HOOKS').length;
    const ids: string[] = [];
    for (let n = 1; n <= 12; n++) {
      const res = await sendToHook(url, { n }, { secret });
      expect(res.status).toBe(200);
      ids.push(((await res.json()) as { id: string }).id);
    }
    const last = ids.at(-1)!;
    const final = await eventually(async () => postsTo('C_HOOKS').slice(before).find((p) => textOf(p.body).includes(`message ${last} `)), 20_000);
    await new Promise((r) => setTimeout(r, (INTERVAL_S + 1) * 1000));
    const posts = postsTo('C_HOOKS').slice(before);
    expect(posts.length).toBeLessThanOrEqual(2);
    expect(posts.at(-1)).toBe(final);
    // Each post shows one body and counts the rest since the previous post: together, all twelve.
    const covered = posts.map((p) => 1 + Number(/\(\+(\d+) more since \d\d:\d\d:\d\d UTC, not shown\)/.exec(textOf(p.body))?.[1] ?? 0));
    expect(covered.reduce((a, b) => a + b, 0)).toBe(12);
    expect(textOf(final.body)).toContain('"n": 12');
    const page = await t.app.json(`/api/v1/hooks/${(await sql<{ id: string }>(t.app.dbUrl, 'select id from inbound_hooks'))[0]!.id}/messages?limit=100`);
    expect(page.data).toHaveLength(13);
    expect(postsTo('C_ERRORS')).toHaveLength(0);
  });
});
