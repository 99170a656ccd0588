/**
 * The Discord driver of the shared chat scenario: Ed25519-signed interactions over HTTP to the
 * real Patchbay (test/discord/support.ts) — a slash command read from the scenario's line with the
 * grammar (`slashOfLine`), component clicks carrying the message they were on, modal submissions
 * as Discord sends them — and what the user saw read back: the interaction's HTTP answer (a
 * message, a deferral, an update of the clicked message, or a modal), its follow-ups at
 * `/webhooks/{app}/{token}` (edits of @original, messages of their own, deletions), and the bot's
 * posts and edits in the channel (`/channels/{id}/messages[/{id}]`) from the fake REST API.
 *
 * Edits follow Discord's rules: an edit changes the fields it sends and keeps the others, and a
 * message flagged SUPPRESS_EMBEDS shows no embeds; an ephemeral message stays ephemeral.
 * Discord closes a modal on submit: refused values come back in a private reply, one embed field
 * per form field named by its label (`fieldLabel`); the driver reads those as `form.errors` and
 * keeps the form, as Slack keeps a modal open with `response_action: errors`.
 */
import { fieldLabel } from '../../../bots/discord/interactions.ts';
import { ADMIN, CHANNEL, APP_ID, MEMBER, OWNER, buttonsOf, commandData, linkGuild, slashOfLine, startDiscordTest, type DiscordTest, type DiscordUser, type Sent } from '../../discord/support.ts';
import { seenOf, type Channel, type Role, type ScenarioDriver, type Seen, type SeenMessage, type SettleOptions, waitForPost } from '../driver.ts';

const USERS: Record<Role, DiscordUser> = { owner: OWNER, admin: ADMIN, member: MEMBER };
const CHANNELS: Record<Channel, string> = { ops: CHANNEL, alerts: '1300000000000000002' };
/** Quiet time after the last REST call before an action counts as settled. */
const QUIET_MS = 400;
const SETTLE_TIMEOUT_MS = 20_000;

const EPHEMERAL = 1 << 6;
const SUPPRESS_EMBEDS = 1 << 2;
/** https://discord.com/developers/docs/interactions/receiving-and-responding#interaction-response-object-interaction-callback-type */
const CALLBACK = { message: 4, deferred: 5, update: 7, modal: 9 } as const;
const COMPONENT = { label: 18, textInput: 4, stringSelect: 3 } as const;
const ZWSP = '\u200B';

type Msg = { content?: string; embeds?: any[]; components?: any[]; flags?: number };
/** A message as the driver tracks it: enough to click its buttons as Discord would send the click. */
type Tracked = { id: string; body: Msg; ephemeral: boolean; channelId: string; original?: boolean; deferred?: boolean };
/** One interaction whose results are being read: its first answer, then what came at its token and in its channel. */
type Action = { by: Role; channelId: string; token: string; from: number; first: Tracked[]; response: unknown };
/** What the driver keeps of a Seen to act on it later. */
type State = { by: Role | null; channelId: string; messages: Tracked[]; modal?: any };

const mentionNames = new Map(Object.entries(USERS).map(([role, u]) => [u.id, role]));
const PUNCTUATION = /[!-/:-@[-`{-~]/;

/** Discord markdown as a person reads it, in the scenario's neutral form (see driver.ts). */
export function plainText(markdown: string): string {
  const s = markdown.replace(/^-# /gm, '');
  let out = '';
  for (let i = 0; i < s.length; ) {
    const ch = s[i]!;
    const rest = s.slice(i);
    let m: RegExpExecArray | null;
    if (ch === '\\' && i + 1 < s.length && PUNCTUATION.test(s[i + 1]!)) {
      out += s[i + 1];
      i += 2;
    } else if (rest.startsWith('**')) {
      i += 2;
    } else if (ch === '`' && (m = /^`([^`\n]*)`/.exec(rest))) {
      out += m[1];
      i += m[0].length;
    } else if (ch === '[' && (m = /^\[((?:\\.|[^\]\\\n])+)\]\((https?:\/\/[^)\s]+)\)/.exec(rest))) {
      out += plainText(m[1]!);
      i += m[0].length;
    } else if (ch === '<' && (m = /^<@!?(\d+)>/.exec(rest))) {
      out += `@${mentionNames.get(m[1]!) ?? m[1]}`;
      i += m[0].length;
    } else {
      out += ch;
      i++;
    }
  }
  return out;
}

