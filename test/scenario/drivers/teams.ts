/**
 * The Teams driver of the shared chat scenario: activities POSTed to /api/messages as the Bot
 * Framework sends them (test/teams/support.ts, the emulator mode) — `@Patchbay <line>` messages,
 * `adaptiveCard/action` invokes for button presses and form submits — and what the user saw read
 * back: the invoke's answer (a card that replaces the pressed card for the presser only, Teams'
 * "replace for interactor") and the bot's sends and edits on the fake Bot Connector.
 *
 * Visibility: a message sent with `?isTargetedActivity=true` is a targeted message, seen only by
 * its `recipient`; an invoke's answer is seen only by the presser. Both count as ephemeral.
 *
 * What each user sees of a message is tracked as Teams shows it: everyone sees its latest
 * version (sends and edits), except a presser whose view an invoke answer replaced, until the
 * next edit for all. A click or a submit acts on the clicking user's current view of the message
 * (a button the user no longer sees cannot be pressed), as a Teams client would.
 */
import { ADMIN, CHANNEL, MEMBER, OWNER, actionsOf, linkTenant, startTeamsTest, type TeamsTest, type TeamsUser } from '../../teams/support.ts';
import { sql } from '../../helpers/sql.ts';
import { seenOf, type Channel, type Role, type ScenarioDriver, type Seen, type SeenMessage, type SettleOptions, waitForPost } from '../driver.ts';

const USERS: Record<Role, TeamsUser> = { owner: OWNER, admin: ADMIN, member: MEMBER };
const CHANNELS: Record<Channel, string> = { ops: CHANNEL, alerts: '19:alerts-channel@thread.tacv2' };
const QUIET_MS = 400;
const SETTLE_TIMEOUT_MS = 20_000;
const CARD = 'application/vnd.microsoft.card.adaptive';
const ZWSP = /\u200B/g;
const roleOfName = new Map(Object.entries(USERS).map(([role, u]) => [u.name, role]));
const roleOfId = new Map(Object.entries(USERS).map(([role, u]) => [u.id, role as Role]));

type Card = any;
/** One message as one user sees it. */
type Tracked = { id: string; conversation: string; card: Card; ephemeral: boolean };
/** The latest version of a message on the connector. */
type Posted = { id: string; conversation: string; card: Card; recipient: Role | null; firstCall: number };
type State = { by: Role | null; messages: Tracked[] };

const cardOfActivity = (body: any): Card => body?.attachments?.find((a: any) => a.contentType === CARD)?.content ?? { type: 'AdaptiveCard', body: [] };
const channelOf = (conversation: string) => conversation.split(';')[0]!;

/** Visible text, neutral: every RichTextBlock as a line, zero-width spaces gone, `@Name` of the scenario's people as `@role`. */
export function plainText(card: Card): string {
  const lines: string[] = [];
  const walk = (node: any): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    if (node.type === 'RichTextBlock') {
      lines.push((node.inlines ?? []).map((i: any) => (typeof i === 'string' ? i : (i.text ?? ''))).join(''));
      return;
    }
    if (node.type === 'TextBlock' && typeof node.text === 'string') lines.push(node.text);
    for (const [k, v] of Object.entries(node)) if (k !== 'data' && k !== 'actions') walk(v);
  };
  walk(card?.body ?? []);
  return lines
    .map((l) => l.replace(ZWSP, '').replace(/@(\p{L}+)/gu, (m, name: string) => (roleOfName.has(name) ? `@${roleOfName.get(name)}` : m)))
    .filter((l) => l.trim() !== '')
    .join('\n');
}

/** Buttons as the user sees them (a form's submit belongs to the form, not counted). */
const buttonsOf = (card: Card) => actionsOf(card).filter((a) => a.verb !== 'pb.form');

