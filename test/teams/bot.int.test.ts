/**
 * The Teams bot end to end in the emulator mode: activities POSTed to /api/messages with a
 * serviceUrl that points at a local fake Bot Connector, real Postgres and the real chat core;
 * nock stands in for the providers.
 */
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../helpers/sql.ts';
import { ADMIN, CHANNEL, MEMBER, OWNER, TENANT, actionTitled, actionsOf, cardOf, cardText, linkTenant, startTeamsTest, type TeamsTest } from './support.ts';

const KEY = 'lin_api_TeamsTestKey0000000000000';
const VIEWER = { data: { viewer: { id: 'lin-1', name: 'Ada Lovelace', email: 'ada@example.com' } } };

let t: TeamsTest;
let linearId = '';

const row = async (id: string) => (await sql<{ status: string; updated_at: Date }>(t.app.dbUrl, 'select status, updated_at from connections where id = $1', [id]))[0]!;
/** Says a line and returns the card the bot sent back (waiting for it), with the reply's activity id. */
async function ask(user: typeof ADMIN, line: string, opts: { mentions?: Array<typeof ADMIN> } = {}) {
  const from = t.connector.calls.length;
  const res = await t.say(user, line, opts);
  expect(res.status).toBe(200);
  const [reply] = await t.connector.waitFor((c) => t.connector.calls.indexOf(c) >= from);
  return { card: cardOf(reply!.body), call: reply!, id: `activity-${t.connector.calls.indexOf(reply!) + 1}` };
}

beforeAll(async () => {
  t = await startTeamsTest();
});
afterAll(async () => {
  await t?.close();
});

describe('the Teams bot in Patchbay', () => {
  it('is reported by /readyz when configured', async () => {
    const res = await t.app.fetch('/readyz', { token: null });
    expect(((await res.json()) as { bots: string[] }).bots).toEqual(['teams']);
  });

  it('stores the conversation reference and says how to link when added to a team', async () => {
    const res = await t.activity({ type: 'conversationUpdate', membersAdded: [{ id: '28:patchbay-bot' }], from: OWNER });
    expect(res.status).toBe(200);
    const [welcome] = await t.connector.waitFor((c) => c.conversation === CHANNEL);
    expect(cardText(cardOf(welcome!.body))).toMatch(/@Patchbay link <code>/);
    const refs = await sql<{ reference: any }>(t.app.dbUrl, `select reference from chat_conversations where platform = 'teams' and team_external_id = $1 and channel_id = $2`, [TENANT, CHANNEL]);
    expect(refs[0]!.reference).toMatchObject({ serviceUrl: t.connector.url, conversation: { id: CHANNEL } });
  });

  it('answers an unlinked tenant with the link instructions only', async () => {
    const { card } = await ask(ADMIN, 'list');
    expect(cardText(card)).toMatch(/not linked to a Patchbay workspace/);
    expect(await sql(t.app.dbUrl, 'select 1 from chat_identities')).toHaveLength(0);
  });

  it('links the tenant with an Owner’s code, and the Owner makes Adam an Admin by mentioning him', async () => {
    await linkTenant(t, OWNER);
    const { card } = await ask(OWNER, 'role @Adam admin', { mentions: [ADMIN] });
    expect(cardText(card)).toMatch(/Admin/);
    const roles = await sql<{ role: string }>(t.app.dbUrl, `select m.role from members m join chat_identities i on i.member_id = m.id where i.external_user_id = $1`, [ADMIN.id]);
    expect(roles).toEqual([{ role: 'admin' }]);
  });
});

describe('redelivered activities', () => {
  it('handles an activity id once: a redelivered or replayed message does not run the command again', async () => {
    const res = await t.say(ADMIN, 'whoami');
    const from = t.connector.calls.length;
    const again = await t.activity({ type: 'message', id: res.id, from: ADMIN, text: '<at>Patchbay</at> whoami', entities: [{ type: 'mention', text: '<at>Patchbay</at>', mentioned: { id: '28:patchbay-bot', name: 'Patchbay' } }] });
    expect(again.status).toBe(200);
    await new Promise((r) => setTimeout(r, 300));
    expect(t.connector.calls.length).toBe(from);
    expect(t.app.logs.some((l) => l.includes('teams activity seen before'))).toBe(true);
  });
});

describe('personal and group chats', () => {
  it('answers in a personal chat and in a group chat of the same tenant, storing each conversation', async () => {
    for (const conversation of ['a:1personal-chat-with-adam', '19:group-chat-abc@thread.v2']) {
      const from = t.connector.calls.length;
      const res = await t.say(ADMIN, 'whoami', { conversation });
      expect(res.status).toBe(200);
      const [reply] = await t.connector.waitFor((c) => t.connector.calls.indexOf(c) >= from && c.conversation === conversation);
      expect(cardText(cardOf(reply!.body))).toMatch(/Admin/);
    }
    const stored = await sql<{ channel_id: string }>(t.app.dbUrl, `select channel_id from chat_conversations where platform = 'teams' order by channel_id`);
    expect(stored.map((r) => r.channel_id)).toEqual(expect.arrayContaining(['a:1personal-chat-with-adam', '19:group-chat-abc@thread.v2']));
  });
});

