/**
 * OAuth installs for many Slack workspaces: Bolt's installer at /slack/install and
 * /slack/oauth_redirect, installations kept in Postgres (tokens only as vault ciphertext),
 * rotated tokens refreshed and stored — by requests and by alert jobs alike — and
 * `app_uninstalled` / `tokens_revoked` deactivating the team and its alert subscriptions, each
 * event handled once however often Slack retries it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { botFor } from '../../src/chat/bots.ts';
import { inChannel } from '../../src/commands/view.ts';
import { eventually, sql } from '../helpers/sql.ts';
import { ADMIN, linkTeam, startSlackTest, textOf, type SlackTest, type SlackUser } from './support.ts';

const TEAM = 'T0001';
const INSTALLER: SlackUser = { id: 'U_INSTALLER', name: 'ivy', email: 'ivy@acme.test' };
const CLIENT_SECRET = 'slack-client-secret-value';

let t: SlackTest;
let issued = 0;
const tokenOf = (n: number) => `xoxb-oauth-token-${n}`;
const refreshOf = (n: number) => `xoxe-1-refresh-${n}`;

type TeamRow = { active: boolean; workspace_id: string | null; installation: any; secrets: string | null };
const teamRow = async () => (await sql<TeamRow>(t.app.dbUrl, `select active, workspace_id, installation, secrets from chat_teams where platform = 'slack' and external_id = $1`, [TEAM]))[0];
const secretsOf = (row: TeamRow) => t.app.pb.rt.vault.decrypt<Record<string, string>>(row.secrets!);

/** Walks the install: /slack/install → (Slack) → /slack/oauth_redirect with the code and the state cookie. */
async function install(): Promise<{ status: number; html: string }> {
  const start = await fetch(`${t.app.url}/slack/install`, { redirect: 'manual' });
  expect(start.status).toBe(302);
  const authorize = new URL(start.headers.get('location')!);
  expect(authorize.pathname).toBe('/oauth/v2/authorize');
  expect(authorize.searchParams.get('client_id')).toBe('1234.5678');
  expect(authorize.searchParams.get('scope')).toBe('commands,chat:write,chat:write.public,users:read,users:read.email');
  expect(authorize.searchParams.get('redirect_uri')).toBe('https://patchbay.example.test/slack/oauth_redirect');
  const state = authorize.searchParams.get('state')!;
  const cookie = start.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const done = await fetch(`${t.app.url}/slack/oauth_redirect?code=install-code&state=${encodeURIComponent(state)}`, { headers: { cookie } });
  return { status: done.status, html: await done.text() };
}

beforeAll(async () => {
  t = await startSlackTest({ env: { SLACK_CLIENT_ID: '1234.5678', SLACK_CLIENT_SECRET: CLIENT_SECRET } });
  t.fake.answer('oauth.v2.access', (b) => {
    const n = ++issued;
    const refreshing = b.grant_type === 'refresh_token';
    return {
      ok: true,
      app_id: 'A0001',
      authed_user: { id: INSTALLER.id },
      scope: 'commands,chat:write,chat:write.public,users:read,users:read.email',
      token_type: 'bot',
      access_token: tokenOf(n),
      bot_user_id: 'UBOT',
      refresh_token: refreshOf(n),
      expires_in: 43_200,
      team: { id: TEAM, name: 'Acme' },
      enterprise: null,
      is_enterprise_install: false,
      ...(refreshing ? { refreshed_from: b.refresh_token } : {}),
    };
  });
});
afterAll(async () => {
  await t?.close();
});

