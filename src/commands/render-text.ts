/**
 * Plain-text rendering of a neutral reply: the terminal client's renderer, also handy in logs
 * and tests. Buttons become `[Label: /integrations command args]`, forms a list of their fields.
 * The terminal passes its own prefix (`npm run chat --`), names for ids and for its user, so a
 * card reads `[Test: npm run chat -- test linear]` and "You paused Linear.", not chat syntax.
 */
import { BOLD_AROUND_PLAIN, commandLine, isUrlAction, literalRuns, type Block, type Button, type FormField, type NeutralReply } from './view.ts';

export type TextOptions = {
  /** Shown before button command lines. Default `/integrations`. */
  prefix?: string;
  /** Display names for `<@userId>` mentions (else `@userId`). */
  names?: Record<string, string>;
  /** The reader's own user id: mentions of it read "You". */
  you?: string;
  /** Mentions as plain names, without the `@` (the terminal has no mentions). */
  plainMentions?: boolean;
  /** Names to show instead of ids in button command lines (connection id → `linear`). */
  argNames?: Record<string, string>;
};

/** Neutral markup as terminal text; `plain()` spans (text from outside) are shown exactly as they came. */
export function plainText(text: string, opts: TextOptions = {}): string {
  // The terminal has no bold: a bold holding outside text loses its `**` before the runs are read.
  return literalRuns(text.replace(BOLD_AROUND_PLAIN, '$1'))
    .map((run) => (run.literal ? run.text : markupText(run.text, opts)))
    .join('');
}

function markupText(text: string, opts: TextOptions): string {
  return text
    .replace(/\*\*([^*]+)\*\*/g, '$1')
    .replace(/\[([^\]]+)\]\((https?:\/\/[^)\s]+)\)/g, '$1 <$2>')
    .replace(/<@!?([A-Za-z0-9._:-]+)(?:\|([^>]*))?>/g, (_m, id: string, label?: string) => {
      if (opts.you === id) return 'You';
      return `${opts.plainMentions ? '' : '@'}${opts.names?.[id] ?? label ?? id}`;
    });
}

export function renderButton(b: Button, opts: TextOptions = {}): string {
  // Labels and dialog titles may name a connection (outside text): shown as typed, without marks.
  const label = plainText(b.label, opts);
  if (isUrlAction(b.action)) return `[${label}: ${b.action.url}]`;
  const prefix = opts.prefix ?? '/integrations';
  const action = { ...b.action, args: b.action.args.map((a) => opts.argNames?.[a] ?? a) };
  const line = `${prefix ? `${prefix} ` : ''}${commandLine(action)}`;
  return `[${label}: ${line}]${b.confirm ? ` (asks first: ${plainText(b.confirm.title, opts)})` : ''}`;
}

/** A choice's options and a field's initial value, as the terminal asks for them. */
function fieldExtras(f: FormField): string {
  const parts: string[] = [];
  if (f.options?.length) parts.push(`one of: ${f.options.map((o) => `${o.value}${o.label !== o.value ? ` (${o.label})` : ''}`).join(', ')}`);
  if (f.initial) parts.push(`default: ${f.multiline ? f.initial.split('\n').join('; ') : f.initial}`);
  return parts.length ? ` — ${parts.join('; ')}` : '';
}

function renderBlock(block: Block, opts: TextOptions): string {
  switch (block.type) {
    case 'header':
      return `== ${plainText(block.text, opts)} ==`;
    case 'section': {
      const lines = [plainText(block.text, opts)];
      for (const f of block.fields ?? []) lines.push(`  ${f.label}: ${plainText(f.value, opts)}`);
      if (block.accessory) lines.push(`  ${renderButton(block.accessory, opts)}`);
      return lines.join('\n');
    }
    case 'context':
      return plainText(block.text, opts)
        .split('\n')
        .map((l) => `  ${l}`)
        .join('\n');
    case 'divider':
      return '---';
    case 'actions':
      return block.buttons.map((b) => renderButton(b, opts)).join('  ');
    case 'form': {
      // Secrets last, the order the terminal asks in.
      const fields = [...block.fields.filter((f) => !f.secret), ...block.fields.filter((f) => f.secret)].map((f) => `  - ${f.label}${f.secret ? ' (secret)' : ''}${f.optional ? ' (optional)' : ''}${fieldExtras(f)}`);
      return [`Form: ${plainText(block.title, opts)}`, ...(block.intro ? [`  ${plainText(block.intro, opts)}`] : []), ...fields].join('\n');
    }
  }
}

export function renderText(reply: NeutralReply, opts: TextOptions = {}): string {
  const body = reply.blocks.length ? reply.blocks.map((b) => renderBlock(b, opts)).join('\n') : plainText(reply.text, opts);
  const errors = Object.entries(reply.fieldErrors ?? {}).map(([k, v]) => `  ${k}: ${v}`);
  return errors.length ? `${body}\n${errors.join('\n')}` : body;
}
