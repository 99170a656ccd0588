/**
 * Drives Patchbay's Discord app as Discord does: interactions POSTed to /discord/interactions,
 * each signed with Ed25519 by a test key pair exactly as Discord signs them, against the real
 * server over HTTP, with the fake Discord REST API recording every follow-up and channel post.
 */
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { expect } from 'vitest';
import { discordCommandDefinitions } from '../../bots/discord/commands.ts';
import { formsOf, verbWords, type Form } from '../../src/commands/grammar.ts';
import { parseLine } from '../../src/commands/parse.ts';
import { findCommand } from '../../src/commands/registry.ts';
import { startFakeDiscord, type FakeDiscord } from '../fakes/discord-api.ts';
import { json, startTestApp, type TestApp } from '../helpers/app.ts';

export const APP_ID = '1100000000000000001';
export const GUILD = '1200000000000000001';
export const CHANNEL = '1300000000000000001';
export const BOT_TOKEN = 'MTEwMDAwMDAwMDAwMDAwMDAwMQ.fake.discord-bot-token';

export type DiscordUser = { id: string; name: string; permissions: string };

/** Discord computes every permission for a guild's owner; this one is read from the guild to be sure. */
export const OWNER: DiscordUser = { id: '1400000000000000001', name: 'olivia', permissions: '0' };
/** Administrator (1 << 3). */
export const ADMIN: DiscordUser = { id: '1400000000000000002', name: 'adam', permissions: String(1n << 3n) };
/** Manage Server (1 << 5) and the usual member permissions. */
export const MANAGER: DiscordUser = { id: '1400000000000000003', name: 'manon', permissions: String((1n << 5n) | (1n << 10n) | (1n << 11n)) };
/** View Channel, Send Messages, Read Message History: a plain member. */
export const MEMBER: DiscordUser = { id: '1400000000000000004', name: 'mia', permissions: String((1n << 10n) | (1n << 11n) | (1n << 16n)) };

export type Sent = { status: number; body: any };

export function testKeys(): { publicHex: string; privateKey: KeyObject } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const der = publicKey.export({ format: 'der', type: 'spki' });
  return { publicHex: der.subarray(der.length - 32).toString('hex'), privateKey };
}

export function signBody(privateKey: KeyObject, body: string, timestamp = Math.floor(Date.now() / 1000)): Record<string, string> {
  const ts = String(timestamp);
  return { 'x-signature-ed25519': sign(null, Buffer.from(ts + body), privateKey).toString('hex'), 'x-signature-timestamp': ts };
}

type Option = { name: string; type: number; value?: unknown; options?: Option[]; focused?: boolean };
type Def = { name: string; type?: number; options?: Def[] };

/** The interaction `data` of `/integrations <path…>` with these option values, typed as the registered definitions say. */
export function commandData(path: string[], values: Record<string, string | number | boolean> = {}, focused?: string): Record<string, unknown> {
  const root = discordCommandDefinitions()[0] as Def;
  let defs = root.options ?? [];
  const chain: Def[] = [];
  for (const name of path) {
    const d = defs.find((o) => o.name === name);
    if (!d) throw new Error(`no subcommand '${name}' under /${[root.name, ...chain.map((c) => c.name)].join(' ')}`);
    chain.push(d);
    defs = d.options ?? [];
  }
  const leaf: Option[] = Object.entries(values).map(([name, value]) => {
    const d = defs.find((o) => o.name === name);
    if (!d) throw new Error(`no option '${name}' on /${[root.name, ...path].join(' ')} (has ${defs.map((o) => o.name).join(', ')})`);
    return { name, type: d.type!, value, ...(focused === name ? { focused: true } : {}) };
  });
  let options: Option[] = leaf;
  for (const d of [...chain].reverse()) options = [{ name: d.name, type: d.type!, options }];
  return { id: '1500000000000000001', name: root.name, type: 1, options };
}

export type SlashValues = Record<string, string | number | boolean>;

const MENTION = /^<@!?([A-Za-z0-9._:-]+)(?:\|[^>]*)?>$/;