describe('OAuth install', () => {
  it('sends the install redirect and the result page with browser security headers', async () => {
    const start = await fetch(`${t.app.url}/slack/install`, { redirect: 'manual' });
    const done = await fetch(`${t.app.url}/slack/oauth_redirect?error=access_denied&state=x`);
    for (const res of [start, done]) {
      expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'.*frame-ancestors 'none'/);
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    }
  });

  it('installs through Slack and stores the tokens only encrypted; installing links nothing', async () => {
    const page = await install();
    expect(page.status).toBe(200);
    expect(page.html).toContain('Patchbay is installed');
    expect(page.html).toContain('link');
    const exchange = t.fake.callsTo('oauth.v2.access').at(-1)!;
    expect(exchange.body).toMatchObject({ code: 'install-code', redirect_uri: 'https://patchbay.example.test/slack/oauth_redirect' });
    const row = (await teamRow())!;
    expect(row.active).toBe(true);
    expect(row.workspace_id).toBeNull();
    expect(row.installation).toMatchObject({ team: { id: TEAM }, bot: { userId: 'UBOT', scopes: expect.arrayContaining(['commands']) } });
    const stored = JSON.stringify(row.installation) + row.secrets;
    expect(stored).not.toContain(tokenOf(1));
    expect(stored).not.toContain(refreshOf(1));
    expect(secretsOf(row)).toMatchObject({ botToken: tokenOf(1), botRefreshToken: refreshOf(1) });
    expect(t.app.logs.join('\n')).not.toContain(tokenOf(1));
    expect(t.app.logs.join('\n')).not.toContain(CLIENT_SECRET);
  });

  it('answers the installed team with its own token, and only with the link instructions until linked', async () => {
    const res = await t.slash(INSTALLER, 'list');
    expect(res.body.response_type).toBe('ephemeral');
    expect(textOf(res.body)).toMatch(/not linked/);
    expect(t.fake.callsTo('users.info').at(-1)!.token).toBe(tokenOf(1));
  });

  it('refreshes a rotated token that is about to expire, on its next use, and stores the new one', async () => {
    await sql(t.app.dbUrl, `update chat_teams set installation = jsonb_set(installation, '{bot,expiresAt}', to_jsonb(extract(epoch from now())::int + 60)) where external_id = $1`, [TEAM]);
    const res = await t.slash(ADMIN, 'help');
    expect(res.status).toBe(200);
    const refresh = t.fake.callsTo('oauth.v2.access').at(-1)!;
    expect(refresh.body).toMatchObject({ grant_type: 'refresh_token', refresh_token: refreshOf(1) });
    expect(t.fake.callsTo('users.info').at(-1)!.token).toBe(tokenOf(2));
    expect(secretsOf((await teamRow())!)).toMatchObject({ botToken: tokenOf(2), botRefreshToken: refreshOf(2) });
  });

  it('refreshes it for alert jobs too: the poster posts with the fresh token', async () => {
    await sql(t.app.dbUrl, `update chat_teams set installation = jsonb_set(installation, '{bot,expiresAt}', to_jsonb(extract(epoch from now())::int - 5)) where external_id = $1`, [TEAM]);
    await botFor(t.app.pb.rt, 'slack')!.poster.post({ platform: 'slack', teamId: TEAM, channelId: 'C0001' }, inChannel('hello'));
    expect(t.fake.callsTo('chat.postMessage').at(-1)!.token).toBe(tokenOf(3));
    expect(secretsOf((await teamRow())!).botToken).toBe(tokenOf(3));
  });
});

describe('token rotation across processes', () => {
  it('two processes needing a fresh token at once spend the single-use refresh token once', async () => {
    const { createSlackBot } = await import('../../bots/slack/app.ts');
    // Two bots = two installers with their own in-process de-duplication, as in a server and a worker.
    const [a, b] = [createSlackBot(t.app.pb.rt), createSlackBot(t.app.pb.rt)];
    await sql(t.app.dbUrl, `update chat_teams set installation = jsonb_set(installation, '{bot,expiresAt}', to_jsonb(extract(epoch from now())::int - 5)) where external_id = $1`, [TEAM]);
    const before = t.fake.callsTo('oauth.v2.access').filter((c) => c.body.grant_type === 'refresh_token').length;
    const source = { teamId: TEAM, enterpriseId: undefined, isEnterpriseInstall: false };
    const [ra, rb] = await Promise.all([a.receiver.installer!.authorize(source), b.receiver.installer!.authorize(source)]);
    const refreshes = t.fake.callsTo('oauth.v2.access').filter((c) => c.body.grant_type === 'refresh_token').slice(before);
    expect(refreshes).toHaveLength(1);
    expect(ra.botToken).toBe(rb.botToken);
    expect(secretsOf((await teamRow())!).botToken).toBe(ra.botToken);
    await Promise.all([a.stop(), b.stop()]);
  });
});

