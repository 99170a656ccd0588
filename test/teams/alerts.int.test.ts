/**
 * Alerts reach Teams as proactive messages on the stored conversation reference: the real worker
 * runs the alert jobs, the fake Bot Connector records them. Outside text is inert in the card; a
 * 403 (the bot is no longer in the conversation) unsubscribes the channel.
 */
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../src/connections/actor.ts';
import { markErrored } from '../../src/connections/system-transitions.ts';
import { json } from '../helpers/app.ts';
import { eventually, sql } from '../helpers/sql.ts';
import { OWNER, cardOf, cardText, linkTenant, startTeamsTest, type TeamsTest } from './support.ts';

const VIEWER = { data: { viewer: { id: 'lin-1', name: 'Ada Lovelace', email: 'ada@example.com' } } };
const C_ALERTS = '19:alerts@thread.tacv2';
const C_GONE = '19:gone@thread.tacv2';
const HOSTILE = 'Linear said: [re-authorize here](https://evil.example) <at>Everyone</at> **now**';

let t: TeamsTest;
let linearId = '';
let workspaceId = '';

beforeAll(async () => {
  t = await startTeamsTest({ workers: true });
  await linkTenant(t, OWNER);
  nock('https://api.linear.app').post('/graphql').reply(200, VIEWER);
  const res = await t.app.fetch('/api/v1/connections', { method: 'POST', json: { provider: 'linear', displayName: 'Linear', credentials: { apiKey: 'lin_api_TeamsAlerts00000000000000' } } });
  expect(res.status).toBe(201);
  const body = await json(res);
  linearId = body.connection.id;
  workspaceId = (await sql<{ workspace_id: string }>(t.app.dbUrl, 'select workspace_id from connections where id = $1', [linearId]))[0]!.workspace_id;
  for (const conversation of [C_ALERTS, C_GONE]) {
    const sent = await t.say(OWNER, 'alerts here', { conversation });
    expect(sent.status).toBe(200);
  }
  await eventually(async () => (await sql(t.app.dbUrl, `select 1 from alert_subscriptions where platform = 'teams' and active`)).length === 2);
});
afterAll(async () => {
  await t?.close();
});

describe('alerts in Teams', () => {
  it('delivers an alert to the stored conversation as a proactive card, outside text inert', async () => {
    const before = t.connector.callsTo(C_ALERTS).length;
    await markErrored(t.app.pb.rt, systemActor(workspaceId, 'test'), linearId, HOSTILE);
    const calls = await t.connector.waitFor((c) => c.conversation.split(';')[0] === C_ALERTS, before + 1);
    const card = cardOf(calls.at(-1)!.body);
    const text = cardText(card);
    expect(text).toMatch(/errored/);
    // The provider's words sit only in TextRuns (which Teams never reads as Markdown), with no
    // link action; the card carries no mention entities, so `<at>` cannot ping anyone.
    const holders: any[] = [];
    JSON.stringify(card, (_k, v: any) => {
      if (v && typeof v === 'object' && typeof v.text === 'string' && /evil|<at>|now\*\*/.test(v.text)) holders.push(v);
      return v;
    });
    expect(holders.length).toBeGreaterThan(0);
    for (const h of holders) {
      expect(h.type).toBe('TextRun');
      expect(h.selectAction).toBeUndefined();
    }
    expect(text).toContain('**now**');
    expect(card.msteams?.entities).toBeUndefined();
    expect(JSON.stringify(card)).not.toMatch(/"url":"https:\/\/evil/);
  });

  it('unsubscribes a conversation whose connector answers 403 (the bot was removed), and forgets its reference', async () => {
    t.connector.failConversation(C_GONE, { status: 403 });
    nock('https://api.linear.app').post('/graphql').reply(200, VIEWER);
    await t.app.json(`/api/v1/connections/${linearId}/test`, { method: 'POST' });
    const sub = await eventually(async () => {
      const [r] = await sql<{ active: boolean; deactivated_reason: string | null }>(t.app.dbUrl, 'select active, deactivated_reason from alert_subscriptions where channel_id = $1', [C_GONE]);
      return r && !r.active ? r : undefined;
    });
    expect(sub.deactivated_reason).toMatch(/no longer in the conversation \(HTTP 403\)/);
    expect(await sql(t.app.dbUrl, 'select active from chat_conversations where channel_id = $1', [C_GONE])).toEqual([{ active: false }]);
    // The other channel got the recovery alert.
    await eventually(async () => t.connector.callsTo(C_ALERTS).some((c) => /recovered/.test(cardText(cardOf(c.body)))));
  });
});
