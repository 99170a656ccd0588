/**
 * Connections are named in chat by display name or provider slug, case-insensitively (buttons
 * use the id). An unknown name gets "Did you mean …?"; a slug shared by several connections
 * lists them.
 */
import type { ConnectionView } from '../connections/view.ts';
import { AppError } from '../errors.ts';
import { suggestSlugs } from '../providers/registry.ts';
import type { CommandContext } from './types.ts';
import { plain, quoteArg } from './view.ts';

/** A name as typed by an admin, quoted as a command argument, shown literally. */
const named = (displayName: string) => plain(quoteArg(displayName));

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type ResolveOptions = {
  /** Also match disconnected connections (by id, or by name when no live one has it). Default false. */
  includeDisconnected?: boolean;
};

/** Finds one connection by id, display name or provider slug; throws a helpful `not_found`/`validation_failed` otherwise. */
export async function resolveConnection(ctx: CommandContext, name: string | undefined, opts: ResolveOptions = {}): Promise<ConnectionView> {
  if (!name?.trim()) throw new AppError('validation_failed', 'Name a connection (its display name or provider).');
  const needle = name.trim();
  const all = await ctx.connections.list(ctx.caller, { includeDisconnected: true });
  if (UUID.test(needle)) {
    const byId = all.find((c) => c.id === needle.toLowerCase());
    // Buttons carry ids: a disconnected one is returned too, and the service explains what it cannot do.
    if (byId) return byId;
    throw new AppError('not_found', `No connection with id ${plain(needle)}.`);
  }
  const lower = needle.toLowerCase();
  const live = all.filter((c) => c.status !== 'disconnected');
  const byName = live.find((c) => c.displayName.toLowerCase() === lower);
  if (byName) return byName;
  const bySlug = live.filter((c) => c.provider === lower);
  if (bySlug.length === 1) return bySlug[0]!;
  if (bySlug.length > 1) {
    const names = bySlug.map((c) => named(c.displayName)).join(', ');
    throw new AppError('validation_failed', `Several connections use ${bySlug[0]!.providerName}: ${names}. Name one of them.`, {
      details: { candidates: bySlug.map((c) => ({ id: c.id, displayName: c.displayName })) },
    });
  }
  if (opts.includeDisconnected) {
    const gone = all.filter((c) => c.status === 'disconnected' && (c.displayName.toLowerCase() === lower || c.provider === lower));
    if (gone.length) return gone.sort((a, b) => (b.disconnectedAt ?? '').localeCompare(a.disconnectedAt ?? ''))[0]!;
  }
  // Suggest among the names people type: display names and slugs of live connections.
  const original = new Map<string, string>();
  for (const c of live) {
    original.set(c.provider, c.provider);
    if (!original.has(c.displayName.toLowerCase())) original.set(c.displayName.toLowerCase(), c.displayName);
  }
  const suggested = suggestSlugs(lower, [...original.keys()]).map((s) => quoteArg(original.get(s)!));
  const shown = needle.length > 60 ? `${needle.slice(0, 60)}…` : needle;
  const hint = suggested.length
    ? ` Did you mean ${suggested.map((s) => plain(s)).join(' or ')}?`
    : live.length
      ? ` Connections: ${live.map((c) => named(c.displayName)).join(', ')}.`
      : ` There are no connections yet: add one with ${'`'}${ctx.cmd('connect <provider>')}${'`'}.`;
  // What was typed is echoed literally: a command line is text from outside too.
  throw new AppError('not_found', `No connection '${plain(shown)}'.${hint}`, { details: { suggestions: suggested } });
}