const shown = (s: unknown): s is string => typeof s === 'string' && s.replaceAll(ZWSP, '').trim() !== '';

/** A message's visible text: content, and (unless suppressed) each embed's title, description, fields and footer (footers render no markdown). */
function visibleText(msg: Msg): string {
  const parts: string[] = [];
  if (shown(msg.content)) parts.push(plainText(msg.content));
  if (!((msg.flags ?? 0) & SUPPRESS_EMBEDS)) {
    for (const e of msg.embeds ?? []) {
      for (const p of [e.title, e.description, ...(e.fields ?? []).flatMap((f: any) => [f.name, f.value])]) if (shown(p)) parts.push(plainText(p));
      if (shown(e.footer?.text)) parts.push(e.footer.text);
    }
  }
  return parts.join('\n');
}

/** A message edit as Discord applies it: the fields sent replace the old ones, the rest stay; only SUPPRESS_EMBEDS can change among the flags. */
function edited(old: Msg, patch: Msg): Msg {
  const { flags, ...fields } = patch;
  const kept = old.flags ?? 0;
  return { ...old, ...fields, flags: flags === undefined ? kept : (kept & ~SUPPRESS_EMBEDS) | (flags & SUPPRESS_EMBEDS) };
}

const seenMessage = (m: Tracked): SeenMessage => ({ text: visibleText(m.body), buttons: buttonsOf(m.body).map((b) => b.label), ephemeral: m.ephemeral });

let ids = 0;
/** Ids for the messages Discord creates from an interaction's answer (the fake does not see those). */
const messageId = () => String(1_900_000_000_000_000_000n + BigInt(++ids));

const CHANNEL_MESSAGE = /^\/channels\/(\d+)\/messages(?:\/(\d+))?$/;

