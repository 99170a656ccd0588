/**
 * The one mapping from an error to a chat reply (as `httpStatusOf` is for HTTP and `isRetryable`
 * for jobs). Always ephemeral: only the person who asked sees what went wrong.
 */
import { correlationId as currentCorrelationId } from '../context.ts';
import { ERROR_CODES, toAppError } from '../errors.ts';
import type { Command } from './types.ts';
import { code, ephemeral, plain, type Block, type NeutralReply } from './view.ts';

/**
 * Codes whose message may quote a provider (its error body, an OAuth `error_description`). The
 * message is marked here, where it becomes chat text, not where it is made: the same errors go
 * to the API, the logs and status reasons, which must carry the text without chat marks.
 */
const QUOTES_PROVIDER = new Set<string>(['provider_auth_failed', 'provider_error']);

/** The grammar and examples of a command, as lines for usage errors and `help <command>`. */
export function usageText(command: Pick<Command, 'usage' | 'examples'>, prefix: string): string {
  const p = prefix ? `${prefix} ` : '';
  const lines = [`Usage: ${code(p + command.usage)}`];
  if (command.examples.length) lines.push(`Examples: ${command.examples.map((e) => code(p + e)).join(' · ')}`);
  return lines.join('\n');
}

export type ChatReplyOptions = { command?: Pick<Command, 'name' | 'usage' | 'examples'>; prefix?: string; correlationId?: string };

/** Turns anything thrown into an ephemeral neutral reply. Never shows a stack trace or an unknown error's text. */
export function chatReplyOf(err: unknown, opts: ChatReplyOptions = {}): NeutralReply {
  const e = toAppError(err);
  const prefix = opts.prefix ?? '/integrations';
  const p = prefix ? `${prefix} ` : '';
  const cid = opts.correlationId ?? currentCorrelationId();
  const shape = ERROR_CODES[e.code].chat;
  // A 5xx's message is never shown: its text can describe internals. The reference finds the logs.
  const message = 'generic' in shape ? shape.generic : QUOTES_PROVIDER.has(e.code) ? plain(e.message) : e.message;
  const blocks: Block[] = [];
  let text = `${shape.icon} ${message}`;
  switch ('then' in shape ? shape.then : undefined) {
    case 'role': {
      text += ' Nothing was changed.';
      const need = (e.details as { requiredRole?: string } | null)?.requiredRole;
      const hint = need ? ` Ask an Owner to grant you the role with ${code(`${p}role @you ${need === 'owner' ? 'owner' : 'admin'}`)}.` : '';
      blocks.push({ type: 'section', text: `${text}${hint}` });
      break;
    }
    case 'usage':
      blocks.push({ type: 'section', text });
      if (opts.command) blocks.push({ type: 'context', text: usageText(opts.command, prefix) });
      break;
    case 'reference':
      if (e.retryAfterSeconds) text += ` Try again in ${e.retryAfterSeconds} s.`;
      blocks.push({ type: 'section', text }, { type: 'context', text: `Reference: ${code(cid)}` });
      if ('generic' in shape) text += ` Quote this reference when you report it: ${cid}`;
      break;
    default:
      blocks.push({ type: 'section', text });
  }
  const out: NeutralReply = { ...ephemeral(text, blocks), error: { code: e.code } };
  const fieldErrors = fieldErrorsOf(e.details);
  return fieldErrors ? { ...out, fieldErrors } : out;
}

/** Validation details on `credentials.<field>` (or `form.<field>`) become per-field errors a still-open form can show. */
function fieldErrorsOf(details: unknown): Record<string, string> | undefined {
  if (!Array.isArray(details)) return undefined;
  const out: Record<string, string> = {};
  for (const d of details as Array<{ path?: unknown; message?: unknown }>) {
    if (typeof d?.path !== 'string' || typeof d.message !== 'string') continue;
    const m = /^(?:credentials|form)\.([A-Za-z0-9_]+)$/.exec(d.path);
    if (m) out[m[1]!] = d.message;
  }
  return Object.keys(out).length ? out : undefined;
}