/** The option values `form` reads from a parsed line's arguments and flags, or null when it does not read them all. */
function valuesOfForm(form: Form, args: string[], flags: Set<string>): SlashValues | null {
  const lead = form.verb ? form.params.length - form.verb.params.length : form.params.length;
  const values: SlashValues = {};
  let i = 0;
  for (let k = 0; k <= form.params.length; k++) {
    if (form.verb && k === lead) {
      for (const w of verbWords(form.verb)) if (args[i++]?.toLowerCase() !== w) return null;
    }
    const p = form.params[k];
    if (!p) break;
    if (p.kind === 'flag') {
      if (flags.has(p.name)) values[p.name] = true;
      continue;
    }
    if (p.keyword) {
      if (args[i]?.toLowerCase() !== p.keyword) {
        if (p.required) return null;
        continue;
      }
      i++;
      if (i >= args.length) return null;
    }
    if (i >= args.length) {
      if (p.required) return null;
      continue;
    }
    const arg = args[i]!;
    if (p.rest) {
      values[p.name] = args.slice(i).join(' ');
      i = args.length;
    } else if (p.kind === 'choice' && p.multiple) {
      const taken: string[] = [];
      while (i < args.length && (p.choices ?? []).includes(args[i]!.toLowerCase())) taken.push(args[i++]!.toLowerCase());
      if (!taken.length && p.required) return null;
      if (taken.length) values[p.name] = taken.join(' ');
    } else if (p.kind === 'choice') {
      // Discord shows `project_management` as `project management` (commands.ts `choiceName`).
      const value = arg.toLowerCase().replace(/[\s-]+/g, '_');
      if (!(p.choices ?? []).includes(value)) return null;
      values[p.name] = value;
      i++;
    } else if (p.kind === 'integer') {
      const n = Number(arg);
      if (!Number.isSafeInteger(n)) return null;
      values[p.name] = n;
      i++;
    } else if (p.kind === 'user') {
      const m = MENTION.exec(arg);
      if (!m) return null;
      values[p.name] = m[1]!;
      i++;
    } else {
      values[p.name] = arg;
      i++;
    }
  }
  if (i !== args.length) return null;
  if ([...flags].some((f) => !form.params.some((p) => p.kind === 'flag' && p.name === f))) return null;
  return values;
}

/**
 * The slash command a person picks in Discord for a typed command line, read with the grammar
 * (src/commands/grammar.ts): `alerts here conflicts webhooks` → `/integrations alerts here` with
 * `kinds: 'conflicts webhooks'`. The inverse of `lineOfInteraction`. A verb written as words
 * (`rules sandbox add`) is preferred to a bare form (`rules sandbox`) that would leave them over.
 */
export function slashOfLine(line: string): { path: string[]; values: SlashValues } {
  const parsed = parseLine(line);
  const command = findCommand(parsed.name);
  if (!command) throw new Error(`no chat command '${parsed.name}' (from '${line}')`);
  const forms = formsOf(command);
  const bare = (f: Form) => (f.verb && verbWords(f.verb).length === 0 ? 1 : 0);
  for (const form of [...forms].sort((a, b) => bare(a) - bare(b))) {
    const values = valuesOfForm(form, parsed.args, parsed.flags);
    if (values) return { path: form.verb ? [command.name, form.verb.name] : [command.name], values };
  }
  throw new Error(`no form of /integrations ${command.name} reads '${line}'`);
}

export type DiscordTest = {
  app: TestApp;
  fake: FakeDiscord;
  keys: { publicHex: string; privateKey: KeyObject };
  /** POSTs a body to /discord/interactions, signed unless told otherwise. */
  send(body: string, opts?: { headers?: Record<string, string>; timestamp?: number; unsigned?: boolean }): Promise<Sent>;
  /** A signed interaction of `type` from `user` in the guild's channel; returns the sent id and token too. */
  interact(user: DiscordUser, type: number, data: Record<string, unknown>, opts?: { id?: string; message?: unknown; guild?: string | null; channel?: string }): Promise<Sent & { id: string; token: string }>;
  command(user: DiscordUser, path: string[], values?: Record<string, string | number | boolean>, opts?: { id?: string; guild?: string | null; channel?: string }): Promise<Sent & { id: string; token: string }>;
  click(user: DiscordUser, customId: string, message?: unknown, opts?: { channel?: string }): Promise<Sent & { id: string; token: string }>;
  submit(user: DiscordUser, customId: string, values: Record<string, string>): Promise<Sent & { id: string; token: string }>;
  /** The follow-ups (edits and messages) Discord received for an interaction token. */
  followUps(token: string): Array<{ method: string; body: any }>;
  waitForFollowUps(token: string, n?: number): Promise<Array<{ method: string; body: any }>>;
  idle(): Promise<void>;
  close(): Promise<void>;
};

let seq = 0;
const snowflake = () => String(1_600_000_000_000_000_000n + BigInt(++seq) + BigInt(process.pid) * 1_000_000n);

