/**
 * The Slack driver of the shared chat scenario: signed slash commands, `block_actions` clicks and
 * `view_submission`s over HTTP to the real Patchbay (test/slack/support.ts), and what the user saw
 * read back from the fake Slack Web API — the command's HTTP answer, posts to its response URL,
 * bot messages in the channel (`chat.postMessage`, `chat.postEphemeral`) with their later edits
 * (`chat.update`) and deletions (`chat.delete`), and modals (`views.open`).
 */
import type { SlackCall } from '../../fakes/slack-api.ts';
import { ADMIN, MEMBER, OWNER, buttonsOf, linkTeam, startSlackTest, type RenderedButton, type SlackTest, type SlackUser } from '../../slack/support.ts';
import { seenOf, type Channel, type Role, type ScenarioDriver, type Seen, type SeenMessage, type SettleOptions, waitForPost } from '../driver.ts';

const USERS: Record<Role, SlackUser> = { owner: OWNER, admin: ADMIN, member: MEMBER };
const CHANNELS: Record<Channel, string> = { ops: 'C_OPS', alerts: 'C_ALERTS' };
/** Quiet time after the last Web API call before an action counts as settled. */
const QUIET_MS = 400;
const SETTLE_TIMEOUT_MS = 20_000;

type SlackMsg = { text?: string; blocks?: any[] };
/** A message as the driver tracks it: enough to click its buttons as Slack would send the click. */
type Tracked = { body: SlackMsg; ephemeral: boolean; channelId: string; ts?: string };
/** What the driver keeps of a Seen to act on it later. */
type State = { by: Role | null; channelId: string; messages: Tracked[]; view?: any };

const mentionNames = new Map(Object.entries(USERS).map(([role, u]) => [u.id, role]));

