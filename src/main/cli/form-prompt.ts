/**
 * Filling a form at the terminal: each field is checked as soon as it is typed (its format, a
 * display name already taken) and asked again, and secrets come last — so a typo in the first
 * field no longer throws away a secret typed after it. The same checks run again on submit.
 */
import { parseCredentialFields } from '../../connections/credentials.ts';
import { DISPLAY_NAME_FIELD } from '../../commands/credentials.ts';
import type { Block, FormField } from '../../commands/view.ts';
import { AppError } from '../../errors.ts';
import { getProvider } from '../../providers/registry.ts';
import type { Provider } from '../../providers/types.ts';
import type { Runtime } from '../../runtime.ts';
import type { LineReader } from './line-reader.ts';

export type Form = Extract<Block, { type: 'form' }>;

/** The provider a form's credentials are for: `connect:<slug>` or `reconnect:<connectionId>`. */
async function providerOf(rt: Runtime, workspaceId: string, formId: string): Promise<Provider | null> {
  const [kind, rest = ''] = formId.split(':', 2) as [string, string | undefined];
  try {
    if (kind === 'connect') return getProvider(rest);
    if (kind === 'reconnect') {
      const rows = await rt.em().execute<Array<{ provider_slug: string }>>('select provider_slug from connections where id = ? and workspace_id = ?', [rest, workspaceId]);
      return rows[0] ? getProvider(rows[0].provider_slug) : null;
    }
  } catch {
    // unknown provider: the submission reports it
  }
  return null;
}

/** What is wrong with one typed value, or null. Secrets are never part of the message. */
async function problemWith(rt: Runtime, workspaceId: string, provider: Provider | null, field: FormField, value: string): Promise<string | null> {
  if (field.name === DISPLAY_NAME_FIELD) {
    // A secret pasted one prompt early would be echoed and saved as the name: say where it goes (never quoting it).
    const secret = provider?.definition.auth.credentials?.fields.find((f) => f.secret && f.pattern && new RegExp(f.pattern).test(value));
    if (secret) return `That looks like the ${secret.label}, which is asked next (not echoed). Type a display name, or press Enter for the default.`;
    // Empty takes the default name: check that one now, not after the secret has been typed.
    const name = value || field.placeholder;
    if (!name) return null;
    const rows = await rt.em().execute<Array<{ id: string }>>(
      `select id from connections where workspace_id = ? and lower(display_name) = lower(?) and status <> 'disconnected'`,
      [workspaceId, name],
    );
    if (!rows.length) return null;
    return value ? `A connection named '${value}' already exists. Choose another display name.` : `A connection named '${name}' (the default) already exists. Type another display name.`;
  }
  if (!value) return field.optional ? null : `${field.label} is required.`;
  if (!provider?.definition.auth.credentials?.fields.some((f) => f.name === field.name)) return null;
  try {
    parseCredentialFields(provider, { [field.name]: value });
  } catch (err) {
    const details = err instanceof AppError && Array.isArray(err.details) ? (err.details as Array<{ path?: string; message?: string }>) : [];
    const mine = details.find((d) => d.path === `credentials.${field.name}`);
    if (mine?.message) return /[.!?]$/.test(mine.message) ? mine.message : `${mine.message}.`;
  }
  return null;
}

/** The option a typed answer names: its number in the list, its value or its label. */
function choiceOf(f: FormField, typed: string): string | undefined {
  const options = f.options ?? [];
  const t = typed.toLowerCase();
  if (/^\d+$/.test(t)) return options[Number(t) - 1]?.value;
  return options.find((o) => o.value.toLowerCase() === t || o.label.toLowerCase() === t)?.value;
}

/** Asks for every field (plain ones first, secrets last); null when input ended before the form was complete. */
export async function fillForm(rt: Runtime, workspaceId: string, form: Form, lines: LineReader): Promise<Record<string, string> | null> {
  const provider = await providerOf(rt, workspaceId, form.id);
  const ordered = [...form.fields.filter((f) => !f.secret), ...form.fields.filter((f) => f.secret)];
  const values: Record<string, string> = {};
  for (const f of ordered) {
    const initial = f.initial ? (f.multiline ? f.initial.split('\n').join('; ') : f.initial) : '';
    const shown = initial ? `default ${initial}` : f.placeholder ? `default ${f.placeholder}` : '';
    const hint = [f.optional ? 'optional' : '', shown].filter(Boolean).join(', ');
    if (f.help) process.stdout.write(`  ${f.help}\n`);
    if (f.options?.length) f.options.forEach((o, i) => process.stdout.write(`    ${i + 1}. ${o.value}${o.label !== o.value ? ` — ${o.label}` : ''}\n`));
    if (f.multiline) process.stdout.write('  Type the lines on one line, separated by ;\n');
    for (;;) {
      const read = await lines.read(`${f.label}${hint ? ` (${hint})` : ''}: `, f.secret);
      if (read === null) return null;
      // An empty answer takes the prefilled value, as a platform's prefilled input would submit it.
      const typed = read.trim() || (f.initial ?? '');
      const value = f.options?.length ? (choiceOf(f, typed) ?? typed) : f.multiline ? typed.split(';').map((l) => l.trim()).join('\n') : typed;
      const problem = f.options?.length && value && !choiceOf(f, value) ? `Choose one of ${f.options.map((o) => o.value).join(', ')} (or its number).` : await problemWith(rt, workspaceId, provider, f, value);
      if (!problem) {
        if (value) values[f.name] = value;
        break;
      }
      process.stdout.write(`  ✗ ${problem} Try again (Ctrl-D to give up).\n`);
    }
  }
  return values;
}