export async function startDiscordTest(opts: { env?: Record<string, string>; workers?: boolean } = {}): Promise<DiscordTest> {
  const fake = await startFakeDiscord();
  fake.guilds.set(GUILD, { name: 'Acme', ownerId: OWNER.id });
  const keys = testKeys();
  const app = await startTestApp({
    workers: opts.workers ?? false,
    env: {
      PUBLIC_URL: 'https://patchbay.example.test',
      DISCORD_APPLICATION_ID: APP_ID,
      DISCORD_PUBLIC_KEY: keys.publicHex,
      DISCORD_BOT_TOKEN: BOT_TOKEN,
      DISCORD_API_URL: `${fake.url}/api`,
      ...opts.env,
    },
  });
  const send: DiscordTest['send'] = async (body, o = {}) => {
    const headers: Record<string, string> = { 'content-type': 'application/json', ...(o.unsigned ? {} : signBody(keys.privateKey, body, o.timestamp)), ...o.headers };
    const res = await fetch(`${app.url}/discord/interactions`, { method: 'POST', headers, body });
    const text = await res.text();
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = text;
    }
    return { status: res.status, body: parsed };
  };
  const interact: DiscordTest['interact'] = async (user, type, data, o = {}) => {
    const id = o.id ?? snowflake();
    const token = `itoken-${id}`;
    const guild = o.guild === undefined ? GUILD : o.guild;
    const actor = { id: user.id, username: user.name, global_name: user.name };
    const body = {
      id,
      application_id: APP_ID,
      type,
      token,
      version: 1,
      data,
      channel_id: o.channel ?? CHANNEL,
      channel: { id: o.channel ?? CHANNEL, type: 0 },
      ...(guild ? { guild_id: guild, guild: { id: guild, locale: 'en-US', features: [] }, member: { user: actor, permissions: user.permissions, roles: [] } } : { user: actor }),
      ...(o.message ? { message: o.message } : {}),
      app_permissions: '2248473465835073',
      locale: 'en-US',
      context: guild ? 0 : 1,
    };
    return { ...(await send(JSON.stringify(body))), id, token };
  };
  const followUps = (token: string) => fake.calls.filter((c) => c.path.startsWith(`/webhooks/${APP_ID}/${token}`)).map((c) => ({ method: c.method, body: c.body }));
  const bot = () => (app.pb.rt.bots.find((b) => b.platform === 'discord') as unknown as { bot: { idle(): Promise<void> } }).bot;
  return {
    app,
    fake,
    keys,
    send,
    interact,
    command: (user, path, values = {}, o = {}) => interact(user, 2, commandData(path, values), o),
    click: (user, customId, message, o = {}) =>
      interact(user, 3, { custom_id: customId, component_type: 2 }, { message: message ?? { id: snowflake(), channel_id: CHANNEL, components: [], embeds: [] }, ...o }),
    submit: (user, customId, values) =>
      interact(user, 5, { custom_id: customId, components: Object.entries(values).map(([k, v]) => ({ type: 18, id: 1, component: { type: 4, id: 2, custom_id: k, value: v } })) }),
    followUps,
    async waitForFollowUps(token, n = 1) {
      const deadline = Date.now() + 10_000;
      while (followUps(token).length < n) {
        if (Date.now() > deadline) throw new Error(`expected ${n} follow-ups for ${token}, got ${JSON.stringify(followUps(token))}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return followUps(token);
    },
    idle: () => bot().idle(),
    async close() {
      await app.close();
      await fake.close();
    },
  };
}

/** Every button in a rendered Discord message (action rows). */
export function buttonsOf(msg: any): Array<{ custom_id?: string; url?: string; label: string; style: number }> {
  return (msg?.components ?? []).flatMap((row: any) => row.components ?? []);
}

export function buttonNamed(msg: any, label: string): { custom_id?: string; url?: string; label: string; style: number } {
  const found = buttonsOf(msg).find((b) => b.label === label);
  if (!found) throw new Error(`no button '${label}' in ${JSON.stringify(buttonsOf(msg).map((b) => b.label))}`);
  return found;
}

/** A message's visible text: content, and each embed's title, description, fields and footer. */
export function textOf(msg: any): string {
  const parts: string[] = [msg?.content ?? ''];
  for (const e of msg?.embeds ?? []) {
    parts.push(e.title ?? '', e.description ?? '', ...(e.fields ?? []).flatMap((f: any) => [f.name, f.value]), e.footer?.text ?? '');
  }
  return parts.filter(Boolean).join('\n');
}

/** Links the guild to the default workspace: a link code from the admin API, redeemed by `owner`. */
export async function linkGuild(t: DiscordTest, owner: DiscordUser): Promise<void> {
  const res = await t.app.fetch('/api/v1/chat/link-codes', { method: 'POST' });
  expect(res.status).toBe(201);
  const { code } = await json(res);
  const linked = await t.command(owner, ['link'], { code });
  expect(linked.status).toBe(200);
  expect(textOf(linked.body.data)).toMatch(/linked this Discord server/);
}
