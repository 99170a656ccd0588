/**
 * Registers the `/integrations` definitions with Discord (`npm run discord:register`), in one guild
 * (instant; DISCORD_GUILD_ID) or globally. Idempotent: it reads what Discord has, compares it with
 * ours once the fields Discord adds or defaults are set aside, and only when they differ sends one
 * bulk overwrite (PUT) — which also removes commands of this app, in that scope, that we no longer
 * define. Through discord.js's REST client, which waits out Discord's per-route rate limits.
 */
import { REST, Routes, type RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord.js';
import { z } from 'zod';
import { discordCommandDefinitions } from './commands.ts';

export type RegisterOptions = {
  applicationId: string;
  token: string;
  /** Register in this guild only; global when absent. */
  guildId?: string;
  /** Discord's API base, e.g. a local fake `http://127.0.0.1:4000/api`; default Discord's own. */
  apiUrl?: string;
  /** Default: `discordCommandDefinitions()`. */
  definitions?: RESTPostAPIChatInputApplicationCommandsJSONBody[];
};

export type RegisterResult = {
  scope: 'global' | 'guild';
  route: string;
  /** False when Discord already had exactly these definitions (nothing was sent). */
  changed: boolean;
  /** One line per difference: `added /integrations`, `changed /integrations: rules, alerts`, `removed /old`. */
  changes: string[];
};

/** Fields Discord adds to what it stores (ids, versions) or sends back with their defaults. */
const SERVER_FIELDS = new Set(['id', 'application_id', 'version', 'guild_id', 'default_permission', 'dm_permission', 'name_localized', 'description_localized']);

/** A definition as a comparable value: server fields dropped, defaults (`false`, `null`, `[]`, `type: 1`) dropped, keys sorted. */
export function normalizeCommand(value: unknown, top = true): unknown {
  if (Array.isArray(value)) return value.map((v) => normalizeCommand(v, false));
  if (!value || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const v = (value as Record<string, unknown>)[key];
    if (top && SERVER_FIELDS.has(key)) continue;
    if (v === undefined || v === null || v === false || (Array.isArray(v) && v.length === 0)) continue;
    if (top && key === 'type' && v === 1) continue;
    if (top && key === 'nsfw') continue;
    out[key] = normalizeCommand(v, false);
  }
  return out;
}

const same = (a: unknown, b: unknown) => JSON.stringify(normalizeCommand(a)) === JSON.stringify(normalizeCommand(b));

/** Only what the comparison reads of Discord's answer; the rest passes through untouched. */
const storedCommands = z.array(z.looseObject({ name: z.string(), options: z.array(z.looseObject({ name: z.string() })).optional() }));
/** A command as Discord stores it (only the names are read; the rest is compared as a whole). */
export type StoredCommand = { name: string; options?: ReadonlyArray<{ name: string }> };

/** What differs between what Discord has and what we define, by command and by subcommand. */
export function commandChanges(current: readonly StoredCommand[], wanted: RESTPostAPIChatInputApplicationCommandsJSONBody[]): string[] {
  const changes: string[] = [];
  const have = new Map(current.map((c) => [c.name, c]));
  for (const w of wanted) {
    const c = have.get(w.name);
    if (!c) {
      changes.push(`added /${w.name}`);
      continue;
    }
    if (same(c, w)) continue;
    const theirs = new Map((c.options ?? []).map((o) => [o.name, o]));
    const ours = w.options ?? [];
    const parts = ours.filter((o) => !theirs.has(o.name) || !same(theirs.get(o.name), o)).map((o) => (theirs.has(o.name) ? o.name : `+${o.name}`));
    for (const name of theirs.keys()) if (!ours.some((o) => o.name === name)) parts.push(`-${name}`);
    changes.push(`changed /${w.name}${parts.length ? `: ${parts.join(', ')}` : ' (its settings)'}`);
  }
  for (const c of current) if (!wanted.some((w) => w.name === c.name)) changes.push(`removed /${c.name}`);
  return changes;
}

export async function registerDiscordCommands(opts: RegisterOptions): Promise<RegisterResult> {
  const rest = new REST({ ...(opts.apiUrl ? { api: opts.apiUrl.replace(/\/+$/, '') } : {}) }).setToken(opts.token);
  const route = opts.guildId ? Routes.applicationGuildCommands(opts.applicationId, opts.guildId) : Routes.applicationCommands(opts.applicationId);
  const wanted = opts.definitions ?? discordCommandDefinitions();
  const current = storedCommands.parse(await rest.get(route));
  const changes = commandChanges(current, wanted);
  if (changes.length) await rest.put(route, { body: wanted });
  return { scope: opts.guildId ? 'guild' : 'global', route, changed: changes.length > 0, changes };
}
