/**
 * `webhook-secret <connection>` through the chat core: an Admin stores the secret Jira made for its
 * admin webhook through a masked form (never on the command line), and Jira deliveries signed with
 * it are then accepted while others are refused; a too-short value stays on the form; a Member is
 * refused and audited; a provider whose secret is not admin-stored gets where it comes from, no
 * form; `clear` asks first, then removes it. The secret appears in no reply, log or audit row.
 * Also: `connect jira` says what realtime sync needs at Jira.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NeutralReply } from '../../src/commands/view.ts';
import { Connection } from '../../src/entities/connection.ts';
import { memberWithToken } from '../helpers/members.ts';
import { eventually, sql } from '../helpers/sql.ts';
import { JIRA, oauthConnect } from '../inbound/schemes-a-support.ts';
import { PUBLIC_URL, startE2E, type E2E } from '../providers-e2e/support.ts';
import { buttons, chat, defaultWorkspace, linkCode, settle } from './support.ts';

const OWNER = { userId: 'U_OWNER', userName: 'olivia' };
const MEMBER = { userId: 'U_MEMBER', userName: 'mia', email: 'mia@example.com' };
const SECRET = 'jira-chat-secret-Hq3vX8pLw2ZkR7sN';
const SHORT = 'short7!';

let e2e: E2E;
let c: ReturnType<typeof chat>;
let jiraId: string;
let sandboxId: string;
const replies: NeutralReply[] = [];
/** `connect jira` before Jira was connected (afterwards the name is taken). */
let connectJiraReply: NeutralReply;

const keep = (r: NeutralReply) => {
  replies.push(r);
  return r;
};
const run = async (user: typeof OWNER, line: string) => keep(await c.final(user, line));
const submit = async (user: typeof OWNER, formId: string, values: Record<string, string>) => keep(await settle(await c.submit(user, formId, values)));

const adminRows = () =>
  sql<{ origin: string; resource: string; status: string; secret: string }>(e2e.app.dbUrl, `select origin, resource, status, secret from provider_webhooks where connection_id = $1`, [jiraId]);

