/**
 * The neutral reply model: what every command and alert returns, and what each platform renders
 * (Slack Block Kit, Discord components, Teams Adaptive Cards, plain text in the terminal).
 *
 * Text uses a small Markdown subset every renderer can translate: `**bold**`, `` `code` ``,
 * `[label](https://…)` links, and `<@userId>` mentions of users of the platform the invocation
 * came from. Nothing else is interpreted. Text from outside (a provider's error description, an
 * OAuth callback, an account name, a record title) is wrapped with `plain()`: every renderer
 * shows it literally in its own format — never as a link, a mention or formatting.
 *
 * Buttons never carry behaviour, only a command line (`{ command: 'pause', args: [id] }`) that
 * the platform runs back through `runCommand` when clicked — so every click is re-authorized on
 * the server with the clicker's own role. A `confirm` asks first (Slack confirm dialog, Discord
 * follow-up prompt, Teams card). Forms collect secrets and settings (at most five inputs, what a
 * Discord modal holds): platforms open them as a modal (Slack
 * `views.open`, Discord modal) or a card with inputs (Teams), and send the values to `submitForm`.
 */
import type { ConnectionStatus } from '../entities/connection.ts';

export type Visibility = 'ephemeral' | 'in_channel';

/** Re-run `command args…` through the core when clicked. */
export type CommandAction = { command: string; args: string[] };
/** Open a URL (OAuth authorize links, provider settings). */
export type UrlAction = { url: string };

export type Confirm = { title: string; text: string; confirmLabel: string; denyLabel: string };

export type Button = {
  label: string;
  action: CommandAction | UrlAction;
  /** Default: neutral. `danger` for destructive actions (they also carry a `confirm`). */
  style?: 'primary' | 'danger';
  confirm?: Confirm;
};

export type Field = { label: string; value: string };

export type FormField = {
  name: string;
  label: string;
  /** Secret inputs are masked where the platform can, and never echoed back. */
  secret: boolean;
  placeholder?: string;
  help?: string;
  /** Default false. */
  optional?: boolean;
  /** A choice among these (Slack static select, Discord select, Teams choice set); `value` is submitted. */
  options?: Array<{ value: string; label: string }>;
  /** Prefilled value (an option's value for choices); an empty answer at the terminal takes it. */
  initial?: string;
  /** Several lines of text (Slack multiline input, Discord paragraph). */
  multiline?: boolean;
};

export type Block =
  | { type: 'header'; text: string }
  | { type: 'section'; text: string; fields?: Field[]; accessory?: Button }
  | { type: 'context'; text: string }
  | { type: 'divider' }
  | { type: 'actions'; buttons: Button[] }
  /** Submitted values go to `submitForm(rt, invocation, id, values)`. At most one form per reply. */
  | { type: 'form'; id: string; title: string; intro?: string; fields: FormField[]; submitLabel: string };

export type NeutralReply = {
  /** `ephemeral`: only the invoking user sees it (errors, denials, reads); `in_channel`: results of admin actions, alerts. */
  visibility: Visibility;
  /** Plain fallback (notifications, screen readers, platforms without blocks). Never contains secrets. */
  text: string;
  blocks: Block[];
  /** When the invocation came from a button on a message: replace that message instead of posting a new one. Default false. */
  replaceOriginal?: boolean;
  /** Form submissions only: per-field problems to show on the still-open form (nothing was done). */
  fieldErrors?: Record<string, string>;
  /** Set (by `chatReplyOf`) when the reply reports an error: its stable code, for styling, metrics and exit codes. */
  error?: { code: string };
};

export function isUrlAction(a: CommandAction | UrlAction): a is UrlAction {
  return 'url' in a;
}

/**
 * Quotes an argument when the tokenizer would otherwise split it. Inside the double quotes, `"`,
 * `\` and `”` (which also closes them) are escaped. A bare `--flag` stays a flag (buttons pass
 * `--confirmed` this way); quote values that must stay arguments yourself (grammar.ts does).
 */
