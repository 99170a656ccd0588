/**
 * Redaction of one connection's secrets from free text: the exact credential values (and their
 * URL-encoded and Basic-encoded forms) are replaced first, then `scrubText` masks anything that
 * merely looks like a token.
 */
import { scrubText } from '../../logger.ts';
import type { Credentials, Provider } from '../types.ts';

export const REDACTED = '[REDACTED]';

/** Values shorter than this are not replaced verbatim (too likely to hit ordinary text). */
const MIN_SECRET_LENGTH = 4;

/** The secret strings of a set of credentials, as they may appear on the wire. */
export function secretValues(provider: Provider | null, credentials: Credentials | null, extra: Array<string | undefined> = []): string[] {
  const raw: string[] = [];
  if (credentials?.type === 'oauth2') {
    raw.push(credentials.accessToken);
    if (credentials.refreshToken) raw.push(credentials.refreshToken);
  } else if (credentials && credentials.type !== 'inbound') {
    const declared = new Map((provider?.definition.auth.credentials?.fields ?? []).map((f) => [f.name, f]));
    const values = Object.entries(credentials.fields);
    for (const [name, value] of values) {
      // Undeclared fields are treated as secret; declared non-secret ones (an account id) are not.
      if (declared.get(name)?.secret === false) continue;
      raw.push(value);
    }
    // The Basic header of the first two fields, as it would be sent.
    const [a, b] = basicPair(provider, credentials.fields);
    if (a !== undefined && b !== undefined) raw.push(Buffer.from(`${a}:${b}`).toString('base64'));
  }
  for (const e of extra) if (e) raw.push(e);
  const out = new Set<string>();
  for (const v of raw) {
    if (typeof v !== 'string' || v.length < MIN_SECRET_LENGTH) continue;
    out.add(v);
    out.add(encodeURIComponent(v));
    out.add(new URLSearchParams({ v }).toString().slice(2));
  }
  // Longest first, so a value containing another is replaced whole.
  return [...out].sort((x, y) => y.length - x.length);
}

/** The first two credential fields in the order the definition declares them. */
export function basicPair(provider: Provider | null, fields: Record<string, string>): [string | undefined, string | undefined] {
  const order = provider?.definition.auth.credentials?.fields.map((f) => f.name) ?? [];
  const names = [...order.filter((n) => n in fields), ...Object.keys(fields).filter((n) => !order.includes(n))];
  return [names[0] === undefined ? undefined : fields[names[0]], names[1] === undefined ? undefined : fields[names[1]]];
}

export type Redactor = (text: string) => string;

export function createRedactor(secrets: string[]): Redactor {
  return (text: string) => {
    let out = text;
    for (const s of secrets) if (out.includes(s)) out = out.split(s).join(REDACTED);
    return scrubText(out);
  };
}
