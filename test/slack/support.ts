/**
 * Drives Patchbay's Slack app as Slack does: form-encoded slash commands and `payload=` clicks and
 * modal submissions, JSON events, each signed with the signing secret exactly as Slack signs them,
 * against the real server over HTTP, with the fake Slack Web API recording every call the app
 * makes (and every post to a response URL, which point at the fake too).
 */
import { expect } from 'vitest';
import { interactionBody, slackSignature, slashCommandBody, startFakeSlack, type FakeSlack, type SlackCall } from '../fakes/slack-api.ts';
import { json, startTestApp, type TestApp } from '../helpers/app.ts';

export const SIGNING_SECRET = 'test-signing-secret-0123456789';
export const BOT_TOKEN = 'xoxb-test-bot-token';
export const TEAM = 'T0001';

export type SlackUser = { id: string; name: string; email?: string; isAdmin?: boolean; isOwner?: boolean };

/** The workspace's people as Slack shows them: the tests link the team and add them. */
export const OWNER: SlackUser = { id: 'U_OWNER', name: 'olivia', email: 'olivia@acme.test' };
export const ADMIN: SlackUser = { id: 'U_ADMIN', name: 'adam', email: 'adam@acme.test', isAdmin: true };
export const MEMBER: SlackUser = { id: 'U_MEMBER', name: 'mia', email: 'mia@acme.test' };

export type SlackTest = {
  app: TestApp;
  fake: FakeSlack;
  /** The Slack users the fake's users.info knows. */
  users: Map<string, SlackUser>;
  /** The ts the fake gave each chat.postMessage, in order, with its channel. */
  posted: Array<{ channel: string; ts: string; body: Record<string, unknown> }>;
  /** Makes chat.postMessage to `channel` fail with a Slack error code (e.g. not_in_channel); null restores it. */
  failChannel(channel: string, error: string | null): void;
  /** POSTs a signed body to /slack/events; returns status, body text and how long the answer took. */
  send(body: string, opts?: { contentType?: string; timestamp?: number; signature?: string; retryNum?: number }): Promise<Sent>;
  slash(user: SlackUser, text: string, opts?: { channel?: string; team?: string }): Promise<Sent & { responseUrl: string; triggerId: string }>;
  click(user: SlackUser, button: RenderedButton, opts?: { channel?: string; messageTs?: string; ephemeral?: boolean; team?: string }): Promise<Sent & { responseUrl: string }>;
  submit(user: SlackUser, view: { private_metadata: string; blocks: Array<{ block_id?: string; type: string }> }, values: Record<string, string>): Promise<Sent>;
  event(event: Record<string, unknown>, opts?: { eventId?: string; team?: string; retryNum?: number }): Promise<Sent>;
  /** Posts the fake received at a response URL. */
  responses(url: string): SlackCall[];
  /** Waits until a response URL received `n` posts. */
  waitForResponses(url: string, n?: number): Promise<SlackCall[]>;
  close(): Promise<void>;
};

export type Sent = { status: number; text: string; body: any; ms: number };

/** A Block Kit button as the app rendered it. */
export type RenderedButton = { action_id: string; value?: string; url?: string; text: { text: string }; style?: string; confirm?: any };

let seq = 0;

