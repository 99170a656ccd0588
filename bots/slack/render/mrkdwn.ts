/**
 * The neutral reply's small Markdown subset → Slack mrkdwn (https://docs.slack.dev/messaging/formatting-message-text):
 * `**bold**` → `*bold*`, `` `code` `` stays, `[label](https://…)` → `<https://…|label>`, `<@U…>`
 * mentions stay, and `&`, `<`, `>` everywhere else are escaped as Slack requires.
 */

// One token at a time, left to right: code spans first (nothing inside them is interpreted).
const TOKEN = /`([^`\n]*)`|\*\*(.+?)\*\*|\[([^\]\n]+)\]\((https?:\/\/[^)\s]+)\)|<@([A-Za-z0-9_]+)>/g;

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Slack forbids `|` and `>` inside a link label; `*` would end a surrounding bold. */
const linkLabel = (s: string) => escape(s.replace(/[|]/g, '/').replace(/\*\*/g, ''));

export function toMrkdwn(text: string): string {
  let out = '';
  let last = 0;
  for (const m of text.matchAll(TOKEN)) {
    out += escape(text.slice(last, m.index));
    last = m.index + m[0].length;
    const [, codeSpan, boldText, label, url, user] = m;
    if (codeSpan !== undefined) out += `\`${escape(codeSpan)}\``;
    else if (boldText !== undefined) out += `*${toMrkdwn(boldText).replace(/\*/g, '')}*`;
    else if (label !== undefined && url !== undefined) out += `<${url.replace(/[|>]/g, encodeURIComponent)}|${linkLabel(label)}>`;
    else if (user !== undefined) out += `<@${user}>`;
  }
  return out + escape(text.slice(last));
}

/** The same subset flattened for `plain_text` fields (headers, button labels, modal titles). */
export function toPlain(text: string): string {
  return text
    .replace(/\*\*(.+?)\*\*/g, '$1')
    .replace(/`([^`\n]*)`/g, '$1')
    .replace(/\[([^\]\n]+)\]\((https?:\/\/[^)\s]+)\)/g, '$1');
}

/** Cuts to Slack's length limits with an ellipsis, never mid-surrogate. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const chars = Array.from(text);
  let out = '';
  for (const ch of chars) {
    if (out.length + ch.length > max - 1) break;
    out += ch;
  }
  return `${out}…`;
}
