/**
 * The Slack app end to end: signed slash commands, clicks and modal submissions over HTTP to the
 * real server (real Postgres), the fake Slack Web API recording what the app does, nock standing
 * in for the providers.
 */
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../helpers/sql.ts';
import { OWNER, ADMIN, MEMBER, buttonNamed, buttonsOf, linkTeam, startSlackTest, textOf, type SlackTest } from './support.ts';

/** A Slack workspace admin: acts as Patchbay Admin (the workspace trusts platform roles by default). */

const KEY = 'lin_api_SlackTestKey00000000000000';
const NEW_KEY = 'lin_api_SlackTestKeyRotated0000000';
const VIEWER = { data: { viewer: { id: 'lin-1', name: 'Ada Lovelace', email: 'ada@example.com' } } };

let t: SlackTest;
let linearId: string;

const connectionRow = async (id: string) =>
  (await sql<{ status: string; credentials: string | null; updated_at: Date; display_name: string }>(t.app.dbUrl, 'select status, credentials, updated_at, display_name from connections where id = $1', [id]))[0]!;

beforeAll(async () => {
  t = await startSlackTest({ env: { PROVIDER_HUBSPOT_CLIENT_ID: 'hub-client-id', PROVIDER_HUBSPOT_CLIENT_SECRET: 'hub-client-secret-value' } });
});
afterAll(async () => {
  await t?.close();
});

describe('the Slack app in Patchbay', () => {
  it('is reported by /readyz when configured', async () => {
    const res = await t.app.fetch('/readyz', { token: null });
    expect(((await res.json()) as { bots: string[] }).bots).toEqual(['slack']);
  });
});

describe('requests are verified as Slack signs them', () => {
  it('refuses a bad signature and a timestamp older than five minutes with 401, and does nothing', async () => {
    const body = new URLSearchParams({ command: '/integrations', text: 'help', team_id: 'T0001', user_id: 'U1', channel_id: 'C1' }).toString();
    const forged = await t.send(body, { signature: 'v0=' + 'ab'.repeat(32) });
    expect(forged.status).toBe(401);
    const stale = await t.send(body, { timestamp: Math.floor(Date.now() / 1000) - 5 * 60 - 5 });
    expect(stale.status).toBe(401);
    expect(t.fake.calls.filter((c) => c.method !== 'auth.test')).toEqual([]);
  });

  it('answers a correctly signed request', async () => {
    const res = await t.slash(OWNER, 'help');
    expect(res.status).toBe(200);
    expect(res.body.response_type).toBe('ephemeral');
  });
});

describe('tenancy', () => {
  it('gives an unlinked team only the link instructions', async () => {
    for (const line of ['list', 'connect linear', 'whoami']) {
      const res = await t.slash(ADMIN, line);
      expect(res.status, line).toBe(200);
      expect(res.body.response_type, line).toBe('ephemeral');
      expect(textOf(res.body), line).toMatch(/not linked to a Patchbay workspace/);
      expect(textOf(res.body), line).toContain('POST /api/v1/chat/link-codes');
    }
    expect(t.fake.callsTo('views.open')).toHaveLength(0);
    expect(await sql(t.app.dbUrl, 'select 1 from chat_identities')).toHaveLength(0);
  });

  it('links the team with an Owner’s single-use code', async () => {
    await linkTeam(t, OWNER);
    const rows = await sql<{ workspace_id: string | null; active: boolean }>(t.app.dbUrl, `select workspace_id, active from chat_teams where platform = 'slack' and external_id = 'T0001'`);
    expect(rows[0]).toMatchObject({ active: true });
    expect(rows[0]!.workspace_id).toBeTruthy();
  });
});

describe('helpful errors, privately', () => {
  it('answers an unknown command with a suggestion, ephemerally', async () => {
    const res = await t.slash(ADMIN, 'lst');
    expect(res.body.response_type).toBe('ephemeral');
    expect(textOf(res.body)).toMatch(/Unknown command 'lst'.*Did you mean `\/integrations list`/s);
  });

  it('answers an unknown connection with what exists, ephemerally', async () => {
    const res = await t.slash(ADMIN, 'test hubspt');
    expect(res.body.response_type).toBe('ephemeral');
    expect(textOf(res.body)).toMatch(/No connection 'hubspt'/);
  });
});

