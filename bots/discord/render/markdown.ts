/**
 * The neutral reply's small Markdown subset → Discord markdown
 * (https://support.discord.com/hc/en-us/articles/210298617). Discord already reads `**bold**`,
 * `` `code` ``, `[label](https://…)` (masked links are allowed in bot messages and embeds) and
 * `<@id>` mentions, so those tokens pass through. Everything else is literal text, escaped with a
 * backslash where Discord would read it (Discord's escape rule takes `\` before any ASCII
 * punctuation):
 *
 * - in our own markup: `\ * _ ~ ` | < > [ ] #`, line-start `-` and `1.` (lists, `-#` subtext),
 *   so nothing but the subset is interpreted. Bare URLs in our markup still autolink.
 * - in `plain()` spans (text from outside): the same, plus `( ) :`. Escaping `:` makes a bare
 *   URL inert (`https\://…` renders as `https://…` but is neither linked nor unfurled) and keeps
 *   `:emoji:` shortcodes literal; escaping `<` makes `<@…>`, `<@&…>`, `<#…>`, `</cmd:id>`,
 *   `<t:…>` and `<:x:1>` plain text; `[x](https://evil)` cannot form a masked link.
 * - everywhere: `@everyone` / `@here` get a U+200B after the `@` (and messages never allow a
 *   ping anyway: `allowed_mentions: { parse: [] }`, see message.ts).
 *
 * Clipping happens on pieces before they are joined (like the Slack renderer): an escape
 * (`\*`), a token (bold, code, link, mention) or a neutralised `@​everyone` is one piece, and a
 * piece that does not fit is left out whole, so a cut never falls inside one.
 *
 * Footers, author names, button labels and modal texts render no markdown at all: they take
 * `toPlain` (markup flattened, `plain()` spans exactly as they came, no backslashes).
 */
import { BOLD_AROUND_PLAIN, flattenMarkup, literalRuns, PLAIN_OPEN } from '../../../src/commands/view.ts';

/** Where the text goes: `rich` renders links and mentions; `title` (embed titles, field names) shows a link's label only. */
export type MarkdownMode = 'rich' | 'title';

// One token at a time, left to right: code spans first (nothing inside them is interpreted).
const TOKEN = /`([^`\n]*)`|\*\*(.+?)\*\*|\[([^\]\n]+)\]\((https?:\/\/[^)\s]+)\)|<@!?([0-9]+)>/g;

const ALWAYS = new Set(['\\', '*', '_', '~', '`', '|', '<', '>', '[', ']', '#']);
const OUTSIDE_ONLY = new Set(['(', ')', ':']);
const ZWSP = '\u200B';

/**
 * Literal text as pieces of one character each (escaped where Discord would read it). `outside`:
 * text from a `plain()` span, which also loses its links and emoji. `lineStart`: the text starts a
 * line (a span is always treated as if it did: its surroundings are not known here).
 */
function literalPieces(s: string, outside: boolean, lineStart: boolean): string[] {
  const chars = Array.from(s);
  const out: string[] = [];
  let atLineStart = lineStart;
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (ch === '\n') {
      out.push(ch);
      atLineStart = true;
      continue;
    }
    if (atLineStart && (ch === ' ' || ch === '\t')) {
      out.push(ch);
      continue;
    }
    if (atLineStart && /[0-9]/.test(ch)) {
      // `12. item` is a numbered list: the dot is escaped (`12\. item`), the digits stay.
      let j = i;
      while (j < chars.length && /[0-9]/.test(chars[j]!)) out.push(chars[j++]!);
      if (chars[j] === '.') {
        out.push('\\.');
        j++;
      }
      i = j - 1;
      atLineStart = false;
      continue;
    }
    const wasLineStart = atLineStart;
    atLineStart = false;
    if (ALWAYS.has(ch) || (outside && OUTSIDE_ONLY.has(ch)) || (wasLineStart && (ch === '-' || ch === '+'))) out.push(`\\${ch}`);
    else if (ch === '@' && /^(everyone|here)/i.test(chars.slice(i + 1, i + 9).join(''))) out.push(`@${ZWSP}`);
    else out.push(ch);
  }
  return out;
}