export async function discordDriver(): Promise<ScenarioDriver> {
  let t: DiscordTest | undefined;
  const states = new WeakMap<Seen, State>();
  /** Messages edited by an interaction's UpdateMessage answer (a click), at the fake's call count then. */
  const updates: Array<{ at: number; channelId: string; id: string; patch: Msg }> = [];
  const test = () => {
    if (!t) throw new Error('the Discord driver is not set up');
    return t;
  };

  /** The first answer of an interaction, as the messages it shows (or the modal it opens). */
  function begin(by: Role, channelId: string, from: number, res: Sent & { token: string }, what: string, clicked?: Tracked): { action: Action; modal?: any } {
    if (res.status !== 200) throw new Error(`Discord: ${what} answered HTTP ${res.status}: ${JSON.stringify(res.body)}`);
    const { type, data } = res.body as { type: number; data?: any };
    const action: Action = { by, channelId, token: res.token, from, first: [], response: res.body };
    switch (type) {
      case CALLBACK.message:
        action.first.push({ id: messageId(), body: data, ephemeral: Boolean((data.flags ?? 0) & EPHEMERAL), channelId, original: true });
        break;
      case CALLBACK.deferred:
        // "Patchbay is thinking…" until the follow-up edits it.
        action.first.push({ id: messageId(), body: {}, ephemeral: Boolean((data?.flags ?? 0) & EPHEMERAL), channelId, original: true, deferred: true });
        break;
      case CALLBACK.update:
        if (!clicked) throw new Error(`Discord: ${what} updated a message, but it came from no message`);
        action.first.push({ ...clicked, body: edited(clicked.body, data), original: true });
        if (!clicked.ephemeral) updates.push({ at: test().fake.calls.length, channelId: clicked.channelId, id: clicked.id, patch: data });
        break;
      case CALLBACK.modal:
        return { action, modal: data };
      default:
        throw new Error(`Discord: ${what} answered with interaction callback type ${type}`);
    }
    return { action };
  }

  /** The messages the calls since the action began show its user: follow-ups at its token, and bot posts in its channel. */
  function collect(a: Action): { messages: Tracked[]; calls: unknown[] } {
    const s = test();
    const messages: Tracked[] = a.first.map((m) => ({ ...m }));
    const hook = `/webhooks/${APP_ID}/${a.token}`;
    const calls = s.fake.calls.slice(a.from);
    const at = (i: number) => (i >= 0 ? i : messages.length);
    for (const c of calls) {
      const b = (c.body ?? {}) as Msg;
      let m: RegExpExecArray | null;
      if (c.path === hook && c.method === 'POST') {
        messages.push({ id: String(c.reply?.id ?? messageId()), body: b, ephemeral: Boolean((b.flags ?? 0) & EPHEMERAL), channelId: a.channelId });
      } else if (c.path.startsWith(`${hook}/messages/`)) {
        const ref = c.path.slice(`${hook}/messages/`.length);
        const i = messages.findIndex((x) => (ref === '@original' ? x.original : x.id === ref));
        if (i < 0) continue;
        if (c.method === 'DELETE') messages.splice(i, 1);
        else if (c.method === 'PATCH') messages[i] = { ...messages[i]!, body: edited(messages[i]!.body, b), deferred: false };
      } else if ((m = CHANNEL_MESSAGE.exec(c.path)) && m[1] === a.channelId) {
        const id = m[2] ?? String(c.reply?.id);
        const i = at(messages.findIndex((x) => x.id === id));
        if (c.method === 'POST') messages.push({ id, body: b, ephemeral: false, channelId: a.channelId });
        else if (c.method === 'PATCH') messages[i] = messages[i] ? { ...messages[i]!, body: edited(messages[i]!.body, b) } : { id, body: b, ephemeral: false, channelId: a.channelId };
        else if (c.method === 'DELETE' && messages[i]) messages.splice(i, 1);
      }
    }
    return { messages, calls };
  }

  function makeSeen(by: Role | null, channelId: string, messages: Tracked[], modal: any, raw: unknown, errors?: Record<string, string>): Seen {
    const form = modal
      ? {
          title: String(modal.title ?? ''),
          fields: (modal.components as any[]).filter((c) => c.type === COMPONENT.label).map((c) => String(c.component.custom_id)),
          ...(errors ? { errors } : {}),
        }
      : undefined;
    const seen = seenOf(messages.map(seenMessage), raw, form);
    states.set(seen, { by, channelId, messages, ...(modal ? { modal } : {}) });
    return seen;
  }

  /** Waits until the bot has no follow-up still to send, nothing is deferred, no REST call came for QUIET_MS, and `until` holds. */
  async function settle(a: Action, until: SettleOptions['until'], keptModal?: any, errors?: Record<string, string>): Promise<Seen> {
    const s = test();
    const deadline = Date.now() + SETTLE_TIMEOUT_MS;
    let count = -1;
    let quietSince = Date.now();
    for (;;) {
      const idle = await Promise.race([s.idle().then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 50))]);
      const now = Date.now();
      if (s.fake.calls.length !== count) {
        count = s.fake.calls.length;
        quietSince = now;
      }
      const { messages, calls } = collect(a);
      const seen = makeSeen(a.by, a.channelId, messages, keptModal, { response: a.response, calls }, errors);
      const settled = idle && now - quietSince >= QUIET_MS && !messages.some((m) => m.deferred) && (!until || until(seen));
      if (settled) return seen;
      if (now > deadline) throw new Error(`Discord: ${a.by}'s action did not settle within ${SETTLE_TIMEOUT_MS} ms; saw:\n${seen.text}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** A button press as Discord sends it: the custom id, and the message it is on. */
  async function press(as: Role, msg: Tracked, customId: string, label: string) {
    const s = test();
    const from = s.fake.calls.length;
    const message = { id: msg.id, channel_id: msg.channelId, flags: msg.body.flags ?? 0, content: msg.body.content ?? '', embeds: msg.body.embeds ?? [], components: msg.body.components ?? [] };
    const res = await s.interact(USERS[as], 3, { custom_id: customId, component_type: 2 }, { message, channel: msg.channelId });
    return begin(as, msg.channelId, from, res, `the click on '${label}'`, msg);
  }

  /** The refused fields of a private answer to a submission, by field name (its embed fields are named by the fields' labels). */
  function fieldErrors(first: Tracked[], fields: string[]): Record<string, string> | undefined {
    const answer = first[0];
    if (!answer?.ephemeral) return undefined;
    const byLabel = new Map(fields.map((f) => [fieldLabel(f), f]));
    const errors: Record<string, string> = {};
    for (const e of answer.body.embeds ?? []) {
      for (const f of e.fields ?? []) {
        const name = byLabel.get(plainText(String(f.name)));
        if (name) errors[name] = plainText(String(f.value));
      }
    }
    return Object.keys(errors).length ? errors : undefined;
  }

  /** Posts in a channel, newest version of each: bot posts and their edits, and clicks' updates of them. */
  function channelMessages(channel: Channel): Tracked[] {
    const s = test();
    const channelId = CHANNELS[channel];
    const out: Tracked[] = [];
    const pending = updates.filter((u) => u.channelId === channelId);
    const applyUpdates = (upTo: number) => {
      while (pending.length && pending[0]!.at <= upTo) {
        const u = pending.shift()!;
        const m = out.find((x) => x.id === u.id);
        if (m) m.body = edited(m.body, u.patch);
      }
    };
    s.fake.calls.forEach((c, i) => {
      applyUpdates(i);
      const m = CHANNEL_MESSAGE.exec(c.path);
      if (!m || m[1] !== channelId || (c.status ?? 500) >= 300) return;
      const id = m[2] ?? String(c.reply?.id);
      const j = out.findIndex((x) => x.id === id);
      if (c.method === 'POST') out.push({ id, body: c.body, ephemeral: false, channelId });
      else if (c.method === 'PATCH' && j >= 0) out[j]!.body = edited(out[j]!.body, c.body);
      else if (c.method === 'DELETE' && j >= 0) out.splice(j, 1);
    });
    applyUpdates(Number.POSITIVE_INFINITY);
    return out;
  }

  const postSeen = (m: Tracked) => makeSeen(null, m.channelId, [m], undefined, m.body);

  return {
    platform: 'Discord',
    get app() {
      return test().app;
    },
    async setup() {
      t = await startDiscordTest({ workers: true, env: { SANDBOX_ENABLED: 'true', WEBHOOKS_ALLOW_PRIVATE_TARGETS: 'true' } });
      await linkGuild(t, OWNER);
    },

    async command(as, line, opts = {}) {
      const s = test();
      const channelId = CHANNELS[opts.channel ?? 'ops'];
      const { path, values } = slashOfLine(line);
      const from = s.fake.calls.length;
      const res = await s.interact(USERS[as], 2, commandData(path, values), { channel: channelId });
      const { action, modal } = begin(as, channelId, from, res, `/integrations ${path.join(' ')}`);
      if (modal) return makeSeen(as, channelId, [], modal, res.body);
      return await settle(action, opts.until);
    },

    async click(as, seen, label, opts = {}) {
      const state = states.get(seen);
      if (!state) throw new Error('Discord: that Seen did not come from this driver');
      let found: { msg: Tracked; button: ReturnType<typeof buttonsOf>[number] } | undefined;
      for (const msg of [...state.messages].reverse()) {
        const button = buttonsOf(msg.body).find((b) => b.label === label);
        if (button) {
          found = { msg, button };
          break;
        }
      }
      if (!found) throw new Error(`Discord: no button '${label}' in ${JSON.stringify(seen.buttons)}`);
      const { msg, button } = found;
      if (msg.ephemeral && state.by !== null && state.by !== as) throw new Error(`Discord: only ${state.by} sees the message with '${label}'; ${as} cannot click it`);
      if (!button.custom_id) throw new Error(`Discord: '${label}' is a link button: it opens ${button.url}, Patchbay never hears of it`);
      // A button that asks first answers with a private Confirm / Cancel prompt (bots/discord/confirm.ts).
      const asks = button.custom_id.startsWith('q:');
      if (asks && opts.confirm === undefined) throw new Error(`Discord: '${label}' asks for confirmation first: say confirm: true or false`);
      if (!asks && opts.confirm !== undefined) throw new Error(`Discord: '${label}' does not ask for confirmation`);
      const pressed = await press(as, msg, button.custom_id, label);
      if (pressed.modal) return makeSeen(as, msg.channelId, [], pressed.modal, pressed.action.response);
      if (!asks) return await settle(pressed.action, opts.until);

      const prompt = pressed.action.first[0];
      const choices = prompt ? buttonsOf(prompt.body) : [];
      const confirm = choices.find((b) => b.custom_id?.startsWith('y:'));
      const cancel = choices.find((b) => b.custom_id === 'n');
      if (!prompt?.ephemeral || !confirm || !cancel || choices.length !== 2) {
        throw new Error(`Discord: '${label}' should have answered with a private Confirm / Cancel prompt; it answered ${JSON.stringify(pressed.action.response)}`);
      }
      const choice = opts.confirm ? confirm : cancel;
      const answered = await press(as, prompt, choice.custom_id!, choice.label);
      if (answered.modal) return makeSeen(as, msg.channelId, [], answered.modal, answered.action.response);
      return await settle(answered.action, opts.until);
    },

    async submit(as, seen, values, opts = {}) {
      const s = test();
      const state = states.get(seen);
      if (!state?.modal) throw new Error('Discord: that Seen shows no form');
      const modal = state.modal;
      const unknown = Object.keys(values).filter((k) => !seen.form!.fields.includes(k));
      if (unknown.length) throw new Error(`Discord: the form has no field ${unknown.join(', ')} (it has ${seen.form!.fields.join(', ')})`);
      // As Discord submits a modal: every Label's input, untouched ones with what was prefilled.
      // The client lets nobody submit a required field empty, or pick what a select does not offer.
      let n = 0;
      const components = (modal.components as any[])
        .filter((c) => c.type === COMPONENT.label)
        .map((label) => {
          const c = label.component;
          const name = String(c.custom_id);
          if (c.type === COMPONENT.stringSelect) {
            const picked: string[] = name in values ? (values[name] ? [values[name]!] : []) : (c.options as any[]).filter((o) => o.default).map((o) => String(o.value));
            const offered = (c.options as any[]).map((o) => String(o.value));
            const bad = picked.filter((v) => !offered.includes(v));
            if (bad.length) throw new Error(`Discord: the select '${name}' offers ${offered.join(', ')}, not ${bad.join(', ')}`);
            if (c.required !== false && !picked.length) throw new Error(`Discord: '${name}' is required; the client will not submit the form without it`);
            return { type: COMPONENT.label, id: ++n, component: { type: COMPONENT.stringSelect, id: ++n, custom_id: name, values: picked } };
          }
          const value = name in values ? values[name]! : String(c.value ?? '');
          if (c.required !== false && !value) throw new Error(`Discord: '${name}' is required; the client will not submit the form without it`);
          return { type: COMPONENT.label, id: ++n, component: { type: COMPONENT.textInput, id: ++n, custom_id: name, value } };
        });
      const from = s.fake.calls.length;
      const res = await s.interact(USERS[as], 5, { custom_id: modal.custom_id, components }, { channel: state.channelId });
      const { action, modal: another } = begin(as, state.channelId, from, res, 'the submission');
      if (another) throw new Error('Discord: a modal submission cannot answer with another modal');
      const errors = fieldErrors(action.first, seen.form!.fields);
      // Discord closed the modal; the driver keeps it, with the refused fields, to be submitted again.
      if (errors) return await settle(action, opts.until, modal, errors);
      return await settle(action, opts.until);
    },

    async waitForChannelPost(channel, predicate, timeoutMs = 20_000) {
      return postSeen(await waitForPost('Discord', channel, () => channelMessages(channel), (x) => visibleText(x.body), predicate, timeoutMs));
    },

    async channelPosts(channel) {
      return channelMessages(channel).map(postSeen);
    },

    async close() {
      await t?.close();
    },
  };
}