describe('an admin connects with a modal (API key)', () => {
  let modal: any;

  it('opens a modal through views.open with the trigger id, and acknowledges with nothing', async () => {
    const before = t.fake.callsTo('views.open').length;
    const res = await t.slash(ADMIN, 'connect linear');
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    const opened = await t.fake.waitFor('views.open', before + 1);
    const call = opened.at(-1)!;
    expect(call.body.trigger_id).toBe(res.triggerId);
    expect(call.token).toBe('xoxb-test-bot-token');
    modal = call.body.view;
    expect(modal).toMatchObject({ type: 'modal', callback_id: 'patchbay_form', title: { text: 'Connect Linear' }, submit: { text: 'Connect' } });
    const inputs = modal.blocks.filter((b: any) => b.type === 'input');
    expect(inputs.map((b: any) => b.block_id)).toEqual(['apiKey', 'displayName']);
    expect(inputs[0].element).toMatchObject({ type: 'plain_text_input', action_id: 'apiKey' });
    expect(JSON.parse(modal.private_metadata)).toMatchObject({ formId: 'connect:linear', channelId: 'C0001', responseUrl: res.responseUrl });
  });

  it('shows a malformed key as a field error on the still-open modal, calling nobody', async () => {
    const res = await t.submit(ADMIN, modal, { apiKey: 'not-a-linear-key' });
    expect(res.status).toBe(200);
    expect(res.body.response_action).toBe('errors');
    expect(Object.keys(res.body.errors)).toEqual(['apiKey']);
    expect(await sql(t.app.dbUrl, 'select 1 from connections')).toHaveLength(0);
  });

  it('closes the modal, posts “checking” in the channel and edits it into the result', async () => {
    const posts = t.fake.callsTo('chat.postMessage').length;
    const updates = t.fake.callsTo('chat.update').length;
    nock('https://api.linear.app').post('/graphql').reply(200, VIEWER);
    const res = await t.submit(ADMIN, modal, { apiKey: KEY, displayName: '' });
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    const placeholder = (await t.fake.waitFor('chat.postMessage', posts + 1)).at(-1)!;
    expect(placeholder.body.channel).toBe('C0001');
    expect(textOf(placeholder.body)).toMatch(/Checking the credentials with Linear/);
    expect(textOf(placeholder.body)).toContain('<@U_ADMIN>');
    const update = (await t.fake.waitFor('chat.update', updates + 1)).at(-1)!;
    expect(update.body).toMatchObject({ channel: 'C0001', ts: t.posted.at(-1)!.ts });
    expect(textOf(update.body)).toMatch(/<@U_ADMIN> connected \*Linear\* as Ada Lovelace/);
    const rows = await sql<{ id: string; status: string }>(t.app.dbUrl, `select id, status from connections where provider_slug = 'linear'`);
    expect(rows).toHaveLength(1);
    linearId = rows[0]!.id;
    expect(rows[0]!.status).toBe('connected');
  });

  it('never sends the key back to Slack or writes it to a log', async () => {
    const sentToSlack = JSON.stringify(t.fake.calls);
    expect(sentToSlack).not.toContain(KEY);
    expect(t.app.logs.join('\n')).not.toContain(KEY);
  });
});