/** Link labels: no nested brackets or bold; escaped like literal text. */
const linkLabel = (s: string) => literalPieces(s.replace(/\*\*/g, ''), false, false).join('');

/** Markup as pieces: literal characters, and whole tokens that are never cut. */
function markupPieces(text: string, mode: MarkdownMode, lineStart: boolean): string[] {
  const out: string[] = [];
  let last = 0;
  let atStart = lineStart;
  const literal = (s: string) => {
    if (!s) return;
    out.push(...literalPieces(s, false, atStart));
    atStart = s.endsWith('\n');
  };
  for (const m of text.matchAll(TOKEN)) {
    literal(text.slice(last, m.index));
    last = m.index + m[0].length;
    atStart = false;
    const [, codeSpan, boldText, label, url, user] = m;
    if (codeSpan !== undefined) out.push(codeSpan ? `\`${codeSpan}\`` : '');
    else if (boldText !== undefined) out.push(`**${pieces(boldText, mode, false).join('')}**`);
    else if (label !== undefined && url !== undefined) out.push(mode === 'rich' ? `[${linkLabel(label)}](${url})` : linkLabel(label));
    else if (user !== undefined) out.push(`<@${user}>`);
  }
  literal(text.slice(last));
  return out;
}

function runPieces(text: string, mode: MarkdownMode, lineStart: boolean): string[] {
  const out: string[] = [];
  let atStart = lineStart;
  for (const r of literalRuns(text)) {
    out.push(...(r.literal ? literalPieces(r.text, true, true) : markupPieces(r.text, mode, atStart)));
    atStart = r.text.endsWith('\n');
  }
  return out;
}

/** A bold around outside text (`**Linear <span>**`) is one whole piece; Discord escapes a `*` inside it. */
function pieces(text: string, mode: MarkdownMode, lineStart = true): string[] {
  const out: string[] = [];
  let last = 0;
  for (const m of text.matchAll(BOLD_AROUND_PLAIN)) {
    out.push(...runPieces(text.slice(last, m.index), mode, last === 0 ? lineStart : false));
    last = m.index + m[0].length;
    out.push(`**${runPieces(m[1]!, mode, false).join('')}**`);
  }
  out.push(...runPieces(text.slice(last), mode, last === 0 ? lineStart : false));
  return out.filter((p) => p !== '');
}

/** Joins pieces within `max` UTF-16 units (what Discord's limits count, or more), with an ellipsis when something was left out. */
function join(parts: string[], max: number): string {
  const total = parts.reduce((n, p) => n + p.length, 0);
  if (total <= max) return parts.join('');
  if (max <= 0) return '';
  let out = '';
  for (const p of parts) {
    if (out.length + p.length > max - 1) break;
    out += p;
  }
  return `${out}…`;
}

/** Neutral text → Discord markdown, at most `max` characters (never cut inside an escape or a token). */
export function toDiscord(text: string, max = Number.POSITIVE_INFINITY, mode: MarkdownMode = 'rich'): string {
  return join(pieces(text, mode), max);
}

/** Outside text on its own (as if wrapped in `plain()`), escaped for Discord. */
export function escapeOutside(text: string, max = Number.POSITIVE_INFINITY): string {
  return join(literalPieces(text, true, true), max);
}

/** Whether the text needs markdown to read right (bold, code, a link or a mention of ours): such text cannot go where Discord renders none. */
export function hasMarkup(text: string): boolean {
  if (new RegExp(BOLD_AROUND_PLAIN.source).test(text)) return true;
  return literalRuns(text).some((r) => !r.literal && new RegExp(TOKEN.source).test(r.text));
}

/** Flattened for surfaces without formatting (headers, labels, titles): the core's one definition. */
export const toPlain = flattenMarkup;

/** Cuts plain text to a limit with an ellipsis, never mid-surrogate. */
export function clip(text: string, max: number): string {
  return join(Array.from(text), max);
}

/** Whether the text holds a `plain()` span. */
export const hasOutsideText = (text: string) => text.includes(PLAIN_OPEN);

/** A button label (≤80): Discord renders no markdown there; never empty. */
export const buttonLabel = (label: string, max = 80) => clip(toPlain(label), max).trim() || '…';
