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

export function tokenize(text: string): string[] {
  const tokens: string[] = [];
  let cur = '';
  let has = false;
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      if (ch === '\\' && quote === '"' && (text[i + 1] === '"' || text[i + 1] === '\\')) {
        cur += text[++i];
      } else if (ch === quote || (quote === '”' && ch === '"') || (quote === '"' && ch === '”')) {
        quote = null;
      } else {
        cur += ch;
      }
      continue;
    }
    if (/\s/.test(ch)) {
      if (has) tokens.push(cur);
      cur = '';
      has = false;
    } else if (ch in OPEN_CLOSE && !has) {
      quote = OPEN_CLOSE[ch]!;
      has = true;
    } else {
      cur += ch;
      has = true;
    }
  }
  if (quote) throw new AppError('validation_failed', 'A quote is not closed: put names with spaces in "double quotes".');
  if (has) tokens.push(cur);
  return tokens;
}

/** Parses a line; a leading `/integrations` (pasted from a chat client) is ignored. */
export function parseLine(text: string): ParsedLine {
  const tokens = tokenize(text.trim());
  if (tokens[0] && /^\/\w+$/.test(tokens[0])) tokens.shift();
  const flags = new Set<string>();
  const args: string[] = [];
  for (const t of tokens.slice(1)) {
    if (/^--[a-z][a-z0-9-]*$/i.test(t)) flags.add(t.slice(2).toLowerCase());
    else args.push(t);
  }
  return { name: (tokens[0] ?? '').toLowerCase(), args, flags };
}

/** `<@U123>`, `<@U123|ada>`, `<@!123>` → the user id (and label when given); anything else → null. */
export function parseMention(token: string): { userId: string; label?: string } | null {
  const m = /^<@!?([A-Za-z0-9._:-]+)(?:\|([^>]*))?>$/.exec(token.trim());
  if (!m) return null;
  return m[2] ? { userId: m[1]!, label: m[2] } : { userId: m[1]! };
}
