/**
 * The neutral reply's small Markdown subset → Slack mrkdwn (https://docs.slack.dev/messaging/formatting-message-text):
 * `**bold**` → `*bold*`, `` `code` `` stays, `[label](https://…)` → `<https://…|label>`, `<@U…>`
 * mentions stay, and `&`, `<`, `>` everywhere else are escaped as Slack requires. `plain()`
 * spans (text from outside) are only escaped: their `[x](https://…)` stays literal and their
 * `<!channel>` becomes `&lt;!channel&gt;`; elements holding one are sent `verbatim`, so Slack does
 * not auto-link their URLs or parse their @-mentions either.
 *
 * Clipping happens on the pieces before they are joined, so a cut never falls inside an escape
 * (`&amp;`), a link, a mention or a code span: a piece that does not fit is left out whole.
 */
import type { types } from '@slack/bolt';
import { BOLD_AROUND_PLAIN, flattenMarkup, literalRuns, PLAIN_OPEN } from '../../../src/commands/view.ts';

// One token at a time, left to right: code spans first (nothing inside them is interpreted).
const TOKEN = /`([^`\n]*)`|\*\*(.+?)\*\*|\[([^\]\n]+)\]\((https?:\/\/[^)\s]+)\)|<@([A-Za-z0-9_]+)>/g;

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Slack forbids `|` and `>` inside a link label; `*` would end a surrounding bold. */
const linkLabel = (s: string) => escape(s.replace(/[|]/g, '/').replace(/\*\*/g, ''));

/** Literal text as pieces of one character each (escaped), so a cut falls between characters. */
const literalPieces = (s: string) => Array.from(s, escape);

/** Markup as pieces: literal characters, and whole tokens that are never cut. */
function markupPieces(text: string): string[] {
  const out: string[] = [];
  let last = 0;
  for (const m of text.matchAll(TOKEN)) {
    out.push(...literalPieces(text.slice(last, m.index)));
    last = m.index + m[0].length;
    const [, codeSpan, boldText, label, url, user] = m;
    if (codeSpan !== undefined) out.push(`\`${escape(codeSpan)}\``);
    else if (boldText !== undefined) out.push(`*${toMrkdwn(boldText).replace(/\*/g, '')}*`);
    else if (label !== undefined && url !== undefined) out.push(`<${url.replace(/[|>]/g, encodeURIComponent)}|${linkLabel(label)}>`);
    else if (user !== undefined) out.push(`<@${user}>`);
  }
  out.push(...literalPieces(text.slice(last)));
  return out;
}

function runPieces(text: string): string[] {
  return literalRuns(text).flatMap((r) => (r.literal ? literalPieces(r.text) : markupPieces(r.text)));
}

/**
 * A bold around outside text (`**Linear <span>**`) is one whole piece. Slack has no escape for
 * `*`: when the outside text holds one, the bold is left off rather than the text changed.
 */
function pieces(text: string): string[] {
  const out: string[] = [];
  let last = 0;
  for (const m of text.matchAll(BOLD_AROUND_PLAIN)) {
    out.push(...runPieces(text.slice(last, m.index)));
    last = m.index + m[0].length;
    const inner = runPieces(m[1]!).join('');
    out.push(inner.includes('*') ? inner : `*${inner}*`);
  }
  out.push(...runPieces(text.slice(last)));
  return out;
}

/** Joins pieces within `max` characters, with an ellipsis when something was left out. */
function join(parts: string[], max: number): string {
  const total = parts.reduce((n, p) => n + p.length, 0);
  if (total <= max) return parts.join('');
  let out = '';
  for (const p of parts) {
    if (out.length + p.length > max - 1) break;
    out += p;
  }
  return `${out}…`;
}

export function toMrkdwn(text: string, max = Number.POSITIVE_INFINITY): string {
  return join(pieces(text), max);
}

/** A mrkdwn text object; `verbatim` when it holds text from outside. */
export function mrkdwnText(text: string, max = 3000): types.MrkdwnElement {
  return { type: 'mrkdwn', text: toMrkdwn(text, max), ...(text.includes(PLAIN_OPEN) ? { verbatim: true } : {}) };
}

/** Flattened for surfaces without formatting (headers, labels, titles): the core's one definition. */
export const toPlain = flattenMarkup;

/** Cuts plain text to Slack's length limits with an ellipsis, never mid-surrogate. */
export function clip(text: string, max: number): string {
  return join(Array.from(text), max);
}
