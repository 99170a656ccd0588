/**
 * The neutral reply's small Markdown subset → Adaptive Card `RichTextBlock`s of `TextRun`s.
 *
 * Why no markdown at all: Teams parses a Markdown subset in `TextBlock.text` and in
 * `Fact.title` / `Fact.value` (bold, italic, lists, links), and its clients disagree on
 * backslash escapes (microsoft/AdaptiveCards #4677, #5590; msteams-docs #5793: desktop honours
 * `\*`, mobile showed the backslashes or still formatted). A `TextRun`'s text takes no markdown
 * ("Text to display. Markdown is not supported.", Adaptive Cards schema, TextRun, 1.2), so every
 * piece of text is a run and our markup becomes run properties instead of characters:
 *
 * - `**bold**` → `weight: "Bolder"`; `` `code` `` → `fontType: "Monospace"`;
 * - `[label](https://…)` → a run with `selectAction: Action.OpenUrl` (only http(s) URLs);
 * - `<@id>` → `@Name` when the caller knows the user's display name (`names`), else `someone`.
 *   Never a Teams mention: `<at>` only mentions with `msteams.entities`, which no card of ours
 *   carries, so no reply pings anyone (as on Discord: `allowed_mentions: { parse: [] }`).
 *
 * `plain()` spans (text from outside) are single literal runs. Two things a host could still
 * read in a TextRun are broken with a U+200B after their first character, invisibly:
 * `{{` (the DATE()/TIME() functions are evaluated in TextRuns too) and, as defence in depth for
 * hosts that autolink or parse mentions, `://`, `www.`, `<at`, and `@everyone`/`@here`/
 * `@channel`/`@team`. Our own markup runs get the `{{` and `@everyone` treatment as well.
 *
 * Clipping counts characters of the visible text and cuts between code points of a run (there
 * are no escapes to cut into); a link run that does not fit whole is left out.
 */
import { BOLD_AROUND_PLAIN, literalRuns, PLAIN_OPEN } from '../../../src/commands/view.ts';

export type OpenUrl = { type: 'Action.OpenUrl'; url: string; title?: string };

export type TextRun = {
  type: 'TextRun';
  text: string;
  weight?: 'Bolder';
  fontType?: 'Monospace';
  size?: 'Small' | 'Large';
  isSubtle?: boolean;
  color?: 'Accent' | 'Attention';
  underline?: boolean;
  selectAction?: OpenUrl;
};

/** How a line looks as a whole (headers, context lines, errors). */
export type LineStyle = { size?: 'Small' | 'Large'; weight?: 'Bolder'; isSubtle?: boolean; color?: 'Attention' };

export type RichTextBlock = {
  type: 'RichTextBlock';
  inlines: TextRun[];
  spacing?: 'None' | 'Small' | 'Medium';
  separator?: boolean;
};

/** Display names of users by the id our `<@id>` mentions carry; unknown users read `someone`. */
export type Names = ReadonlyMap<string, string>;

export const UNKNOWN_USER = 'someone';
export const LINK_URL_MAX = 2048;

