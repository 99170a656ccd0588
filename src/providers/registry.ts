/**
 * The provider catalog: one line per provider folder. Each definition was validated with
 * `providerDefinitionSchema` when its folder loaded (`defineProvider`), so an invalid definition
 * fails at start-up, naming the provider and the fields.
 */
import { AppError } from '../errors.ts';
import { requestedScopes } from './_shared/oauth.ts';
import { oauthAppFromEnv, type RawConfig } from './_shared/urls.ts';
import { authModes } from './docs.ts';
import { airtable } from './airtable/index.ts';
import { asana } from './asana/index.ts';
import { clickup } from './clickup/index.ts';
import { discord } from './discord/index.ts';
import { dropbox } from './dropbox/index.ts';
import { github } from './github/index.ts';
import { gitlab } from './gitlab/index.ts';
import { gmail } from './gmail/index.ts';
import { googleCalendar } from './google-calendar/index.ts';
import { googleSheets } from './google-sheets/index.ts';
import { hubspot } from './hubspot/index.ts';
import { jira } from './jira/index.ts';
import { linear } from './linear/index.ts';
import { microsoft365 } from './microsoft-365/index.ts';
import { microsoftTeams } from './microsoft-teams/index.ts';
import { monday } from './monday/index.ts';
import { notion } from './notion/index.ts';
import { pipedrive } from './pipedrive/index.ts';
import { salesforce } from './salesforce/index.ts';
import { sandbox } from './sandbox/index.ts';
import { slack } from './slack/index.ts';
import { stripe } from './stripe/index.ts';
import { trello } from './trello/index.ts';
import { twilio } from './twilio/index.ts';
import { zapier } from './zapier/index.ts';
import { zohoCrm } from './zoho-crm/index.ts';
import type { Provider } from './types.ts';
import type { LocalObject } from '../sync/types.ts';

const PROVIDERS: readonly Provider[] = [airtable, asana, clickup, discord, dropbox, github, gitlab, gmail, googleCalendar, googleSheets, hubspot, jira, linear, microsoft365, microsoftTeams, monday, notion, pipedrive, salesforce, sandbox, slack, stripe, trello, twilio, zapier, zohoCrm];

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

/** One catalog entry as `GET /api/v1/providers` shows it (no secrets). */
export type ProviderCatalogEntry = {
  slug: string;
  displayName: string;
  category: string;
  docsUrl: string;
  /** `inbound`: the service calls Patchbay with a Patchbay API token (Zapier); nothing to type. */
  authModes: Array<'oauth2' | 'api_key' | 'basic' | 'inbound'>;
  authDescription: string;
  /** Whether a connection can be made now: credential fields exist, or the instance's OAuth app is configured. */
  configured: boolean;
  /** Whether PROVIDER_<SLUG>_CLIENT_ID/_CLIENT_SECRET are set; null for providers without OAuth. (A workspace's own app is the caller's to add.) */
  oauthConfigured: boolean | null;
  /** `sync`: a rule can sync it (the provider has an adapter for it), paired with `localObject`. */
  objects: Array<{ name: string; direction: 'in' | 'out' | 'both'; scopes: string[]; sync: boolean; localObject: LocalObject | null }>;
  /** Scopes an OAuth connection requests (default + every object's). */
  scopes: string[];
  credentialFields: Array<{ name: string; label: string; secret: boolean; pattern?: string; help?: string; optional?: boolean }>;
  revokes: boolean;
  revokeNote: string | null;
};

export function providerCatalogEntry(provider: Provider, config: RawConfig): ProviderCatalogEntry {
  const d = provider.definition;
  const modes: ProviderCatalogEntry['authModes'] = [];
  if (d.auth.oauth2) modes.push('oauth2');
  if (d.auth.credentials) modes.push(d.auth.credentials.kind);
  if (d.auth.inbound) modes.push('inbound');
  const oauthConfigured = d.auth.oauth2 ? oauthAppFromEnv(provider, config) !== null : null;
  return {
    slug: d.slug,
    displayName: d.displayName,
    category: d.category,
    docsUrl: d.docsUrl,
    authModes: modes,
    authDescription: authModes(provider).join('; '),
    configured: d.auth.credentials !== undefined || d.auth.inbound !== undefined || oauthConfigured === true,
    oauthConfigured,
    objects: d.objects.map((o) => {
      const adapter = provider.adapters.find((a) => a.remoteObject === o.name);
      return { name: o.name, direction: o.direction, scopes: [...o.scopes], sync: adapter !== undefined, localObject: adapter?.localObject ?? null };
    }),
    scopes: d.auth.oauth2 ? requestedScopes(d) : [],
    credentialFields: (d.auth.credentials?.fields ?? []).map((f) => ({ ...f })),
    revokes: provider.connector.revoke !== undefined,
    revokeNote: d.revokeNote ?? null,
  };
}

export function providerCatalog(config: RawConfig): ProviderCatalogEntry[] {
  return listProviders().map((p) => providerCatalogEntry(p, config));
}
