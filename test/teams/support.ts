/**
 * Drives Patchbay's Teams bot as the Bot Framework does: activities POSTed to /api/messages (the
 * anonymous emulator mode; the credentialed mode needs Microsoft's identity endpoints), whose
 * `serviceUrl` points at a local fake Bot Connector that records every reply.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { startFakeConnector, type FakeConnector } from '../fakes/bot-connector.ts';
import { json, startTestApp, type TestApp } from '../helpers/app.ts';

export const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
export const BOT = { id: '28:patchbay-bot', name: 'Patchbay' };
export const CHANNEL = '19:ops-channel@thread.tacv2';

export type TeamsUser = { id: string; name: string; aadObjectId: string };
export const OWNER: TeamsUser = { id: '29:owner-olivia', name: 'Olivia', aadObjectId: '00000000-0000-0000-0000-00000000000a' };
export const ADMIN: TeamsUser = { id: '29:admin-adam', name: 'Adam', aadObjectId: '00000000-0000-0000-0000-00000000000b' };
export const MEMBER: TeamsUser = { id: '29:member-mia', name: 'Mia', aadObjectId: '00000000-0000-0000-0000-00000000000c' };

export type Sent = { status: number; body: any };

export type TeamsTest = {
  app: TestApp;
  connector: FakeConnector;
  /** POSTs an activity (filled with the service URL, tenant, bot and conversation defaults). */
  activity(partial: Record<string, unknown>, opts?: { headers?: Record<string, string> }): Promise<Sent>;
  /** `@Patchbay <line>` from `user` in `conversation`. */
  say(user: TeamsUser, line: string, opts?: { conversation?: string; replyToId?: string; mentions?: TeamsUser[] }): Promise<Sent & { id: string }>;
  /** A Universal Action (Action.Execute) press on a card the bot sent (`replyToId`: its activity id). */
  execute(user: TeamsUser, verb: string, data: Record<string, unknown>, opts?: { conversation?: string; replyToId?: string }): Promise<Sent>;
  /** What the fake connector received for a conversation since `from` (an index into calls). */
  repliesSince(from: number, conversation?: string): any[];
  idle(): Promise<void>;
  close(): Promise<void>;
};

let seq = 0;

