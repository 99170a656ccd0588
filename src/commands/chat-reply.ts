/**
 * The one mapping from an error to a chat reply (as `httpStatusOf` is for HTTP and `isRetryable`
 * for jobs). Always ephemeral: only the person who asked sees what went wrong.
 */
import { correlationId as currentCorrelationId } from '../context.ts';
import { ERROR_CODES, toAppError } from '../errors.ts';
import type { Command } from './types.ts';
import { code, ephemeral, type Block, type NeutralReply } from './view.ts';

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
  const blocks: Block[] = [];
  let text: string;
  switch (e.code) {
    case 'forbidden': {
      const need = (e.details as { requiredRole?: string } | null)?.requiredRole;
      text = `🚫 ${e.message} Nothing was changed.`;
      const hint = need ? ` Ask an Owner to grant you the role with ${code(`${p}role @you ${need === 'owner' ? 'owner' : 'admin'}`)}.` : '';
      blocks.push({ type: 'section', text: `${text}${hint}` });
      break;
    }
    case 'validation_failed':
    case 'malformed_json':
    case 'invalid_transition':
    case 'conflict': {
      text = `⚠️ ${e.message}`;
      blocks.push({ type: 'section', text });
      if (opts.command) blocks.push({ type: 'context', text: usageText(opts.command, prefix) });
      break;
    }
    case 'not_found': {
      text = `🔎 ${e.message}`;
      blocks.push({ type: 'section', text });
      break;
    }
    case 'provider_auth_failed':
    case 'provider_error':
    case 'provider_not_configured':
    case 'rate_limited':
    case 'service_unavailable': {
      const wait = e.retryAfterSeconds ? ` Try again in ${e.retryAfterSeconds} s.` : '';
      text = `❌ ${e.message}${wait}`;
      blocks.push({ type: 'section', text }, { type: 'context', text: `Reference: ${code(cid)}` });
      break;
    }
    default: {
      if (ERROR_CODES[e.code].status < 500) {
        text = `⚠️ ${e.message}`;
        blocks.push({ type: 'section', text });
        break;
      }
      text = `💥 Something went wrong on our side and nothing was changed. Quote this reference when you report it: ${cid}`;
      blocks.push({ type: 'section', text: `💥 Something went wrong on our side and nothing was changed.` }, { type: 'context', text: `Reference: ${code(cid)}` });
    }
  }
  const out: NeutralReply = { ...ephemeral(text, blocks), error: { code: e.code } };
  const fieldErrors = fieldErrorsOf(e.details);
  return fieldErrors ? { ...out, fieldErrors } : out;
}

/** Validation details on `credentials.<field>` become per-field errors a still-open form can show. */
function fieldErrorsOf(details: unknown): Record<string, string> | undefined {
  if (!Array.isArray(details)) return undefined;
  const out: Record<string, string> = {};
  for (const d of details as Array<{ path?: unknown; message?: unknown }>) {
    if (typeof d?.path !== 'string' || typeof d.message !== 'string') continue;
    const m = /^credentials\.([A-Za-z0-9_]+)$/.exec(d.path);
    if (m) out[m[1]!] = d.message;
  }
  return Object.keys(out).length ? out : undefined;
}