describe('connecting through a card form (API key)', () => {
  it('shows a form with a password-style input, and replaces the card after submit so no secret stays', async () => {
    const { card, id } = await ask(ADMIN, 'connect linear');
    const input = JSON.stringify(card);
    expect(input).toMatch(/"style":"password"/);
    const submit = actionsOf(card).find((a) => a.verb)!;
    nock('https://api.linear.app').post('/graphql').reply(200, VIEWER);
    const from = t.connector.calls.length;
    const res = await t.execute(ADMIN, submit.verb!, { ...submit.data, apiKey: KEY }, { replyToId: id });
    expect(res.status).toBe(200);
    expect(res.body.statusCode).toBe(200);
    const replaced = cardOf(res.body);
    expect(JSON.stringify(replaced)).not.toContain(KEY);
    expect(JSON.stringify(replaced)).not.toMatch(/Input\.Text/);
    await t.idle();
    const all = t.repliesSince(from).map((c) => cardText(cardOf(c.body))).join('\n') + cardText(replaced);
    expect(all).toMatch(/@Adam connected Linear as Ada Lovelace/);
    expect(JSON.stringify(t.connector.calls)).not.toContain(KEY);
    expect(t.app.logs.join('\n')).not.toContain(KEY);
    linearId = (await sql<{ id: string }>(t.app.dbUrl, `select id from connections where provider_slug = 'linear'`))[0]!.id;
  });
});

describe('card actions: pause, and disconnect with a confirmation card', () => {
  let card: any;
  let cardId = '';

  it('pauses from the card’s Pause button, as the presser', async () => {
    ({ card, id: cardId } = await ask(ADMIN, 'status Linear'));
    const pause = actionTitled(card, 'Pause');
    const res = await t.execute(ADMIN, pause.verb!, pause.data, { replyToId: cardId });
    expect(cardText(cardOf(res.body))).toMatch(/paused/);
    expect((await row(linearId)).status).toBe('paused');
    await ask(ADMIN, 'resume Linear');
    expect((await row(linearId)).status).toBe('connected');
  });

  it('denies a member’s press, and the connection row is unchanged', async () => {
    const before = await row(linearId);
    const pause = actionTitled(card, 'Pause');
    const res = await t.execute(MEMBER, pause.verb!, pause.data, { replyToId: cardId });
    expect(cardText(cardOf(res.body))).toMatch(/🚫/);
    const disconnect = actionTitled(card, 'Disconnect');
    const res2 = await t.execute(MEMBER, disconnect.verb!, disconnect.data, { replyToId: cardId });
    expect(cardText(cardOf(res2.body))).toMatch(/🚫/);
    expect(await row(linearId)).toEqual(before);
  });

  it('asks with a confirmation card first; Cancel changes nothing; Confirm disconnects', async () => {
    const step1 = await t.execute(ADMIN, actionTitled(card, 'Disconnect').verb!, actionTitled(card, 'Disconnect').data, { replyToId: cardId });
    const confirmCard1 = cardOf(step1.body);
    const ask2 = actionTitled(confirmCard1, 'Disconnect');
    const prompt = cardOf((await t.execute(ADMIN, ask2.verb!, ask2.data, { replyToId: cardId })).body);
    const confirm = actionsOf(prompt).find((a) => a.style === 'destructive')!;
    const cancel = actionTitled(prompt, 'Cancel');
    // Someone else pressing the Confirm of a card made for the admin: refused.
    const stolen = await t.execute(MEMBER, confirm.verb!, confirm.data, { replyToId: cardId });
    expect(cardText(cardOf(stolen.body))).toMatch(/can no longer be used|🚫/);
    const cancelled = await t.execute(ADMIN, cancel.verb!, cancel.data, { replyToId: cardId });
    expect(cardText(cardOf(cancelled.body))).toMatch(/Cancelled/);
    expect((await row(linearId)).status).toBe('connected');
    nock('https://api.linear.app').post('/oauth/revoke').optionally().reply(200, {});
    const done = await t.execute(ADMIN, confirm.verb!, confirm.data, { replyToId: cardId });
    expect(done.status).toBe(200);
    await t.idle();
    expect((await row(linearId)).status).toBe('disconnected');
    nock.cleanAll();
  });
});

describe('installation removed', () => {
  it('deactivates the tenant’s links, subscriptions and conversation references', async () => {
    await ask(ADMIN, 'alerts here');
    expect(await sql(t.app.dbUrl, `select 1 from alert_subscriptions where platform = 'teams' and active`)).toHaveLength(1);
    const res = await t.activity({ type: 'installationUpdate', action: 'remove', from: OWNER });
    expect(res.status).toBe(200);
    expect(await sql(t.app.dbUrl, `select active, workspace_id from chat_teams where platform = 'teams'`)).toEqual([{ active: false, workspace_id: null }]);
    expect(await sql(t.app.dbUrl, `select 1 from alert_subscriptions where platform = 'teams' and active`)).toHaveLength(0);
    expect(await sql(t.app.dbUrl, `select 1 from chat_conversations where platform = 'teams' and active`)).toHaveLength(0);
  });
});
