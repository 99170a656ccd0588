/**
 * The provider catalog: one line per provider folder. Each definition was validated with
 * `providerDefinitionSchema` when its folder loaded (`defineProvider`), so an invalid definition
 * fails at start-up, naming the provider and the fields.
 */
import { AppError } from '../errors.ts';
import { linear } from './linear/index.ts';
import type { Provider } from './types.ts';

const PROVIDERS: readonly Provider[] = [linear];

const bySlug = new Map<string, Provider>();
for (const p of PROVIDERS) {
  if (bySlug.has(p.definition.slug)) throw new Error(`Provider slug '${p.definition.slug}' is registered twice`);
  bySlug.set(p.definition.slug, p);
}

/** Every definition, validated (parsed) at load. */
export const providerDefinitions: ReadonlyArray<Provider['definition']> = PROVIDERS.map((p) => p.definition);

export function listProviders(): Provider[] {
  return [...PROVIDERS];
}

export function hasProvider(slug: string): boolean {
  return bySlug.has(slug);
}

/** The provider for a slug; an unknown slug is `not_found` with "Did you mean …?" suggestions. */
export function getProvider(slug: string): Provider {
  const p = bySlug.get(slug);
  if (p) return p;
  const suggestions = suggestSlugs(slug, [...bySlug.keys()]);
  const hint = suggestions.length ? ` Did you mean ${suggestions.join(' or ')}?` : ` Known providers: ${[...bySlug.keys()].join(', ')}.`;
  const shown = slug.length > 60 ? `${slug.slice(0, 60)}…` : slug;
  return throwNotFound(`Unknown provider '${shown}'.${hint}`, suggestions);
}

function throwNotFound(message: string, suggestions: string[]): never {
  throw new AppError('not_found', message, { details: { suggestions } });
}

/** Slugs within a small edit distance (or sharing a prefix), closest first, at most three. */
export function suggestSlugs(input: string, slugs: string[]): string[] {
  const needle = input.trim().toLowerCase();
  if (!needle) return [];
  const maxDistance = Math.max(2, Math.floor(needle.length / 3));
  return slugs
    .map((s) => ({ s, d: levenshtein(needle, s) }))
    .filter(({ s, d }) => d <= maxDistance || (needle.length >= 3 && s.startsWith(needle)))
    .sort((a, b) => a.d - b.d || a.s.localeCompare(b.s))
    .slice(0, 3)
    .map(({ s }) => s);
}

export function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
    }
    prev = cur;
  }
  return prev[b.length]!;
}