/** A Jira admin webhook delivery, signed as Jira documents it: `X-Hub-Signature: sha256=<hex HMAC-SHA256 of the body>`. */
async function deliver(secret: string): Promise<number> {
  const body = JSON.stringify({ webhookEvent: 'jira:issue_updated', timestamp: Date.now(), issue: { id: '10042', key: 'ABC-42', fields: { summary: 'Broken build' } } });
  const res = await e2e.app.fetch(`/webhooks/jira/${jiraId}`, {
    method: 'POST',
    token: null,
    body,
    headers: {
      'content-type': 'application/json',
      'x-atlassian-webhook-identifier': randomUUID(),
      'x-hub-signature': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`,
    },
  });
  await res.text();
  return res.status;
}

beforeAll(async () => {
  e2e = await startE2E({ PROVIDER_JIRA_CLIENT_ID: JIRA.clientId, PROVIDER_JIRA_CLIENT_SECRET: JIRA.clientSecret });
  c = chat(e2e.app);
  expect(c.text(await run(OWNER, `link ${await linkCode(e2e.app)}`))).toMatch(/linked/i);
  connectJiraReply = await run(OWNER, 'connect jira');
  jiraId = await oauthConnect(e2e, 'jira');
  const em = e2e.app.pb.rt.em();
  const sandbox = em.create(Connection, {
    workspace: (await defaultWorkspace(e2e.app)).ws.id,
    providerSlug: 'sandbox',
    displayName: 'Sandbox',
    authKind: 'api_key',
    credentials: e2e.app.pb.rt.vault.encrypt({ type: 'api_key', fields: { apiKey: 'sbx_inserted000' } }),
  });
  await em.flush();
  sandboxId = sandbox.id;
  await memberWithToken(e2e.app, 'member', MEMBER.email);
}, 60_000);
afterAll(async () => {
  await e2e?.close();
});

describe('webhook-secret in chat', () => {
  it('opens a private form with a secret field, the URL to configure at Jira and its setup steps', async () => {
    const r = await run(OWNER, 'webhook-secret jira');
    expect(r.visibility).toBe('ephemeral');
    expect(r.error).toBeUndefined();
    const form = r.blocks.find((b) => b.type === 'form');
    expect(form).toMatchObject({ type: 'form', id: `webhook-secret:${jiraId}`, fields: [{ name: 'secret', secret: true }] });
    const text = c.text(r);
    expect(text).toContain(`URL to configure at Jira Cloud: \`${PUBLIC_URL}/webhooks/jira/${jiraId}\``);
    expect(text).toContain('Settings → System → WebHooks');
    expect(text).toContain('Webhook secret (secret)');
    // Nothing stored yet: Jira's deliveries are refused.
    expect(await deliver(SECRET)).toBe(401);
  });

  it('keeps a too-short secret on the form as a field error, storing nothing', async () => {
    const r = await c.submit(OWNER, `webhook-secret:${jiraId}`, { secret: SHORT });
    keep(r.immediate);
    expect(r.followUp).toBeUndefined();
    expect(r.immediate.error).toEqual({ code: 'validation_failed' });
    expect(r.immediate.fieldErrors).toEqual({ secret: 'The webhook secret must be at least 8 characters.' });
    expect(JSON.stringify(r)).not.toContain(SHORT);
    const empty = await c.submit(OWNER, `webhook-secret:${jiraId}`, {});
    expect(empty.immediate.fieldErrors).toEqual({ secret: 'The webhook secret is required.' });
    expect(await adminRows()).toEqual([]);
  });

  it('stores the submitted secret vault-encrypted; Jira deliveries signed with it are accepted, others refused', async () => {
    const r = await submit(OWNER, `webhook-secret:${jiraId}`, { secret: SECRET });
    expect(r.visibility).toBe('ephemeral');
    expect(c.text(r)).toBe(`✅ Stored. Jira Cloud webhooks to \`${PUBLIC_URL}/webhooks/jira/${jiraId}\` are now verified with it.`);
    const rows = await adminRows();
    expect(rows).toMatchObject([{ origin: 'admin', resource: 'admin', status: 'active' }]);
    expect(rows[0]!.secret).not.toContain(SECRET);
    expect(e2e.app.pb.rt.vault.decrypt<string>(rows[0]!.secret)).toBe(SECRET);
    // Accepted within seconds: the ingress caches what it knows of a URL for up to 5 s (the 401 above).
    await eventually(async () => (await deliver(SECRET)) === 200, 10_000, 500);
    expect(await deliver('not-the-jira-secret-000')).toBe(401);
    const [audit] = await sql<{ outcome: string; via: string; details: unknown }>(e2e.app.dbUrl, `select outcome, via, details from audit_logs where action = 'connection.webhook_secret' order by id desc limit 1`);
    expect(audit).toMatchObject({ outcome: 'success', details: { change: 'stored' } });

    // The form says when it replaces one; storing again replaces it.
    expect(c.text(await run(OWNER, 'webhook-secret jira'))).toContain('It replaces the secret stored now.');
    expect(c.text(await submit(OWNER, `webhook-secret:${jiraId}`, { secret: SECRET }))).toMatch(/^✅ Stored \(it replaces the previous one\)\./);
    expect(await adminRows()).toHaveLength(1);
  });

  it('refuses a Member (audited like other commands) and stores nothing from a Member’s form', async () => {
    const r = await run(MEMBER, 'webhook-secret jira');
    expect(r.error).toEqual({ code: 'forbidden' });
    expect(r.visibility).toBe('ephemeral');
    expect(c.text(r)).toMatch(/Storing or removing a webhook secret needs the Admin or Owner role; you are a Member\. Nothing was changed\./);
    expect(r.blocks.some((b) => b.type === 'form')).toBe(false);
    const s = await submit(MEMBER, `webhook-secret:${jiraId}`, { secret: 'member-typed-secret-123' });
    expect(s.error).toEqual({ code: 'forbidden' });
    expect(e2e.app.pb.rt.vault.decrypt<string>((await adminRows())[0]!.secret)).toBe(SECRET);
    const refused = await sql<{ target_type: string; target_id: string | null }>(
      e2e.app.dbUrl,
      `select target_type, target_id from audit_logs where action = 'connections.webhook_secret' and outcome = 'refused' order by id`,
    );
    expect(refused).toEqual(
      expect.arrayContaining([
        { target_type: 'chat_command', target_id: 'webhook-secret' },
        { target_type: 'chat_command', target_id: `webhook-secret:${jiraId}` },
      ]),
    );
  });

  it('explains where the secret comes from for a provider whose secret is not admin-stored, without a form', async () => {
    const r = await run(OWNER, 'webhook-secret sandbox');
    expect(r.error).toBeUndefined();
    expect(r.visibility).toBe('ephemeral');
    expect(r.blocks.some((b) => b.type === 'form')).toBe(false);
    expect(c.text(r)).toContain('ℹ️ Sandbox: Patchbay Sandbox webhook secrets are set by Patchbay itself when a realtime rule registers the webhook; there is nothing to store.');
    // A crafted submission for it stores nothing either.
    const s = await submit(OWNER, `webhook-secret:${sandboxId}`, { secret: 'sandbox-secret-123456' });
    expect(c.text(s)).toContain('there is nothing to store');
    expect(await sql(e2e.app.dbUrl, `select 1 from provider_webhooks where connection_id = $1`, [sandboxId])).toEqual([]);
  });

  it('clear asks first, then removes the secret: deliveries are refused again', async () => {
    const ask = await run(OWNER, 'webhook-secret jira clear');
    expect(ask.visibility).toBe('ephemeral');
    expect(c.text(ask)).toContain(`Remove the Jira Cloud webhook secret of Jira Cloud? Jira Cloud deliveries to \`${PUBLIC_URL}/webhooks/jira/${jiraId}\` are refused (401) until a new secret is stored.`);
    expect(buttons(ask)).toEqual([
      {
        label: 'Remove secret',
        line: `webhook-secret ${jiraId} clear --confirmed`,
        style: 'danger',
        confirm: expect.objectContaining({ title: 'Remove the webhook secret?', confirmLabel: 'Remove' }),
      },
    ]);
    expect(await adminRows()).toHaveLength(1);
    expect((await run(MEMBER, `webhook-secret ${jiraId} clear --confirmed`)).error).toEqual({ code: 'forbidden' });
    expect(await adminRows()).toHaveLength(1);

    const done = await run(OWNER, `webhook-secret ${jiraId} clear --confirmed`);
    expect(done.visibility).toBe('in_channel');
    expect(c.text(done)).toMatch(/@U_OWNER removed the Jira Cloud webhook secret of Jira Cloud: its deliveries are refused until a new one is stored\./);
    expect(await adminRows()).toEqual([]);
    await eventually(async () => (await deliver(SECRET)) === 401, 10_000, 500);
    expect(c.text(await run(OWNER, 'webhook-secret jira clear'))).toMatch(/has no stored Jira Cloud webhook secret: nothing to remove/);
  });

  it('connect names what realtime sync needs at the provider', async () => {
    // A credentials form (Linear, no OAuth app here): in its intro, which a modal shows.
    const form = (await run(OWNER, 'connect linear')).blocks.find((b) => b.type === 'form');
    expect(form?.type === 'form' && form.intro).toMatch(/\nRealtime sync: A realtime issues rule creates a Linear webhook .* connect with OAuth including the `admin` scope/);
    // A sign-in link (Jira's OAuth app is configured): a line under it.
    const link = connectJiraReply;
    expect(link.error).toBeUndefined();
    expect(buttons(link)[0]).toMatchObject({ label: 'Connect Jira Cloud', url: expect.stringMatching(/^https:\/\/auth\.atlassian\.com\//) });
    expect(link.blocks.at(-1)).toMatchObject({ type: 'context', text: expect.stringMatching(/^Realtime sync: Jira signs only the webhooks a Jira admin creates/) });
    expect(c.text(link)).toContain('in chat with `webhook-secret <connection>`');
  });

  it('never shows the secret in a reply, a log line, a connection log, an event or an audit row', async () => {
    for (const r of replies) expect(JSON.stringify(r)).not.toContain(SECRET);
    expect(JSON.stringify(replies)).not.toContain(SHORT);
    await e2e.expectNoSecrets([SECRET, SHORT, 'member-typed-secret-123']);
  });
});