const ZWSP = '\u200B';
const TOKEN = /`([^`\n]*)`|\*\*(.+?)\*\*|\[([^\]\n]+)\]\((https?:\/\/[^)\s]+)\)|<@([A-Za-z0-9:_.\-]+)>/g;

/** A styled piece of text before it becomes a run. */
type Seg = { text: string; bold?: boolean; code?: boolean; url?: string; outside?: boolean };

const PINGS = /@(everyone|here|channel|team)\b/gi;

/** Breaks what a host might still read in otherwise literal text (see the top of this file). */
export function inert(s: string, outside: boolean): string {
  let out = s.replace(/\{\{/g, `{${ZWSP}{`).replace(PINGS, `@${ZWSP}$1`);
  if (outside) out = out.replace(/:\/\//g, `:${ZWSP}//`).replace(/\bwww\./gi, (m) => `${m.slice(0, 3)}${ZWSP}.`).replace(/<(\/?)(at)/gi, (_m, slash: string, at: string) => `<${slash}${ZWSP}${at}`);
  return out;
}

const okUrl = (url: string) => /^https?:\/\/[^\s]+$/.test(url) && url.length <= LINK_URL_MAX;

function mentionText(id: string, names: Names | undefined): Seg {
  const name = names?.get(id)?.trim();
  return name ? { text: `@${name}`, outside: true } : { text: UNKNOWN_USER };
}

function markupSegs(text: string, bold: boolean, names: Names | undefined): Seg[] {
  const out: Seg[] = [];
  let last = 0;
  const lit = (s: string) => s && out.push({ text: s, ...(bold ? { bold } : {}) });
  for (const m of text.matchAll(TOKEN)) {
    lit(text.slice(last, m.index));
    last = m.index + m[0].length;
    const [, codeSpan, boldText, label, url, user] = m;
    if (codeSpan !== undefined) {
      if (codeSpan) out.push({ text: codeSpan, code: true, ...(bold ? { bold } : {}) });
    }
    else if (boldText !== undefined) out.push(...markupSegs(boldText, true, names));
    else if (label !== undefined && url !== undefined) out.push({ text: label.replace(/\*\*/g, ''), ...(okUrl(url) ? { url } : {}), ...(bold ? { bold } : {}) });
    else if (user !== undefined) out.push({ ...mentionText(user, names), ...(bold ? { bold } : {}) });
  }
  lit(text.slice(last));
  return out;
}

function runSegs(text: string, bold: boolean, names: Names | undefined): Seg[] {
  return literalRuns(text).flatMap((r) => (r.literal ? (r.text ? [{ text: r.text, outside: true, ...(bold ? { bold } : {}) }] : []) : markupSegs(r.text, bold, names)));
}

/** Neutral text as styled segments; a bold around outside text (`**Linear <span>**`) is matched whole first. */
function segments(text: string, names: Names | undefined): Seg[] {
  const out: Seg[] = [];
  let last = 0;
  for (const m of text.matchAll(BOLD_AROUND_PLAIN)) {
    out.push(...runSegs(text.slice(last, m.index), false, names));
    last = m.index + m[0].length;
    out.push(...runSegs(m[1]!, true, names));
  }
  out.push(...runSegs(text.slice(last), false, names));
  return out;
}

/** Cuts segments to `max` visible characters (code points), with `…` when something was left out. */
function clipSegs(segs: Seg[], max: number): Seg[] {
  const total = segs.reduce((n, s) => n + Array.from(s.text).length, 0);
  if (total <= max) return segs;
  const out: Seg[] = [];
  let room = Math.max(0, max - 1);
  for (const s of segs) {
    const chars = Array.from(s.text);
    if (chars.length <= room) {
      out.push(s);
      room -= chars.length;
      continue;
    }
    // A link is whole or not at all; other text is cut between code points.
    if (!s.url && room > 0) out.push({ ...s, text: chars.slice(0, room).join('') });
    break;
  }
  out.push({ text: '…' });
  return out;
}

function toRun(s: Seg, style: LineStyle): TextRun {
  const run: TextRun = { type: 'TextRun', text: inert(s.text, Boolean(s.outside)) };
  if (s.bold || style.weight) run.weight = 'Bolder';
  if (s.code) run.fontType = 'Monospace';
  if (style.size) run.size = style.size;
  if (style.isSubtle) run.isSubtle = true;
  if (style.color) run.color = style.color;
  if (s.url) {
    run.color = 'Accent';
    run.underline = true;
    run.selectAction = { type: 'Action.OpenUrl', url: s.url };
  }
  return run;
}

/** Neighbouring segments that look the same become one run. */
function merge(segs: Seg[]): Seg[] {
  const out: Seg[] = [];
  for (const s of segs) {
    const prev = out[out.length - 1];
    if (prev && !prev.url && !s.url && Boolean(prev.bold) === Boolean(s.bold) && Boolean(prev.code) === Boolean(s.code) && Boolean(prev.outside) === Boolean(s.outside)) {
      out[out.length - 1] = { ...prev, text: prev.text + s.text };
    } else out.push(s);
  }
  return out;
}

/**
 * Neutral text → one RichTextBlock per line (a run cannot hold a line break reliably), at most
 * `max` visible characters in all. A blank line becomes `spacing: "Medium"` on the next line;
 * later lines of a paragraph sit right under the one before (`spacing: "None"`).
 */
export function toRichText(text: string, opts: { max?: number; style?: LineStyle; names?: Names } = {}): RichTextBlock[] {
  const segs = clipSegs(segments(text.replace(/\r\n?/g, '\n'), opts.names), opts.max ?? Number.POSITIVE_INFINITY);
  const lines: Seg[][] = [[]];
  for (const s of segs) {
    const parts = s.text.split('\n');
    parts.forEach((p, i) => {
      if (i > 0) lines.push([]);
      if (p) lines[lines.length - 1]!.push({ ...s, text: p });
    });
  }
  const out: RichTextBlock[] = [];
  let blank = false;
  for (const line of lines) {
    if (!line.some((s) => s.text.trim())) {
      blank = out.length > 0;
      continue;
    }
    const block: RichTextBlock = { type: 'RichTextBlock', inlines: merge(line).map((s) => toRun(s, opts.style ?? {})) };
    if (out.length) block.spacing = blank ? 'Medium' : 'None';
    out.push(block);
    blank = false;
  }
  return out;
}

/**
 * The subset flattened for places that show plain text (button titles, input labels, the
 * activity's fallback text): markup dropped, mentions as names, `plain()` spans as they came
 * (with the same invisible breaks as runs get), at most `max` code points in all.
 */
export function toPlainText(text: string, max = Number.POSITIVE_INFINITY, names?: Names): string {
  // Made inert before clipping, so `max` holds for the result (a cut inside `@` + U+200B + `everyone` leaves it inert).
  const segs = segments(text.replace(/\r\n?/g, '\n'), names).map((s) => ({ text: inert(s.text, Boolean(s.outside)) }));
  return clipSegs(segs, max)
    .map((s) => s.text)
    .join('');
}

/** Whether the text holds a `plain()` span. */
export const hasOutsideText = (text: string) => text.includes(PLAIN_OPEN);

/** The visible text of blocks (tests, size checks). */
export const visibleText = (blocks: RichTextBlock[]) => blocks.map((b) => b.inlines.map((r) => r.text).join('')).join('\n');