describe('uninstalling and revoking', () => {
  it('deactivates the team and its alert subscriptions on app_uninstalled, once however often Slack retries', async () => {
    await linkTeam(t, INSTALLER);
    await t.slash(ADMIN, 'alerts here', { channel: 'C_ALERTS' });
    expect(await sql(t.app.dbUrl, `select 1 from alert_subscriptions where active and channel_id = 'C_ALERTS'`)).toHaveLength(1);

    const first = await t.event({ type: 'app_uninstalled' }, { eventId: 'Ev_UNINSTALL' });
    expect(first.status).toBe(200);
    await eventually(async () => (await teamRow())?.active === false);
    const row = (await teamRow())!;
    expect(row.workspace_id).toBeNull();
    expect(row.secrets).toBeNull();
    const subs = await sql<{ active: boolean; deactivated_reason: string }>(t.app.dbUrl, `select active, deactivated_reason from alert_subscriptions where channel_id = 'C_ALERTS'`);
    expect(subs).toEqual([{ active: false, deactivated_reason: expect.stringMatching(/uninstalled/) }]);

    const retry = await t.event({ type: 'app_uninstalled' }, { eventId: 'Ev_UNINSTALL', retryNum: 1 });
    expect(retry.status).toBe(200);
    await eventually(async () => t.app.logs.some((l) => l.includes('slack event retry ignored')));
    // One receipt for the event id, marked processed once the first delivery was handled.
    const receipts = await sql<{ kind: string; processed: boolean }>(
      t.app.dbUrl,
      `select kind, processed_at is not null as processed from inbound_receipts where source = 'slack:event' and delivery_id = 'Ev_UNINSTALL'`,
    );
    expect(receipts).toEqual([{ kind: 'app_uninstalled', processed: true }]);
    const unlinks = await sql(t.app.dbUrl, `select 1 from audit_logs where action = 'chat.unlink'`);
    expect(unlinks).toHaveLength(1);
  });

  it('no longer answers the uninstalled team', async () => {
    const calls = t.fake.calls.length;
    const res = await t.slash(ADMIN, 'list');
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    expect(t.fake.calls.slice(calls)).toEqual([]);
  });

  it('deactivates a reinstalled team again when its bot token is revoked', async () => {
    expect((await install()).status).toBe(200);
    expect((await teamRow())!.active).toBe(true);
    // Reinstalling does not link: it needs a new code.
    expect((await teamRow())!.workspace_id).toBeNull();
    const res = await t.event({ type: 'tokens_revoked', tokens: { oauth: [], bot: ['UBOT'] } });
    expect(res.status).toBe(200);
    await eventually(async () => (await teamRow())?.active === false);
    expect((await teamRow())!.secrets).toBeNull();
  });

  it('never lets a rotated-token store re-activate a team uninstalled meanwhile', async () => {
    expect((await install()).status).toBe(200);
    const { createInstallationStore } = await import('../../bots/slack/installation-store.ts');
    const store = createInstallationStore(t.app.pb.rt);
    // A refresh starts from the active installation…
    const fetched = await store.fetchInstallation({ teamId: TEAM, enterpriseId: undefined, isEnterpriseInstall: false });
    // …the app is uninstalled while the refresh is in flight…
    expect((await t.event({ type: 'app_uninstalled' })).status).toBe(200);
    expect((await teamRow())!.active).toBe(false);
    // …and Bolt then stores the refreshed tokens as it does: a spread of what it fetched.
    await store.storeInstallation({ ...fetched, bot: { ...fetched.bot!, token: 'xoxb-late-refresh', refreshToken: 'xoxe-late', expiresAt: 9_999_999_999 } });
    const row = (await teamRow())!;
    expect(row.active).toBe(false);
    expect(row.secrets).toBeNull();
    expect(t.app.logs.join('\n')).not.toContain('xoxb-late-refresh');
    // A real reinstall still brings it back.
    expect((await install()).status).toBe(200);
    expect((await teamRow())!.active).toBe(true);
  });
});
