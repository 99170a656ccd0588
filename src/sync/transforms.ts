/**
 * The value conversions of field mapping (src/sync/mapping.ts), each a pure pair of functions:
 * in (the provider's raw value → the API's representation) and out (back to the provider's form).
 * Local values are always as the API shows them: days `YYYY-MM-DD`, date-times UTC
 * `toISOString()`, lists as string arrays, null for empty.
 */

// ------------------------------------------------------------------ title syntax (HourStack)

/** `[1h30m]`, `[75m]`, `[1h]`, `[30m]` (case-insensitive; spaces inside allowed: `[1h 30m]`). */
const BRACKET = /\[\s*(?:(\d{1,4})\s*h)?\s*(?:(\d{1,5})\s*m(?:in)?)?\s*\]/i;

export type TitleBracket = {
  /** The bracket exactly as the provider's title had it, e.g. `[75m]`. */
  bracket: string;
  minutes: number;
  /** Where it was: before the title, after it, or inside it at `index` of the local title. */
  position: 'start' | 'end' | 'middle';
  index: number;
};

/** Splits a pulled title into the local title (bracket removed, trimmed) and its minutes. */
export function parseTitleMinutes(title: string): { title: string; minutes: number | null; bracket: TitleBracket | null } {
  const m = BRACKET.exec(title);
  if (!m || (m[1] === undefined && m[2] === undefined)) return { title: title.trim(), minutes: null, bracket: null };
  const minutes = Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0);
  const before = title.slice(0, m.index).trimEnd();
  const after = title.slice(m.index + m[0].length).trimStart();
  const local = (before && after ? `${before} ${after}` : before + after).trim();
  const position = !before.trim() ? 'start' : !after.trim() ? 'end' : 'middle';
  return { title: local, minutes, bracket: { bracket: m[0], minutes, position, index: before.trim().length } };
}

/** `[1h15m]`, `[2h]`, `[45m]`, `[0m]`. */
export function canonicalBracket(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const r = minutes % 60;
  return `[${h ? `${h}h` : ''}${r || !h ? `${r}m` : ''}]`;
}

/**
 * The provider's title for a local title and minutes: no bracket when minutes are null; the
 * provider's own bracket (`[75m]`) while the minutes are those it was pulled with and unchanged
 * here since the last sync (`baseMinutes`); the canonical form when they changed here. The
 * bracket goes where it was (default: at the end).
 */
export function formatTitleMinutes(title: string, minutes: number | null, kept: TitleBracket | null, baseMinutes: number | null | undefined): string {
  if (minutes === null) return title;
  const unchanged = kept !== null && kept.minutes === minutes && (baseMinutes === undefined || baseMinutes === minutes);
  const bracket = unchanged ? kept.bracket : canonicalBracket(minutes);
  const position = kept?.position ?? 'end';
  if (!title) return bracket;
  if (position === 'start') return `${bracket} ${title}`;
  if (position === 'middle' && kept && kept.index > 0 && kept.index < title.length) {
    return `${title.slice(0, kept.index).trimEnd()} ${bracket} ${title.slice(kept.index).trimStart()}`;
  }
  return `${title} ${bracket}`;
}

// ------------------------------------------------------------------ names

/**
 * A full name from its parts (first, [middle,] last), blanks skipped; null when all are empty.
 */
export function joinName(parts: unknown[]): string | null {
  const words = parts.map((p) => (typeof p === 'string' ? p.trim() : p == null ? '' : String(p))).filter(Boolean);
  return words.length ? words.join(' ') : null;
}

/**
 * A full name into `count` parts. Two parts: split on the **last** space (`Ada King Lovelace` →
 * `Ada King` + `Lovelace`), because CRMs treat the last name as the sort key and most compound
 * given names are left of it; one word is a first name with a null last name. Three parts: first
 * word, middle words, last word.
 */
export function splitName(name: string | null, count: number): Array<string | null> {
  const words = (name ?? '').trim().split(/\s+/).filter(Boolean);
  if (!words.length) return Array.from({ length: count }, () => null);
  if (words.length === 1) return [words[0]!, ...Array.from({ length: count - 1 }, () => null)];
  const last = words.at(-1)!;
  if (count === 2) return [words.slice(0, -1).join(' '), last];
  const middle = words.slice(1, -1).join(' ');
  return [words[0]!, middle || null, last];
}

// ------------------------------------------------------------------ rich text

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', ndash: '–', mdash: '—', hellip: '…', rsquo: '’', lsquo: '‘', rdquo: '”', ldquo: '“', copy: '©', reg: '®', euro: '€' };

export function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, e: string) => {
    if (e[0] === '#') {
      const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED[e.toLowerCase()] ?? whole;
  });
}