/** Slack mrkdwn as a person reads it, in the scenario's neutral form (see driver.ts). */
export function plainText(mrkdwn: string): string {
  return mrkdwn
    .replace(/<@([A-Z0-9_]+)(?:\|[^>]*)?>/g, (_, id: string) => `@${mentionNames.get(id) ?? id}`)
    .replace(/<(?:https?|mailto):[^|>]*\|([^>]*)>/g, '$1')
    .replace(/<((?:https?|mailto):[^>]*)>/g, '$1')
    .replace(/\*([^*\n]+)\*/g, '$1')
    .replace(/~([^~\n]+)~/g, '$1')
    .replace(/`([^`\n]+)`/g, '$1')
    .replace(/(^|[\s(])_([^_\n]+)_(?=[\s).,:;!?]|$)/g, '$1$2')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** A message's visible text: its blocks (the fallback `text` only when there are none). */
function visibleText(msg: SlackMsg): string {
  if (!msg.blocks?.length) return plainText(msg.text ?? '');
  const parts: string[] = [];
  for (const b of msg.blocks) {
    if (typeof b.text?.text === 'string') parts.push(b.text.text);
    for (const f of b.fields ?? []) parts.push(f.text);
    if (b.type === 'context') for (const e of b.elements ?? []) if (typeof e.text === 'string') parts.push(e.text);
  }
  return plainText(parts.join('\n'));
}

const seenMessage = (m: Tracked): SeenMessage => ({ text: visibleText(m.body), buttons: buttonsOf(m.body).map((b) => b.text.text), ephemeral: m.ephemeral });
const isPlaceholder = (m: Tracked) => (m.body.blocks ?? []).some((b: any) => b.type === 'context' && (b.elements ?? []).some((e: any) => /^Requested by </.test(String(e.text ?? ''))));

export async function slackDriver(): Promise<ScenarioDriver> {
  let t: SlackTest | undefined;
  const states = new WeakMap<Seen, State>();
  const test = () => {
    if (!t) throw new Error('the Slack driver is not set up');
    return t;
  };

  /** The messages and modal that the Web API calls from `from` on show `user` in `channelId`. */
  function collect(from: number, user: SlackUser, channelId: string, first: Tracked[], responseUrl: string | undefined) {
    const s = test();
    const messages: Tracked[] = [...first];
    let view: any;
    const calls: SlackCall[] = s.fake.calls.slice(from);
    const responsePath = responseUrl ? new URL(responseUrl).pathname : undefined;
    for (const c of calls) {
      const b = c.body as any;
      if (responsePath && c.method === responsePath) {
        if (b.delete_original) continue;
        messages.push({ body: b, ephemeral: b.response_type !== 'in_channel', channelId });
      } else if (c.method === 'chat.postMessage' && b.channel === channelId) {
        const ts = s.posted.find((p) => p.body === c.body)?.ts;
        if (ts) messages.push({ body: b, ephemeral: false, channelId, ts });
      } else if (c.method === 'chat.postEphemeral' && b.channel === channelId && b.user === user.id) {
        messages.push({ body: b, ephemeral: true, channelId });
      } else if (c.method === 'chat.update' && b.channel === channelId) {
        const i = messages.findIndex((m) => m.ts === b.ts);
        if (i >= 0) messages[i] = { ...messages[i]!, body: b };
        else messages.push({ body: b, ephemeral: false, channelId, ts: String(b.ts) });
      } else if (c.method === 'chat.delete' && b.channel === channelId) {
        const i = messages.findIndex((m) => m.ts === b.ts);
        if (i >= 0) messages.splice(i, 1);
      } else if (c.method === 'views.open') {
        view = b.view;
      }
    }
    return { messages, view, calls };
  }

  function makeSeen(by: Role | null, channelId: string, messages: Tracked[], view: any, raw: unknown, errors?: Record<string, string>): Seen {
    const form = view
      ? {
          title: String(view.title?.text ?? ''),
          fields: (view.blocks as any[]).filter((b) => b.type === 'input').map((b) => String(b.block_id)),
          ...(errors ? { errors } : {}),
        }
      : undefined;
    const seen = seenOf(messages.map(seenMessage), raw, form);
    states.set(seen, { by, channelId, messages, ...(view ? { view } : {}) });
    return seen;
  }

  /** Waits until the action settled: no placeholder left, no Web API call for QUIET_MS, and `until` holds. */
  async function settle(by: Role, channelId: string, from: number, first: Tracked[], responseUrl: string | undefined, until: SettleOptions['until'], keptView?: any, errors?: Record<string, string>): Promise<Seen> {
    const s = test();
    const deadline = Date.now() + SETTLE_TIMEOUT_MS;
    let count = -1;
    let quietSince = Date.now();
    for (;;) {
      const now = Date.now();
      if (s.fake.calls.length !== count) {
        count = s.fake.calls.length;
        quietSince = now;
      }
      const { messages, view, calls } = collect(from, USERS[by], channelId, first, responseUrl);
      const seen = makeSeen(by, channelId, messages, view ?? keptView, { calls, first }, errors);
      const settled = now - quietSince >= QUIET_MS && !messages.some(isPlaceholder) && (!until || until(seen));
      if (settled) return seen;
      if (now > deadline) throw new Error(`Slack: ${by}'s action did not settle within ${SETTLE_TIMEOUT_MS} ms; saw:\n${seen.text}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Posts in a channel, newest version of each (edits applied, deleted ones left out). */
  function channelMessages(channel: Channel): Tracked[] {
    const s = test();
    const channelId = CHANNELS[channel];
    const out: Tracked[] = [];
    for (const c of s.fake.calls) {
      const b = c.body as any;
      if (b.channel !== channelId) continue;
      if (c.method === 'chat.postMessage') {
        const ts = s.posted.find((p) => p.body === c.body)?.ts;
        if (ts) out.push({ body: b, ephemeral: false, channelId, ts });
      } else if (c.method === 'chat.update') {
        const m = out.find((x) => x.ts === b.ts);
        if (m) m.body = b;
      } else if (c.method === 'chat.delete') {
        const i = out.findIndex((x) => x.ts === b.ts);
        if (i >= 0) out.splice(i, 1);
      }
    }
    return out;
  }

  const postSeen = (m: Tracked) => makeSeen(null, m.channelId, [m], undefined, m.body);

  return {
    platform: 'Slack',
    get app() {
      return test().app;
    },
    async setup() {
      t = await startSlackTest({ workers: true, env: { SANDBOX_ENABLED: 'true', WEBHOOKS_ALLOW_PRIVATE_TARGETS: 'true' } });
      await linkTeam(t, OWNER);
    },

    async command(as, line, opts = {}) {
      const s = test();
      const channelId = CHANNELS[opts.channel ?? 'ops'];
      const from = s.fake.calls.length;
      const res = await s.slash(USERS[as], line, { channel: channelId });
      if (res.status !== 200) throw new Error(`Slack: /integrations ${line} answered HTTP ${res.status}: ${res.text}`);
      const first: Tracked[] = res.body && (res.body.text || res.body.blocks) ? [{ body: res.body, ephemeral: res.body.response_type !== 'in_channel', channelId }] : [];
      return await settle(as, channelId, from, first, res.responseUrl, opts.until);
    },

    async click(as, seen, label, opts = {}) {
      const s = test();
      const state = states.get(seen);
      if (!state) throw new Error('Slack: that Seen did not come from this driver');
      let found: { msg: Tracked; button: RenderedButton } | undefined;
      for (const msg of [...state.messages].reverse()) {
        const button = buttonsOf(msg.body).find((b) => b.text.text === label);
        if (button) {
          found = { msg, button };
          break;
        }
      }
      if (!found) throw new Error(`Slack: no button '${label}' in ${JSON.stringify(seen.buttons)}`);
      const { msg, button } = found;
      if (msg.ephemeral && state.by !== null && state.by !== as) throw new Error(`Slack: only ${state.by} sees the message with '${label}'; ${as} cannot click it`);
      if (button.confirm && opts.confirm === undefined) throw new Error(`Slack: '${label}' asks for confirmation first: say confirm: true or false`);
      if (!button.confirm && opts.confirm !== undefined) throw new Error(`Slack: '${label}' does not ask for confirmation`);
      // Slack's confirm dialog is client-side: cancelling it sends nothing.
      if (opts.confirm === false) return makeSeen(as, msg.channelId, [], undefined, { cancelled: label });
      const from = s.fake.calls.length;
      const res = await s.click(USERS[as], button, { channel: msg.channelId, ephemeral: msg.ephemeral, ...(msg.ts ? { messageTs: msg.ts } : {}) });
      if (res.status !== 200) throw new Error(`Slack: the click on '${label}' answered HTTP ${res.status}: ${res.text}`);
      return await settle(as, msg.channelId, from, [], res.responseUrl, opts.until);
    },

    async submit(as, seen, values, opts = {}) {
      const s = test();
      const state = states.get(seen);
      if (!state?.view) throw new Error('Slack: that Seen shows no form');
      const view = state.view;
      const channelId = String(JSON.parse(view.private_metadata).channelId ?? state.channelId);
      const unknown = Object.keys(values).filter((k) => !seen.form!.fields.includes(k));
      if (unknown.length) throw new Error(`Slack: the form has no field ${unknown.join(', ')} (it has ${seen.form!.fields.join(', ')})`);
      const from = s.fake.calls.length;
      const res = await s.submit(USERS[as], view, values);
      if (res.status !== 200) throw new Error(`Slack: the submission answered HTTP ${res.status}: ${res.text}`);
      if (res.body?.response_action === 'errors') {
        // The modal stays open, showing the errors.
        return await settle(as, channelId, from, [], undefined, opts.until, view, res.body.errors as Record<string, string>);
      }
      if (res.text !== '') throw new Error(`Slack: unexpected answer to a submission: ${res.text}`);
      return await settle(as, channelId, from, [], undefined, opts.until);
    },

    async waitForChannelPost(channel, predicate, timeoutMs = 20_000) {
      return postSeen(await waitForPost('Slack', channel, () => channelMessages(channel), (x) => visibleText(x.body), predicate, timeoutMs));
    },

    async channelPosts(channel) {
      return channelMessages(channel).map(postSeen);
    },

    async close() {
      await t?.close();
    },
  };
}
