/**
 * Command lines: `pause "Linear Eng"`, `role <@U123> admin`, `disconnect 6f1c… --confirmed`.
 * Double, single and typographic quotes group words (chat clients turn "…" into “…”); a
 * backslash escapes a quote inside double quotes. Mentions arrive as `<@U123>` (Slack, and what
 * the Discord and Teams bots turn their mentions into), `<@U123|name>` or Discord's `<@!123>`.
 */
import { AppError } from '../errors.ts';

export type ParsedLine = {
  /** Lowercased command name ('' for an empty line). */
  name: string;
  /** Positional arguments, quotes removed. */
  args: string[];
  /** `--flags` (lowercased, without dashes). */
  flags: Set<string>;
};

const OPEN_CLOSE: Record<string, string> = { '"': '"', "'": "'", '“': '”', '”': '”', '‘': '’', '’': '’' };

/** A token, and whether any of it was quoted (a quoted `"--confirmed"` is an argument, never a flag). */
type Token = { text: string; quoted: boolean };

export function tokenize(text: string): string[] {
  return scan(text).map((t) => t.text);
}

function scan(text: string): Token[] {
  const tokens: Token[] = [];
  let cur = '';
  let has = false;
  let quoted = false;
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      // Inside double quotes a backslash escapes `"`, `\` and the typographic `”` that also closes them (quoteArg writes these).
      if (ch === '\\' && quote === '"' && (text[i + 1] === '"' || text[i + 1] === '\\' || text[i + 1] === '”')) {
        cur += text[++i];
      } else if (ch === quote || (quote === '”' && ch === '"') || (quote === '"' && ch === '”')) {
        quote = null;
      } else {
        cur += ch;
      }
      continue;
    }
    if (/\s/.test(ch)) {
      if (has) tokens.push({ text: cur, quoted });
      cur = '';
      has = false;
      quoted = false;
    } else if (ch in OPEN_CLOSE && !has) {
      quote = OPEN_CLOSE[ch]!;
      has = true;
      quoted = true;
    } else {
      cur += ch;
      has = true;
    }
  }
  if (quote) throw new AppError('validation_failed', 'A quote is not closed: put names with spaces in "double quotes".');
  if (has) tokens.push({ text: cur, quoted });
  return tokens;
}

/**
 * Parses a line; a leading `/integrations` (pasted from a chat client) is ignored. Only an
 * unquoted `--word` is a flag: a quoted one (a name that looks like a flag) stays an argument.
 */
export function parseLine(text: string): ParsedLine {
  const tokens = scan(text.trim());
  if (tokens[0] && !tokens[0].quoted && /^\/\w+$/.test(tokens[0].text)) tokens.shift();
  const flags = new Set<string>();
  const args: string[] = [];
  for (const t of tokens.slice(1)) {
    if (!t.quoted && /^--[a-z][a-z0-9-]*$/i.test(t.text)) flags.add(t.text.slice(2).toLowerCase());
    else args.push(t.text);
  }
  return { name: (tokens[0]?.text ?? '').toLowerCase(), args, flags };
}

/** `<@U123>`, `<@U123|ada>`, `<@!123>` → the user id (and label when given); anything else → null. */
export function parseMention(token: string): { userId: string; label?: string } | null {
  const m = /^<@!?([A-Za-z0-9._:-]+)(?:\|([^>]*))?>$/.exec(token.trim());
  if (!m) return null;
  return m[2] ? { userId: m[1]!, label: m[2] } : { userId: m[1]! };
}