export async function startSlackTest(opts: { env?: Record<string, string>; workers?: boolean } = {}): Promise<SlackTest> {
  const fake = await startFakeSlack();
  const users = new Map<string, SlackUser>();
  fake.answer('users.info', (b) => {
    const u = users.get(String(b.user));
    if (!u) return { ok: false, error: 'user_not_found' };
    return {
      ok: true,
      user: { id: u.id, name: u.name, is_admin: Boolean(u.isAdmin), is_owner: Boolean(u.isOwner), profile: { ...(u.email ? { email: u.email } : {}), real_name: u.name } },
    };
  });
  const posted: SlackTest['posted'] = [];
  const failing = new Map<string, string>();
  let tsSeq = 0;
  fake.answer('chat.postMessage', (b) => {
    const channel = String(b.channel);
    const error = failing.get(channel);
    if (error) return { ok: false, error };
    const ts = `${1_800_000_000 + ++tsSeq}.000100`;
    posted.push({ channel, ts, body: b });
    return { ok: true, channel, ts, message: { text: b.text } };
  });
  const app = await startTestApp({
    workers: opts.workers ?? false,
    env: {
      PUBLIC_URL: 'https://patchbay.example.test',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: `${fake.url}/api/`,
      ...(opts.env?.SLACK_CLIENT_ID ? {} : { SLACK_BOT_TOKEN: BOT_TOKEN }),
      ...opts.env,
    },
  });

  const send: SlackTest['send'] = async (body, o = {}) => {
    const headers: Record<string, string> = {
      'content-type': o.contentType ?? 'application/x-www-form-urlencoded',
      ...slackSignature(SIGNING_SECRET, body, o.timestamp),
    };
    if (o.signature) headers['x-slack-signature'] = o.signature;
    if (o.retryNum !== undefined) {
      headers['x-slack-retry-num'] = String(o.retryNum);
      headers['x-slack-retry-reason'] = 'http_timeout';
    }
    const started = performance.now();
    const res = await fetch(`${app.url}/slack/events`, { method: 'POST', headers, body });
    const text = await res.text();
    const ms = performance.now() - started;
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = null;
    }
    return { status: res.status, text, body: parsed, ms };
  };

  const hook = () => `${fake.url}/hooks/${++seq}`;

  return {
    app,
    fake,
    users,
    posted,
    failChannel: (channel, error) => void (error ? failing.set(channel, error) : failing.delete(channel)),
    send,
    async slash(user, text, o = {}) {
      users.set(user.id, user);
      const responseUrl = hook();
      const triggerId = `trigger.${seq}`;
      const sent = await send(
        slashCommandBody({ text, user_id: user.id, user_name: user.name, team_id: o.team ?? TEAM, channel_id: o.channel ?? 'C0001', response_url: responseUrl, trigger_id: triggerId }),
      );
      return { ...sent, responseUrl, triggerId };
    },
    async click(user, button, o = {}) {
      users.set(user.id, user);
      const responseUrl = hook();
      const channel = o.channel ?? 'C0001';
      const payload = {
        type: 'block_actions',
        team: { id: o.team ?? TEAM, domain: 'acme' },
        user: { id: user.id, username: user.name, name: user.name, team_id: o.team ?? TEAM },
        api_app_id: 'A0001',
        trigger_id: `trigger.${seq}`,
        response_url: responseUrl,
        channel: { id: channel, name: 'ops' },
        container: { type: 'message', message_ts: o.messageTs ?? '1700000000.000100', channel_id: channel, is_ephemeral: o.ephemeral ?? false },
        actions: [
          {
            type: 'button',
            action_id: button.action_id,
            block_id: 'b1',
            text: { type: 'plain_text', text: button.text.text },
            ...(button.value !== undefined ? { value: button.value } : {}),
            action_ts: String(Date.now() / 1000),
          },
        ],
      };
      return { ...(await send(interactionBody(payload))), responseUrl };
    },
    async submit(user, view, values) {
      users.set(user.id, user);
      // As Slack submits them: a select's `selected_option`, an input's `value`; untouched fields keep what was prefilled.
      const state: Record<string, Record<string, Record<string, unknown>>> = {};
      for (const b of view.blocks as Array<{ block_id?: string; type: string; element?: any }>) {
        if (b.type !== 'input' || !b.block_id) continue;
        const el = b.element ?? {};
        if (el.type === 'static_select') {
          const value = b.block_id in values ? values[b.block_id] : el.initial_option?.value;
          const option = (el.options ?? []).find((o: any) => o.value === value) ?? (value ? { text: { type: 'plain_text', text: value }, value } : null);
          state[b.block_id] = { [b.block_id]: { type: 'static_select', selected_option: option } };
        } else {
          const value = b.block_id in values ? values[b.block_id] : (el.initial_value ?? null);
          state[b.block_id] = { [b.block_id]: { type: 'plain_text_input', value } };
        }
      }
      const payload = {
        type: 'view_submission',
        team: { id: TEAM, domain: 'acme' },
        user: { id: user.id, username: user.name, name: user.name, team_id: TEAM },
        api_app_id: 'A0001',
        trigger_id: `trigger.${++seq}`,
        view: { id: 'V0001', type: 'modal', callback_id: 'patchbay_form', private_metadata: view.private_metadata, blocks: view.blocks, state: { values: state } },
      };
      return await send(interactionBody(payload));
    },
    async event(event, o = {}) {
      const body = JSON.stringify({
        token: 'deprecated',
        team_id: o.team ?? TEAM,
        api_app_id: 'A0001',
        event,
        type: 'event_callback',
        event_id: o.eventId ?? `Ev${++seq}`,
        event_time: Math.floor(Date.now() / 1000),
      });
      return await send(body, { contentType: 'application/json', ...(o.retryNum !== undefined ? { retryNum: o.retryNum } : {}) });
    },
    responses: (url) => fake.callsTo(new URL(url).pathname),
    async waitForResponses(url, n = 1) {
      return await fake.waitFor(new URL(url).pathname, n);
    },
    async close() {
      await app.close();
      await fake.close();
    },
  };
}

/** Every button in a message's blocks (actions elements and section accessories). */
export function buttonsOf(msg: { blocks?: any[] } | null | undefined): RenderedButton[] {
  return (msg?.blocks ?? []).flatMap((b: any) => (b.type === 'actions' ? b.elements : b.accessory ? [b.accessory] : []));
}

export function buttonNamed(msg: { blocks?: any[] } | null | undefined, label: string): RenderedButton {
  const found = buttonsOf(msg).find((b) => b.text.text === label);
  if (!found) throw new Error(`no button '${label}' in ${JSON.stringify(buttonsOf(msg).map((b) => b.text.text))}`);
  return found;
}

/** A message's visible text: the fallback text and every block's text, joined. */
export function textOf(msg: any): string {
  const parts: string[] = [msg?.text ?? ''];
  for (const b of msg?.blocks ?? []) {
    if (b.text?.text) parts.push(b.text.text);
    for (const f of b.fields ?? []) parts.push(f.text);
    for (const e of b.elements ?? []) if (e.text && typeof e.text === 'string') parts.push(e.text);
  }
  return parts.join('\n');
}

/** Links the Slack team to the default workspace: a link code from the admin API, redeemed by `owner`. */
export async function linkTeam(t: SlackTest, owner: SlackUser): Promise<void> {
  const res = await t.app.fetch('/api/v1/chat/link-codes', { method: 'POST' });
  expect(res.status).toBe(201);
  const { code } = await json(res);
  const linked = await t.slash(owner, `link ${code}`);
  expect(linked.status).toBe(200);
  expect(linked.body.response_type).toBe('in_channel');
  expect(textOf(linked.body)).toMatch(/linked this Slack workspace/);
}