export function quoteArg(arg: string): string {
  return /^[^\s"'“”‘’]+$/.test(arg) ? arg : `"${arg.replace(/(["\\”])/g, '\\$1')}"`;
}

/** The command line a button runs, e.g. `pause 6f1c…`. */
export function commandLine(a: CommandAction): string {
  return [a.command, ...a.args.map(quoteArg)].join(' ');
}

export function reply(visibility: Visibility, text: string, blocks?: Block[]): NeutralReply {
  return { visibility, text, blocks: blocks ?? [{ type: 'section', text }] };
}

export const ephemeral = (text: string, blocks?: Block[]) => reply('ephemeral', text, blocks);
export const inChannel = (text: string, blocks?: Block[]) => reply('in_channel', text, blocks);

export function commandButton(
  label: string,
  command: string,
  args: string[],
  opts: { style?: 'primary' | 'danger'; confirm?: Confirm } = {},
): Button {
  return { label, action: { command, args }, ...opts };
}

export function urlButton(label: string, url: string, style?: 'primary'): Button {
  return { label, action: { url }, ...(style ? { style } : {}) };
}

/**
 * The delimiters of a `plain()` span: private-use code points, which no provider text or user
 * input carries (plain() removes any that do), so a span cannot be closed from inside.
 */
export const PLAIN_OPEN = '\uE000';
export const PLAIN_CLOSE = '\uE001';
const PLAIN_MARKS = /[\uE000\uE001]/g;

/** Marks text from outside as literal text for every renderer (see the top of this file). */
export const plain = (s: string) => `${PLAIN_OPEN}${s.replace(PLAIN_MARKS, '')}${PLAIN_CLOSE}`;

/** Neutral text as runs of markup (`literal: false`) and `plain()` spans (`literal: true`), in order. */
export function literalRuns(text: string): Array<{ literal: boolean; text: string }> {
  const out: Array<{ literal: boolean; text: string }> = [];
  const re = /\uE000([^\uE000\uE001]*)\uE001?/g;
  let last = 0;
  for (const m of text.matchAll(re)) {
    if (m.index > last) out.push({ literal: false, text: text.slice(last, m.index).replace(PLAIN_MARKS, '') });
    out.push({ literal: true, text: m[1]! });
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push({ literal: false, text: text.slice(last).replace(PLAIN_MARKS, '') });
  return out;
}

/**
 * The markup subset flattened for surfaces that show no formatting (headers, button labels,
 * titles): bold, code and links become their text; `plain()` spans' text stays as it is (unmarked).
 */
export function flattenMarkup(text: string): string {
  return literalRuns(text.replace(BOLD_AROUND_PLAIN, '$1'))
    .map((r) =>
      r.literal
        ? r.text
        : r.text
            .replace(/\*\*(.+?)\*\*/g, '$1')
            .replace(/`([^`\n]*)`/g, '$1')
            .replace(/\[([^\]\n]+)\]\((https?:\/\/[^)\s]+)\)/g, '$1'),
    )
    .join('');
}

/** The text with the `plain()` marks removed, for surfaces that show everything literally anyway. */
export const unmarkPlain = (text: string) => text.replace(PLAIN_MARKS, '');

/** Bold; `**` inside is dropped from our markup only, never from a `plain()` span (outside text stays as typed). */
export const bold = (s: string) =>
  `**${literalRuns(s)
    .map((r) => (r.literal ? plain(r.text) : r.text.replace(/\*\*/g, '')))
    .join('')}**`;

/**
 * `bold()` around text holding `plain()` spans (`**Linear <span>**`): its `**` fall in the markup
 * runs on either side of the span, so renderers, which read markup run by run, match it whole
 * with this first (group 1: the inside). A `**` inside a span cannot end it.
 */
export const BOLD_AROUND_PLAIN = new RegExp(
  // Only at an opening `**`: everything before it holds its `**` in pairs (spans skipped), so the
  // closing `**` of an earlier bold (`**A** … <span> … **B <span>**`) never opens a match.
  String.raw`(?<=^(?:\uE000[^\uE000\uE001]*\uE001|[^*\uE000\uE001]|\*(?!\*)|\*\*(?:\uE000[^\uE000\uE001]*\uE001|[^*\uE000\uE001]|\*(?!\*))*?\*\*)*)` +
    String.raw`\*\*((?:\*(?!\*)|[^*\uE000\uE001]|\uE000[^\uE000\uE001]*\uE001)*?\uE000[^\uE000\uE001]*\uE001(?:\*(?!\*)|[^*\uE000\uE001]|\uE000[^\uE000\uE001]*\uE001)*?)\*\*`,
  'g',
);
export const code = (s: string) => `\`${s.replace(/`/g, "'")}\``;
export const mention = (userId: string) => `<@${userId}>`;

/** Emoji per status; renderers may map them to their own icons. */
export const STATUS_EMOJI: Record<ConnectionStatus, string> = {
  connected: '✅',
  paused: '⏸',
  errored: '❌',
  disconnected: '⚪',
};

/** `✅ connected`, `⏸ paused (rate limit)`, … */
export function statusBadge(status: ConnectionStatus, pausedBy?: string | null): string {
  const extra = status === 'paused' && pausedBy === 'rate_limit' ? ' (rate limit)' : '';
  return `${STATUS_EMOJI[status]} ${status}${extra}`;
}

/** `2026-11-22 14:05 UTC (in 3 min)` — absolute for the record, relative for the reader. */
export function formatWhen(iso: string | Date | null | undefined, now = Date.now()): string {
  if (!iso) return 'never';
  const d = typeof iso === 'string' ? new Date(iso) : iso;
  const abs = `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  const diff = Math.round((d.getTime() - now) / 1000);
  const mag = Math.abs(diff);
  const rel =
    mag < 45 ? `${mag} s` : mag < 3570 ? `${Math.round(mag / 60)} min` : mag < 36 * 3600 ? `${Math.round(mag / 3600)} h` : `${Math.round(mag / 86400)} d`;
  return `${abs} (${diff >= 0 ? `in ${rel}` : `${rel} ago`})`;
}