function formOf(card: Card): Seen['form'] {
  const body: any[] = card?.body ?? [];
  const first = body.findIndex((e) => typeof e.type === 'string' && e.type.startsWith('Input.'));
  if (first < 0) return undefined;
  let title = '';
  for (let i = first - 1; i >= 0; i--) {
    const e = body[i];
    if (e.type === 'RichTextBlock' && (e.inlines ?? []).some((r: any) => r.size === 'Large' && r.weight === 'Bolder')) {
      title = plainText({ body: [e] });
      break;
    }
  }
  const fields: string[] = [];
  const errors: Record<string, string> = {};
  let current: string | undefined;
  for (const e of body.slice(first)) {
    if (typeof e.type === 'string' && e.type.startsWith('Input.')) {
      current = e.id;
      fields.push(e.id);
    } else if (current && e.type === 'RichTextBlock' && (e.inlines ?? []).some((r: any) => r.color === 'Attention')) {
      errors[current] = plainText({ body: [e] }).replace(/^⚠\s*/, '');
    }
  }
  return { title, fields, ...(Object.keys(errors).length ? { errors } : {}) };
}

export async function teamsDriver(): Promise<ScenarioDriver> {
  let t: TeamsTest | undefined;
  const states = new WeakMap<Seen, State>();
  /** Per message id, the views invoke answers gave single users (cleared by an edit for all). */
  const views = new Map<string, Map<Role, Card>>();
  const test = () => {
    if (!t) throw new Error('the Teams driver is not set up');
    return t;
  };

  /** Every message on the connector from call `from` on (or all), newest versions, in order of their first send or edit. */
  function posted(from = 0): Posted[] {
    const calls = test().connector.calls;
    const all = new Map<string, Posted>();
    const touched: string[] = [];
    calls.forEach((c, i) => {
      if ((c.method !== 'POST' && c.method !== 'PUT') || !c.replyId) return;
      const id = c.replyId;
      const recipient = c.targeted ? (roleOfId.get(c.body?.recipient?.id) ?? null) : null;
      const prev = all.get(id);
      if (c.method === 'POST' || !prev) all.set(id, { id, conversation: c.conversation, card: cardOfActivity(c.body), recipient: c.targeted ? recipient : null, firstCall: i });
      else all.set(id, { ...prev, card: cardOfActivity(c.body) });
      if (i >= from && !touched.includes(id)) touched.push(id);
    });
    return touched.map((id) => all.get(id)!);
  }

  const visibleTo = (p: Posted, role: Role | null) => p.recipient === null || p.recipient === role;
  const trackedOf = (p: Posted): Tracked => ({ id: p.id, conversation: p.conversation, card: p.card, ephemeral: p.recipient !== null });

  /** What `role` sees of message `id` now: their own view if an invoke answer gave one, else its latest version. */
  function currentView(id: string, role: Role): Tracked | undefined {
    const own = views.get(id)?.get(role);
    const latest = posted().find((p) => p.id === id);
    if (own) return { id, conversation: latest?.conversation ?? '', card: own, ephemeral: true };
    if (latest && visibleTo(latest, role)) return trackedOf(latest);
    return undefined;
  }

  function makeSeen(by: Role | null, messages: Tracked[], raw: unknown): Seen {
    const seenMessages: SeenMessage[] = messages.map((m) => ({ text: plainText(m.card), buttons: buttonsOf(m.card).map((b) => b.title), ephemeral: m.ephemeral }));
    const form = [...messages].reverse().map((m) => formOf(m.card)).find(Boolean);
    const seen = seenOf(seenMessages, raw, form);
    states.set(seen, { by, messages });
    return seen;
  }

  /** The messages an action showed `by` in `channel`: the invoke's answer first, then what was sent or edited there since `from`. */
  function collect(by: Role, channel: string, from: number, answer?: Tracked): Tracked[] {
    const out: Tracked[] = answer ? [answer] : [];
    for (const p of posted(from)) if (channelOf(p.conversation) === channel && visibleTo(p, by)) out.push(trackedOf(p));
    return out;
  }

  /** Edits for all end the single users' views of a message. */
  function applyEdits(from: number) {
    for (const c of test().connector.calls.slice(from)) if (c.method === 'PUT' && c.activityId) views.delete(c.activityId);
  }

  async function settle(by: Role, channel: string, from: number, until: SettleOptions['until'], answer?: Tracked, raw?: unknown): Promise<Seen> {
    const s = test();
    const deadline = Date.now() + SETTLE_TIMEOUT_MS;
    let count = -1;
    let quietSince = Date.now();
    for (;;) {
      const idle = await Promise.race([s.idle().then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 50))]);
      const now = Date.now();
      if (s.connector.calls.length !== count) {
        count = s.connector.calls.length;
        quietSince = now;
      }
      const seen = makeSeen(by, collect(by, channel, from, answer), { answer: raw, calls: s.connector.calls.slice(from) });
      if (idle && now - quietSince >= QUIET_MS && (!until || until(seen))) {
        applyEdits(from);
        return seen;
      }
      if (now > deadline) throw new Error(`Teams: ${by}'s action did not settle within ${SETTLE_TIMEOUT_MS} ms; saw:\n${seen.text}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** An Action.Execute press on message `msg` as `as`; returns the invoke's answer as the presser's new view of it. */
  async function press(as: Role, msg: Tracked, action: { verb?: string; data?: any; title: string }, data = action.data): Promise<{ answer: Tracked; raw: unknown }> {
    const s = test();
    const res = await s.execute(USERS[as], action.verb!, data ?? {}, { conversation: channelOf(msg.conversation), replyToId: msg.id });
    if (res.status !== 200 || res.body?.statusCode !== 200 || res.body?.type !== CARD) throw new Error(`Teams: the press on '${action.title}' answered HTTP ${res.status}: ${JSON.stringify(res.body)}`);
    const card = res.body.value;
    if (!views.has(msg.id)) views.set(msg.id, new Map());
    views.get(msg.id)!.set(as, card);
    return { answer: { id: msg.id, conversation: msg.conversation, card, ephemeral: true }, raw: res.body };
  }

  /** The message of `seen` holding `label` (newest first), as `as` sees it now. */
  function target(as: Role, seen: Seen, has: (card: Card) => boolean, what: string): Tracked {
    const state = states.get(seen);
    if (!state) throw new Error('Teams: that Seen did not come from this driver');
    const msg = [...state.messages].reverse().find((m) => has(m.card));
    if (!msg) throw new Error(`Teams: no ${what} in ${JSON.stringify(seen.buttons)}`);
    if (msg.ephemeral && state.by !== null && state.by !== as) throw new Error(`Teams: only ${state.by} sees the message with ${what}; ${as} cannot use it`);
    const now = currentView(msg.id, as) ?? (msg.ephemeral && state.by === as ? msg : undefined);
    if (!now || !has(now.card)) throw new Error(`Teams: ${as} no longer sees ${what} on that message; they see:\n${now ? plainText(now.card) : '(nothing)'}`);
    return now;
  }

  const postSeen = (p: Posted) => makeSeen(null, [trackedOf(p)], p.card);
  const channelMessages = (channel: Channel) => posted().filter((p) => channelOf(p.conversation) === CHANNELS[channel] && p.recipient === null);

  return {
    platform: 'Teams',
    get app() {
      return test().app;
    },
    async setup() {
      t = await startTeamsTest({ workers: true, env: { SANDBOX_ENABLED: 'true', WEBHOOKS_ALLOW_PRIVATE_TARGETS: 'true' } });
      await linkTenant(t, OWNER);
      // Teams has no admin flag Patchbay trusts: the Owner makes Adam an Admin by mentioning him.
      const res = await t.say(OWNER, `role @${ADMIN.name} admin`, { mentions: [ADMIN] });
      if (res.status !== 200) throw new Error(`Teams: role answered HTTP ${res.status}`);
      await t.idle();
      const roles = await sql<{ role: string }>(t.app.dbUrl, `select m.role from members m join chat_identities i on i.member_id = m.id where i.external_user_id = $1`, [ADMIN.id]);
      if (roles[0]?.role !== 'admin') throw new Error(`Teams: Adam should be an Admin, is ${JSON.stringify(roles)}`);
    },

    async command(as, line, opts = {}) {
      const s = test();
      const channel = CHANNELS[opts.channel ?? 'ops'];
      const from = s.connector.calls.length;
      const res = await s.say(USERS[as], line, { conversation: channel });
      if (res.status !== 200) throw new Error(`Teams: '@Patchbay ${line}' answered HTTP ${res.status}: ${JSON.stringify(res.body)}`);
      return await settle(as, channel, from, opts.until);
    },

    async click(as, seen, label, opts = {}) {
      const s = test();
      const hasButton = (card: Card) => buttonsOf(card).some((b) => b.title === label);
      const msg = target(as, seen, hasButton, `a button '${label}'`);
      const button = buttonsOf(msg.card).find((b) => b.title === label)!;
      if (button.type !== 'Action.Execute') throw new Error(`Teams: '${label}' is a link: it opens ${button.url}, Patchbay never hears of it`);
      const asks = button.verb === 'pb.ask';
      if (asks && opts.confirm === undefined) throw new Error(`Teams: '${label}' asks for confirmation first: say confirm: true or false`);
      if (!asks && opts.confirm !== undefined) throw new Error(`Teams: '${label}' does not ask for confirmation`);
      const channel = channelOf(msg.conversation);
      if (!asks) {
        const from = s.connector.calls.length;
        const { answer, raw } = await press(as, msg, button);
        return await settle(as, channel, from, opts.until, answer, raw);
      }
      // The press answers with a confirmation card (in place of the pressed one, for the presser only).
      const { answer: prompt } = await press(as, msg, button);
      const choices = buttonsOf(prompt.card);
      const confirm = choices.find((b) => b.verb === 'pb.confirm');
      const cancel = choices.find((b) => b.verb === 'pb.cancel');
      if (!confirm || !cancel || choices.length !== 2) throw new Error(`Teams: '${label}' should have answered with a Confirm / Cancel card; it showed ${JSON.stringify(choices.map((c) => c.title))}`);
      const from = s.connector.calls.length;
      const { answer, raw } = await press(as, prompt, opts.confirm ? confirm : cancel);
      return await settle(as, channel, from, opts.until, answer, raw);
    },

    async submit(as, seen, values, opts = {}) {
      const s = test();
      const hasForm = (card: Card) => formOf(card) !== undefined;
      const msg = target(as, seen, hasForm, 'the form');
      const body: any[] = msg.card.body;
      const names = formOf(msg.card)!.fields;
      const unknown = Object.keys(values).filter((k) => !names.includes(k));
      if (unknown.length) throw new Error(`Teams: the form has no field ${unknown.join(', ')} (it has ${names.join(', ')})`);
      // As a Teams client submits an Action.Execute with associatedInputs auto: the action's data and every input's value.
      // The client refuses a required input left empty, and offers only the choices listed.
      const inputs: Record<string, string> = {};
      for (const input of body.filter((e) => typeof e.type === 'string' && e.type.startsWith('Input.'))) {
        const value = input.id in values ? values[input.id]! : String(input.value ?? '');
        if (input.isRequired && !value) throw new Error(`Teams: '${input.id}' is required; the client will not submit the form without it`);
        if (input.type === 'Input.ChoiceSet' && value && !(input.choices as any[]).some((c) => c.value === value)) {
          throw new Error(`Teams: the choice '${input.id}' offers ${(input.choices as any[]).map((c) => c.value).join(', ')}, not ${value}`);
        }
        inputs[input.id] = value;
      }
      const submit = actionsOf(msg.card).find((a) => a.verb === 'pb.form');
      if (!submit) throw new Error('Teams: the form has no submit');
      const from = s.connector.calls.length;
      const { answer, raw } = await press(as, msg, submit, { ...submit.data, ...inputs });
      return await settle(as, channelOf(msg.conversation), from, opts.until, answer, raw);
    },

    async waitForChannelPost(channel, predicate, timeoutMs = 20_000) {
      return postSeen(await waitForPost('Teams', channel, () => channelMessages(channel), (x) => plainText(x.card), predicate, timeoutMs));
    },

    async channelPosts(channel) {
      return channelMessages(channel).map(postSeen);
    },

    async close() {
      await t?.close();
    },
  };
}