export async function startTeamsTest(opts: { env?: Record<string, string>; workers?: boolean } = {}): Promise<TeamsTest> {
  const connector = await startFakeConnector();
  const app = await startTestApp({
    workers: opts.workers ?? false,
    env: { PUBLIC_URL: 'https://patchbay.example.test', TEAMS_ENABLED: 'true', TEAMS_SERVICE_URLS: connector.url, ...opts.env },
  });
  const activity: TeamsTest['activity'] = async (partial, o = {}) => {
    const body = {
      channelId: 'msteams',
      serviceUrl: connector.url,
      timestamp: new Date().toISOString(),
      recipient: BOT,
      conversation: { id: CHANNEL, conversationType: 'channel', tenantId: TENANT, isGroup: true },
      channelData: { tenant: { id: TENANT }, team: { id: '19:team@thread.tacv2', name: 'Acme' } },
      ...partial,
    };
    const res = await fetch(`${app.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', ...o.headers }, body: JSON.stringify(body) });
    const text = await res.text();
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = text;
    }
    return { status: res.status, body: parsed };
  };
  const conv = (c?: string) => ({ id: c ?? CHANNEL, conversationType: (c ?? CHANNEL).startsWith('19:') ? 'channel' : 'personal', tenantId: TENANT });
  const bot = () => (app.pb.rt.bots.find((b) => b.platform === 'teams') as unknown as { bot: { idle(): Promise<void> } }).bot;
  return {
    app,
    connector,
    activity,
    async say(user, line, o = {}) {
      const id = `msg-${++seq}-${randomUUID().slice(0, 8)}`;
      // Other people are mentioned as Teams sends them: `<at>Name</at>` in the text, with an entity.
      let text = `<at>Patchbay</at> ${line}`;
      for (const m of o.mentions ?? []) text = text.replace(`@${m.name}`, `<at>${m.name}</at>`);
      const sent = await activity({
        type: 'message',
        id,
        from: user,
        text,
        textFormat: 'plain',
        entities: [{ type: 'mention', text: '<at>Patchbay</at>', mentioned: BOT }, ...(o.mentions ?? []).map((m) => ({ type: 'mention', text: `<at>${m.name}</at>`, mentioned: { id: m.id, name: m.name } }))],
        conversation: conv(o.conversation),
        ...(o.replyToId ? { replyToId: o.replyToId } : {}),
      });
      return { ...sent, id };
    },
    execute: (user, verb, data, o = {}) =>
      activity({
        type: 'invoke',
        name: 'adaptiveCard/action',
        id: `inv-${++seq}`,
        from: user,
        conversation: conv(o.conversation),
        ...(o.replyToId ? { replyToId: o.replyToId } : {}),
        value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' },
      }),
    repliesSince: (from, conversation) => connector.calls.slice(from).filter((c) => !conversation || c.conversation.split(';')[0] === conversation),
    idle: () => bot().idle(),
    async close() {
      await app.close();
      await connector.close();
    },
  };
}

/** The Adaptive Card of a connector call's activity (or an invoke response body). */
export function cardOf(activityOrInvoke: any): any {
  if (activityOrInvoke?.type === 'application/vnd.microsoft.card.adaptive') return activityOrInvoke.value;
  return activityOrInvoke?.attachments?.find((a: any) => a.contentType === 'application/vnd.microsoft.card.adaptive')?.content;
}

/** Every text a card shows, a line per block (a RichTextBlock's runs joined as one line), with action titles. */
export function cardText(card: any): string {
  const out: string[] = [];
  const walk = (node: any): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    if (node.type === 'RichTextBlock') {
      out.push((node.inlines ?? []).map((i: any) => (typeof i === 'string' ? i : (i.text ?? ''))).join(''));
      return;
    }
    if (node.type === 'TextBlock' && typeof node.text === 'string') out.push(node.text);
    if (typeof node.type === 'string' && node.type.startsWith('Action.') && typeof node.title === 'string') out.push(node.title);
    for (const [k, v] of Object.entries(node)) if (k !== 'data') walk(v);
  };
  walk(card);
  return out.join('\n');
}

/** Every Action.Execute / Action.OpenUrl / Action.Submit in a card, with title, verb and data. */
export function actionsOf(card: any): Array<{ type: string; title: string; verb?: string; data?: any; url?: string; style?: string }> {
  const out: any[] = [];
  JSON.stringify(card ?? {}, (_k, v: any) => {
    if (v && typeof v === 'object' && typeof v.type === 'string' && v.type.startsWith('Action.') && v.type !== 'Action.ShowCard') out.push(v);
    return v;
  });
  return out;
}

export function actionTitled(card: any, title: string) {
  const found = actionsOf(card).find((a) => a.title === title);
  if (!found) throw new Error(`no action '${title}' in ${JSON.stringify(actionsOf(card).map((a) => a.title))}`);
  return found;
}

/** Links the tenant to the default workspace: a link code from the admin API, redeemed by `owner`. */
export async function linkTenant(t: TeamsTest, owner: TeamsUser): Promise<void> {
  const res = await t.app.fetch('/api/v1/chat/link-codes', { method: 'POST' });
  expect(res.status).toBe(201);
  const { code } = await json(res);
  const from = t.connector.calls.length;
  const linked = await t.say(owner, `link ${code}`);
  expect(linked.status).toBe(200);
  const [reply] = await t.connector.waitFor((c) => t.connector.calls.indexOf(c) >= from);
  expect(cardText(cardOf(reply!.body))).toMatch(/linked this Teams tenant/);
}