/** HTML → plain text: paragraphs and blocks become blank lines, `<br>` a newline, list items `- `, entities decoded. */
export function htmlToText(html: string): string | null {
  const text = html
    .replace(/\r\n?/g, '\n')
    .replace(/<(script|style)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, '')
    .replace(/\s*\n\s*/g, ' ') // source newlines are only whitespace in HTML
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<li\b[^>]*>/gi, '\n- ')
    .replace(/<\/(p|div|h[1-6]|ul|ol|blockquote|pre|table|tr)\s*>/gi, '\n\n')
    .replace(/<(p|div|h[1-6]|ul|ol|blockquote|pre|table|tr)\b[^>]*>/gi, '\n\n')
    .replace(/<[^>]*>/g, '');
  const decoded = decodeEntities(text)
    .split('\n')
    .map((l) => l.replace(/[ \t]+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return decoded || null;
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Plain text → HTML: one `<p>` per paragraph (blank-line separated), single newlines as `<br>`. */
export function textToHtml(text: string | null): string | null {
  if (text === null || !text.trim()) return null;
  return text
    .replace(/\r\n?/g, '\n')
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => `<p>${p.split('\n').map(escapeHtml).join('<br>')}</p>`)
    .join('');
}

// ------------------------------------------------------------------ dates and times

const DAY = /^(\d{4}-\d{2}-\d{2})(?:$|[T ])/;

/**
 * A calendar day from a date or date-time. A date-time's day is the one **as written** (in its
 * own offset: `2026-12-04T23:00:00-05:00` is the 4th), because that is the day its author chose;
 * epoch numbers are read in UTC. Null for anything else.
 */
export function toDay(v: unknown): string | null {
  if (typeof v === 'string') {
    const m = DAY.exec(v.trim());
    if (m && !Number.isNaN(Date.parse(`${m[1]}T00:00:00Z`))) return m[1]!;
    return null;
  }
  if (typeof v === 'number' && Number.isFinite(v)) return new Date(v).toISOString().slice(0, 10);
  if (v instanceof Date && !Number.isNaN(v.getTime())) return v.toISOString().slice(0, 10);
  return null;
}

/** A date-time in UTC `toISOString()` form (offsets applied; a bare day is midnight UTC); null when unreadable. */
export function toUtcIso(v: unknown): string | null {
  if (v === null || v === undefined || v === '') return null;
  const d = v instanceof Date ? v : typeof v === 'number' ? new Date(v) : typeof v === 'string' ? new Date(/^\d{4}-\d{2}-\d{2}$/.test(v.trim()) ? `${v.trim()}T00:00:00Z` : v.trim()) : null;
  return d && !Number.isNaN(d.getTime()) ? d.toISOString() : null;
}

/**
 * A local day written to a provider date-time: the provider's own value when it still falls on
 * that day (its time of day and offset kept), otherwise midnight UTC of the day.
 */
export function dayToDateTime(day: string | null, previousRemote: unknown): string | null {
  if (day === null) return null;
  if (typeof previousRemote === 'string' && toDay(previousRemote) === day) return previousRemote;
  return `${day}T00:00:00.000Z`;
}

// ------------------------------------------------------------------ lists

/** `a;b`, `a, b` or an array → a list of trimmed, non-empty strings; also the separator it used. */
export function splitList(v: unknown): { list: string[]; separator: string | null } {
  if (v === null || v === undefined) return { list: [], separator: null };
  if (Array.isArray(v)) return { list: v.map((x) => String(x).trim()).filter(Boolean), separator: null };
  const s = String(v);
  const sep = /;/.test(s) ? (/;\s/.test(s) ? '; ' : ';') : /,/.test(s) ? (/,\s/.test(s) ? ', ' : ',') : null;
  return { list: s.split(/[;,]/).map((x) => x.trim()).filter(Boolean), separator: sep };
}

/** A list → the provider's delimited string (its own separator when known, else `;`); null when empty. */
export function joinList(list: unknown, separator: string | null | undefined): string | null {
  const items = Array.isArray(list) ? list.map(String).filter(Boolean) : [];
  return items.length ? items.join(separator ?? ';') : null;
}

// ------------------------------------------------------------------ enums

const DONE_LIKE = ['done', 'completed', 'complete', 'closed', 'resolved', 'finished', 'archived', 'cancelled', 'canceled', 'true', '1'];

const norm = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');

/** The local status a provider value most likely means (`completed` → `done`), or null. */
export function guessLocalEnum(remote: string, localValues: readonly string[]): string | null {
  const n = norm(remote);
  const exact = localValues.find((l) => norm(l) === n);
  if (exact) return exact;
  if (localValues.includes('done') && DONE_LIKE.includes(n)) return 'done';
  if (localValues.includes('open')) return 'open';
  return null;
}

/** For each local value, the provider value that most likely means it (enum_map `values`). */
export function guessEnumValues(localValues: readonly string[], remoteValues: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of localValues) {
    const exact = remoteValues.find((r) => norm(r) === norm(l));
    const guessed = exact ?? remoteValues.find((r) => guessLocalEnum(r, localValues) === l && (l !== 'open' || !DONE_LIKE.includes(norm(r))));
    if (guessed) out[l] = guessed;
  }
  return out;
}
