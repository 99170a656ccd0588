/**
 * Per-connection URL overrides, as a provider definition declares them. A provider without a
 * declaration accepts none; one with a declaration accepts only the listed URLs, for the listed
 * auth kinds, on the listed schemes and host patterns, without query, fragment or credentials.
 * OAuth tokens only ever go to declared hosts: `oauth2` must be listed explicitly.
 * (Requests to an accepted override still go through the egress guard, src/net/egress.ts.)
 */
import { z } from 'zod';
import { allowListAdmits, isInternalAddress, NO_PRIVATE, normalizeIp, type AllowPrivate } from '../../net/addresses.ts';

export const URL_KEYS = ['apiBaseUrl', 'authorizeUrl', 'tokenUrl', 'revokeUrl'] as const;
export type UrlKey = (typeof URL_KEYS)[number];
export type AuthKindName = 'oauth2' | 'api_key' | 'basic' | 'inbound';

/** `api.example.com`, `*.example.com` (any depth below it), or `*` (any public host: self-managed installations). */
const hostPattern = z
  .string()
  .regex(/^(\*|(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+)$/, { error: 'must be a host name, *.domain or *' });

export const urlOverridesSpecSchema = z.strictObject({
  /** The URLs one connection may set. */
  fields: z.array(z.enum(URL_KEYS)).min(1),
  hosts: z.array(hostPattern).min(1),
  schemes: z.array(z.enum(['https', 'http'])).min(1).default(['https']),
  /** Connections of these auth kinds may carry the overrides. */
  authKinds: z.array(z.enum(['oauth2', 'api_key', 'basic'])).min(1),
});
export type UrlOverridesSpec = z.output<typeof urlOverridesSpecSchema>;

/** An API base URL the token response names (Salesforce `instance_url`, Pipedrive `api_domain`), limited to declared hosts. */
export const apiBaseUrlFromTokenSchema = z.strictObject({
  /** The token response field (kept in the credentials' `extra`). */
  field: z.string().min(1),
  hosts: z.array(hostPattern).min(1),
  /** Appended to the URL from the token response (e.g. `/api`). */
  path: z.string().regex(/^(\/[\w.~-]+)*$/).default(''),
});

/** A callback query parameter holding an origin (Zoho's `accounts-server`), and the URLs built on it. */
export const urlsFromCallbackSchema = z.strictObject({
  param: z.string().regex(/^[\w-]{1,40}$/),
  urls: z.array(z.strictObject({ field: z.enum(URL_KEYS), path: z.string().regex(/^(\/[\w.~-]+)+$/) })).min(1),
});

/** The overrides a callback's parameters name, before `permittedOverrides` checks them against the declared hosts. */
export function callbackOverrides(spec: z.output<typeof urlsFromCallbackSchema> | undefined, query: Record<string, string | undefined>): Partial<Record<UrlKey, string>> {
  const origin = spec ? query[spec.param]?.trim().replace(/\/+$/, '') : undefined;
  if (!spec || !origin || origin.length > 300) return {};
  return Object.fromEntries(spec.urls.map((u) => [u.field, `${origin}${u.path}`]));
}

type OverrideDefinition = {
  displayName: string;
  urlOverrides?: UrlOverridesSpec | undefined;
};

export function hostMatches(pattern: string, host: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  if (pattern === '*') return true;
  if (pattern.startsWith('*.')) return h.endsWith(pattern.slice(1)) && h.length > pattern.length - 1;
  return h === pattern;
}

/** Why a URL is not an acceptable override under these rules; null when it is. */
export function urlProblem(value: string, rules: { schemes: readonly string[]; hosts: readonly string[] }, allow: AllowPrivate = NO_PRIVATE): string | null {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return 'must be an absolute URL';
  }
  const scheme = u.protocol.replace(/:$/, '');
  if (!rules.schemes.includes(scheme)) return `must use ${rules.schemes.join(' or ')}`;
  if (u.username || u.password) return 'must not contain credentials';
  // `?` or `#` would let the override rewrite every request's path and query.
  if (u.search || u.hash || /[?#]/.test(value)) return 'must not have a query or fragment';
  if (!rules.hosts.some((p) => hostMatches(p, u.hostname))) return `must be on ${rules.hosts.join(' or ')}`;
  const ip = normalizeIp(u.hostname) ?? (/(^|\.)localhost\.?$/i.test(u.hostname) ? ({ address: '127.0.0.1', family: 4 } as const) : null);
  if (ip && isInternalAddress(ip) && !allowListAdmits(allow, u.hostname, ip)) {
    return 'must be a public host (loopback, private, link-local and metadata addresses are refused)';
  }
  return null;
}

/** The problems of a set of overrides, by field; empty when the definition accepts them all. */
export function overrideProblems(
  def: OverrideDefinition,
  authKind: AuthKindName,
  overrides: Partial<Record<UrlKey, string | undefined>> | undefined,
  allow: AllowPrivate = NO_PRIVATE,
): Array<{ field: UrlKey; message: string }> {
  const out: Array<{ field: UrlKey; message: string }> = [];
  const spec = def.urlOverrides;
  for (const [field, value] of Object.entries(overrides ?? {}) as Array<[UrlKey, string | undefined]>) {
    if (value === undefined || value.trim() === '') continue;
    let message: string | null;
    if (!spec) message = `${def.displayName} does not accept URL overrides`;
    else if (!spec.fields.includes(field)) message = `${def.displayName} accepts overrides of ${spec.fields.join(', ')} only`;
    else if (!(spec.authKinds as readonly AuthKindName[]).includes(authKind)) message = `${def.displayName} does not accept URL overrides for ${authKind} connections`;
    else message = urlProblem(value.trim(), spec, allow);
    if (message) out.push({ field, message });
  }
  return out;
}

/** The overrides the definition accepts for this auth kind (the rest dropped: legacy rows, re-authorization). */
export function permittedOverrides(
  def: OverrideDefinition,
  authKind: AuthKindName,
  overrides: Partial<Record<UrlKey, string | undefined>> | undefined,
  allow: AllowPrivate = NO_PRIVATE,
): Partial<Record<UrlKey, string>> {
  const refused = new Set(overrideProblems(def, authKind, overrides, allow).map((p) => p.field));
  const out: Partial<Record<UrlKey, string>> = {};
  for (const [field, value] of Object.entries(overrides ?? {}) as Array<[UrlKey, string | undefined]>) {
    if (value && value.trim() && !refused.has(field)) out[field] = value.trim();
  }
  return out;
}
