/**
 * Suggestions while a chat user types a typed option (Discord autocomplete), by the grammar's kind
 * (src/commands/grammar.ts): the provider slugs, the linked team's live connections, the command
 * names. Read-only and quick (Discord waits 3 s); an unlinked team gets nothing. The command that
 * runs afterwards checks everything again, so a suggestion grants nothing.
 */
import type { ChatPlatform } from '../entities/chat-team.ts';
import { Connection } from '../entities/connection.ts';
import { cachedTeam, isLinked } from '../chat/tenancy.ts';
import { getProvider, hasProvider, listProviders } from '../providers/registry.ts';
import type { Runtime } from '../runtime.ts';
import { clip, type ParamKind } from './grammar.ts';
import { commands } from './registry.ts';

export type Suggestion = { name: string; value: string };

/** Discord shows at most 25 suggestions; names and values are at most 100 characters. */
export const MAX_SUGGESTIONS = 25;
const MAX_TEXT = 100;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Candidate = Suggestion & { keys: string[] };

/** Those whose keys start with the typed text first, then those containing it; case-insensitive. */
function matching(candidates: Candidate[], partial: string): Suggestion[] {
  const typed = partial.trim().toLowerCase();
  const score = (c: Candidate) => {
    const keys = c.keys.map((k) => k.toLowerCase());
    if (!typed) return 1;
    if (keys.some((k) => k.startsWith(typed))) return 0;
    return keys.some((k) => k.includes(typed)) ? 1 : -1;
  };
  return candidates
    .map((c) => ({ c, s: score(c) }))
    .filter((x) => x.s >= 0)
    .sort((a, b) => a.s - b.s || a.c.name.localeCompare(b.c.name))
    .slice(0, MAX_SUGGESTIONS)
    .map(({ c }) => ({ name: clip(c.name, MAX_TEXT), value: c.value }));
}

async function connections(rt: Runtime, where: { platform: ChatPlatform; teamId: string }): Promise<Candidate[]> {
  const team = await cachedTeam(rt, where.platform, where.teamId);
  if (!isLinked(team)) return [];
  const rows = await rt.em().find(Connection, { workspace: team.workspace, status: { $ne: 'disconnected' } }, { orderBy: { displayName: 'asc', id: 'asc' } });
  const count = new Map<string, number>();
  for (const r of rows) count.set(r.displayName.toLowerCase(), (count.get(r.displayName.toLowerCase()) ?? 0) + 1);
  return rows.map((r) => {
    const provider = hasProvider(r.providerSlug) ? getProvider(r.providerSlug).definition.displayName : r.providerSlug;
    // The name is what the line carries, unless it would not name this connection alone (then its id).
    const byName = count.get(r.displayName.toLowerCase()) === 1 && r.displayName.length <= MAX_TEXT && r.displayName.trim() !== '' && !UUID.test(r.displayName);
    const status = r.status === 'connected' ? '' : ` · ${r.status}`;
    return { name: `${r.displayName} — ${provider}${status}`, value: byName ? r.displayName : r.id, keys: [r.displayName, r.providerSlug, provider] };
  });
}

function providers(): Candidate[] {
  return listProviders().map((p) => ({ name: `${p.definition.displayName} (${p.definition.slug})`, value: p.definition.slug, keys: [p.definition.slug, p.definition.displayName] }));
}

/**
 * Suggestions for an option of this kind given what is typed so far (at most 25, names and values
 * at most 100 characters): providers by slug or name; the connections of the workspace the team
 * is linked to (not disconnected ones), valued by display name (by id when the name would not do);
 * command names. Other kinds, and teams not linked, get none.
 */
export async function completeOption(rt: Runtime, where: { platform: ChatPlatform; teamId: string }, kind: ParamKind, partial: string): Promise<Suggestion[]> {
  switch (kind) {
    case 'provider':
      return matching(providers(), partial);
    case 'connection':
      return matching(await connections(rt, where), partial);
    case 'command':
      return matching(commands.map((c) => ({ name: c.name, value: c.name, keys: [c.name] })), partial);
    default:
      return [];
  }
}