describe('a modal that cannot open', () => {
  it('tells the user privately when the trigger id expired', async () => {
    t.fake.answer('views.open', { ok: false, error: 'expired_trigger_id' });
    try {
      const res = await t.slash(ADMIN, 'connect linear --new');
      expect(res.text).toBe('');
      const [reply] = await t.waitForResponses(res.responseUrl);
      expect(reply!.body.response_type).toBe('ephemeral');
      expect(textOf(reply!.body)).toMatch(/form could not open \(Slack allows 3 seconds/);
    } finally {
      t.fake.answer('views.open', { ok: true, view: { id: 'V0001' } });
    }
  });
});

describe('an admin connects an OAuth provider with a link button', () => {
  it('answers with a button to the provider’s authorize URL; clicking it is only acknowledged', async () => {
    const res = await t.slash(ADMIN, 'connect hubspot');
    expect(res.body.response_type).toBe('ephemeral');
    const link = buttonNamed(res.body, 'Connect HubSpot');
    const url = new URL(link.url!);
    expect(url.origin + url.pathname).toBe('https://app.hubspot.com/oauth/authorize');
    expect(url.searchParams.get('client_id')).toBe('hub-client-id');
    expect(url.searchParams.get('state')).toBeTruthy();
    expect(link.action_id).toMatch(/^pb-url:/);
    const calls = t.fake.calls.length;
    const clicked = await t.click(ADMIN, link);
    expect(clicked.status).toBe(200);
    expect(clicked.text).toBe('');
    await new Promise((r) => setTimeout(r, 200));
    expect(t.fake.calls.slice(calls).filter((c) => c.method !== 'users.info')).toEqual([]);
  });
});

describe('the acknowledgement never waits for a provider', () => {
  it('answers Slack before Linear answers, then edits the reply with the result', async () => {
    // Linear answers only after 10 s.
    const scope = nock('https://api.linear.app').post('/graphql').delay(10_000).reply(200, VIEWER);
    const posts = t.fake.callsTo('chat.postMessage').length;
    const updates = t.fake.callsTo('chat.update').length;
    const sentAt = Date.now();
    const res = await t.slash(ADMIN, 'test linear');
    const ackedAt = Date.now();
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    expect(ackedAt - sentAt).toBeLessThan(1_000);
    const placeholder = (await t.fake.waitFor('chat.postMessage', posts + 1)).at(-1)!;
    expect(Date.now() - sentAt).toBeLessThan(5_000);
    expect(textOf(placeholder.body)).toMatch(/Testing \*Linear\*/);
    expect(t.fake.callsTo('chat.update')).toHaveLength(updates);
    const update = (await t.fake.waitFor('chat.update', updates + 1, 20_000)).at(-1)!;
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(9_900);
    expect(update.body).toMatchObject({ channel: 'C0001', ts: t.posted.at(-1)!.ts });
    expect(textOf(update.body)).toMatch(/<@U_ADMIN> tested \*Linear\*: passed/);
    expect(scope.isDone()).toBe(true);
  }, 30_000);
});

describe('where the bot cannot post', () => {
  it('falls back to the response URL (a private channel the bot is not in): acknowledgement, then result', async () => {
    t.failChannel('C_PRIVATE', 'not_in_channel');
    nock('https://api.linear.app').post('/graphql').reply(200, VIEWER);
    const res = await t.slash(ADMIN, 'test linear', { channel: 'C_PRIVATE' });
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    const [ack, result] = await t.waitForResponses(res.responseUrl, 2);
    expect(ack!.body).toMatchObject({ response_type: 'ephemeral' });
    expect(textOf(ack!.body)).toMatch(/Testing \*Linear\*/);
    expect(result!.body).toMatchObject({ response_type: 'in_channel', replace_original: false });
    expect(textOf(result!.body)).toMatch(/<@U_ADMIN> tested \*Linear\*: passed/);
    expect(t.fake.callsTo('chat.update').filter((c) => c.body.channel === 'C_PRIVATE')).toEqual([]);
  });
});

describe('pause, resume, reconnect', () => {
  let pausedReply: any;

  it('posts an admin’s pause in the channel, naming the admin', async () => {
    const res = await t.slash(ADMIN, 'pause linear maintenance window');
    expect(res.body.response_type).toBe('in_channel');
    pausedReply = res.body;
    expect(textOf(res.body)).toMatch(/<@U_ADMIN> paused \*Linear\*/);
    expect((await connectionRow(linearId)).status).toBe('paused');
  });

  it('resumes from the Resume button on that message, as the clicking admin', async () => {
    const posts = t.fake.callsTo('chat.postMessage').length;
    const resume = buttonNamed(pausedReply, 'Resume');
    expect(resume.value).toBe(`resume ${linearId}`);
    const res = await t.click(ADMIN, resume);
    expect(res.status).toBe(200);
    const post = (await t.fake.waitFor('chat.postMessage', posts + 1)).at(-1)!;
    expect(post.body.channel).toBe('C0001');
    expect(textOf(post.body)).toMatch(/<@U_ADMIN> resumed \*Linear\*/);
    expect((await connectionRow(linearId)).status).toBe('connected');
  });

  it('reconnects an API-key connection through the modal, tested before it is saved', async () => {
    const opened = t.fake.callsTo('views.open').length;
    const res = await t.slash(ADMIN, 'reconnect linear');
    expect(res.text).toBe('');
    const view = (await t.fake.waitFor('views.open', opened + 1)).at(-1)!.body.view as any;
    expect(view.title.text).toBe('Reconnect Linear');
    expect(JSON.parse(view.private_metadata).formId).toBe(`reconnect:${linearId}`);
    const before = await connectionRow(linearId);
    const updates = t.fake.callsTo('chat.update').length;
    nock('https://api.linear.app').post('/graphql').matchHeader('authorization', NEW_KEY).reply(200, VIEWER);
    const submitted = await t.submit(ADMIN, view, { apiKey: NEW_KEY });
    expect(submitted.text).toBe('');
    const update = (await t.fake.waitFor('chat.update', updates + 1)).at(-1)!;
    expect(textOf(update.body)).toMatch(/<@U_ADMIN> reconnected \*Linear\*/);
    const after = await connectionRow(linearId);
    expect(after.credentials).not.toBe(before.credentials);
    expect(JSON.stringify(t.fake.calls)).not.toContain(NEW_KEY);
  });
});

describe('disconnect: confirmed, and re-checked for whoever clicks', () => {
  let listed: any;
  let card: any;

  it('lists connections with their buttons, privately', async () => {
    const res = await t.slash(ADMIN, 'list');
    expect(res.body.response_type).toBe('ephemeral');
    listed = res.body;
    expect(buttonsOf(listed).map((b) => b.text.text)).toEqual(['Test', 'Pause', 'Log', 'Disconnect']);
    expect(buttonNamed(listed, 'Disconnect').style).toBe('danger');
  });

  it('denies a member’s click on Disconnect privately and changes nothing', async () => {
    const before = await connectionRow(linearId);
    const res = await t.click(MEMBER, buttonNamed(listed, 'Disconnect'));
    expect(res.status).toBe(200);
    const [reply] = await t.waitForResponses(res.responseUrl);
    expect(reply!.body.response_type).toBe('ephemeral');
    expect(reply!.body.replace_original).toBe(false);
    expect(textOf(reply!.body)).toMatch(/🚫/);
    expect(await connectionRow(linearId)).toEqual(before);
  });

  it('asks an admin to confirm in a Slack dialog before disconnecting', async () => {
    const res = await t.click(ADMIN, buttonNamed(listed, 'Disconnect'), { ephemeral: true });
    const [reply] = await t.waitForResponses(res.responseUrl);
    card = reply!.body;
    expect(card.response_type).toBe('ephemeral');
    const confirm = buttonNamed(card, 'Disconnect');
    expect(confirm.value).toBe(`disconnect ${linearId} --confirmed`);
    expect(confirm.style).toBe('danger');
    expect(confirm.confirm).toMatchObject({
      title: { type: 'plain_text', text: 'Disconnect Linear?' },
      confirm: { text: 'Disconnect' },
      deny: { text: 'Cancel' },
      style: 'danger',
    });
    expect((await connectionRow(linearId)).status).toBe('connected');
  });

  it('denies a member who got hold of the confirmed button too', async () => {
    const before = await connectionRow(linearId);
    const res = await t.click(MEMBER, buttonNamed(card, 'Disconnect'), { ephemeral: true });
    const [reply] = await t.waitForResponses(res.responseUrl);
    expect(textOf(reply!.body)).toMatch(/🚫/);
    expect(await connectionRow(linearId)).toEqual(before);
  });

  it('disconnects when the admin confirms: the card goes, the result is posted in the channel', async () => {
    const updates = t.fake.callsTo('chat.update').length;
    const res = await t.click(ADMIN, buttonNamed(card, 'Disconnect'), { ephemeral: true });
    expect(res.status).toBe(200);
    const update = (await t.fake.waitFor('chat.update', updates + 1)).at(-1)!;
    expect(textOf(update.body)).toMatch(/<@U_ADMIN> disconnected \*Linear\*/);
    const responses = await t.waitForResponses(res.responseUrl);
    expect(responses.map((r) => r.body)).toContainEqual({ delete_original: true });
    const row = await connectionRow(linearId);
    expect(row.status).toBe('disconnected');
    expect(row.credentials).toBeNull();
  });
});

describe('roles come from Slack, cached', () => {
  it('reads each user’s role with users.info, not on every request', async () => {
    const calls = t.fake.callsTo('users.info').filter((c) => c.body.user === 'U_ADMIN').length;
    await t.slash(ADMIN, 'whoami');
    await t.slash(ADMIN, 'whoami');
    expect(t.fake.callsTo('users.info').filter((c) => c.body.user === 'U_ADMIN').length).toBe(calls);
  });
});

describe('roles set from Slack', () => {
  it('lets an Owner make a member an Admin by mentioning them', async () => {
    const res = await t.slash(OWNER, 'role <@U_MEMBER|mia> admin');
    expect(res.body.response_type).toBe('in_channel');
    expect(textOf(res.body)).toContain('<@U_MEMBER>');
    const whoami = await t.slash(MEMBER, 'whoami');
    expect(textOf(whoami.body)).toMatch(/Admin/i);
  });
});

describe('the Events URL', () => {
  it('answers Slack’s URL verification challenge (signed)', async () => {
    const res = await t.send(JSON.stringify({ type: 'url_verification', token: 'x', challenge: 'challenge-123' }), { contentType: 'application/json' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ challenge: 'challenge-123' });
  });

  it('never shows a stack trace: a payload it cannot read gets the generic reply with a reference', async () => {
    // Signed, but without a channel: the Slack layer cannot make an invocation of it.
    const body = new URLSearchParams({ command: '/integrations', text: 'list', team_id: 'T0001', user_id: 'U_ADMIN' }).toString();
    const res = await t.send(body);
    expect(res.status).toBe(200);
    expect(res.body.response_type).toBe('ephemeral');
    expect(textOf(res.body)).toMatch(/Something went wrong on our side/);
    expect(textOf(res.body)).toMatch(/Reference: `[^`]+`/);
    expect(res.text).not.toMatch(/ZodError|at .*\.ts:\d+|stack/i);
  });
});
