/**
 * The typed grammar of the chat commands: what each command's usage string says, as data, so
 * platforms with typed options (Discord's slash-command options) derive their definitions from the
 * registry instead of keeping a copy, and turn the options they receive back into the command line
 * every platform runs (`lineOf`, then `runCommand`). Every command's `grammar` (src/commands/types.ts)
 * agrees with its `usage` (test/commands/grammar.test.ts checks both, and that every line parses back).
 *
 * A command has either plain `params`, or `verbs` (`alerts here|off`, `hooks create|delete|…`): each
 * verb writes its `words` (default: its name; `[]` for the bare form, `alerts show` → `alerts`),
 * after the `lead` params shared by every verb (`rules <connection> add`).
 */
import { AppError } from '../errors.ts';
import type { Command } from './types.ts';
import { quoteArg } from './view.ts';

export type ParamKind = 'text' | 'connection' | 'provider' | 'user' | 'choice' | 'flag' | 'integer' | 'command';

export type Param = {
  /** Lowercase letters, digits, `-` and `_` (a Discord option name); a flag's name without the dashes. */
  name: string;
  /** At most 100 characters (Discord's limit). */
  description: string;
  kind: ParamKind;
  /** Default false. Required params come before optional ones in a command's usage. */
  required?: boolean;
  /** `choice`: the values it accepts (lowercase words). */
  choices?: readonly string[];
  /** `choice`: several of them, separated by spaces or commas, each written as its own word (`errors pauses`). */
  multiple?: boolean;
  /** A word written before the value: `for` in `alerts off for <connection>`. */
  keyword?: string;
  /** Takes the rest of the line (a pause reason, a time like `tomorrow 9:00`): the last param. */
  rest?: boolean;
};

export type Verb = {
  /** The verb as a platform shows it (a Discord subcommand name). */
  name: string;
  /** At most 100 characters. */
  summary: string;
  /** What the verb writes on the line; default `[name]`, `[]` for the command's bare form. */
  words?: readonly string[];
  params: readonly Param[];
};

export type Grammar =
  | { params: readonly Param[] }
  | {
      /** Params before the verb's words, shared by every verb (`rules <connection> …`). */
      lead?: readonly Param[];
      verbs: readonly Verb[];
    };

export type LineValues = Record<string, string | number | boolean | undefined>;

/** One way to call a command: the verb (null for commands without verbs) and every param in line order. */
export type Form = { verb: Verb | null; params: readonly Param[] };

/** The usual `<connection>` param. */
export const CONNECTION: Param = { name: 'connection', kind: 'connection', required: true, description: 'Name or provider' };

export function grammarOf(command: Command): Grammar {
  if (!command.grammar) throw new Error(`The chat command '${command.name}' has no grammar`);
  return command.grammar;
}

/** Every form of a command, in the grammar's order. */
export function formsOf(command: Command): Form[] {
  const g = grammarOf(command);
  if ('params' in g) return [{ verb: null, params: g.params }];
  return g.verbs.map((verb) => ({ verb, params: [...(g.lead ?? []), ...verb.params] }));
}

/** The form `verb` names (null for commands without verbs); throws a `validation_failed` otherwise. */
export function formOf(command: Command, verb: string | null): Form {
  const forms = formsOf(command);
  const found = forms.find((f) => (f.verb?.name ?? null) === (verb === null ? null : verb.toLowerCase()));
  if (!found) {
    const names = forms.map((f) => f.verb?.name).filter(Boolean);
    throw new AppError('validation_failed', verb === null ? `\`${command.name}\` needs one of: ${names.join(', ')}.` : `\`${command.name}\` has no action '${verb}'${names.length ? `: use ${names.join(', ')}` : ''}.`);
  }
  return found;
}

export const verbWords = (verb: Verb): readonly string[] => verb.words ?? [verb.name];

/** Up to `max` characters, cut at a word with `…` when longer. */
export function clip(text: string, max = 100): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[\s,;:—-]+$/, '')}…`;
}

const FLAG_LIKE = /^--/;

/** A value as one argument: quoted when the tokenizer would split it, or read it as a `--flag`. */
export function argOf(value: string): string {
  return FLAG_LIKE.test(value) ? `"${value.replace(/(["\\”])/g, '\\$1')}"` : quoteArg(value);
}

/** Rest-of-line text: plain words as typed when that parses back to the same text, else one quoted argument. */
function restOf(value: string): string {
  const words = value.split(' ');
  const plain = words.every((w) => w !== '' && argOf(w) === w);
  return plain ? value : argOf(value);
}

const USER_ID = /^[A-Za-z0-9._:-]+$/;

function present(v: LineValues[string]): boolean {
  return v !== undefined && v !== '' && v !== false;
}

function valueText(command: Command, p: Param, v: string | number | boolean): string {
  const fail = (why: string) => new AppError('validation_failed', `\`${command.name}\` ${p.name}: ${why}`);
  switch (p.kind) {
    case 'flag':
      if (v !== true && v !== 'true') throw fail('is a flag: true or absent.');
      return `--${p.name}`;
    case 'user': {
      const id = String(v).replace(/^<@!?([^|>]*)(?:\|[^>]*)?>$/, '$1');
      if (!USER_ID.test(id)) throw fail('is not a user id.');
      return `<@${id}>`;
    }
    case 'integer': {
      const n = typeof v === 'number' ? v : Number(String(v).trim());
      if (!Number.isSafeInteger(n) || String(v).trim() === '') throw fail('is not a whole number.');
      return String(n);
    }
    case 'choice': {
      if (!p.multiple) return argOf(String(v));
      // Each word is written bare, so each must be one of the choices: no free text rides along.
      const words = String(v).toLowerCase().split(/[\s,]+/).filter(Boolean);
      const bad = words.find((w) => !(p.choices ?? []).includes(w));
      if (bad !== undefined) throw fail(`'${bad.slice(0, 40)}' is not one of ${(p.choices ?? []).join(', ')}.`);
      return words.join(' ');
    }
    default:
      return p.rest ? restOf(String(v)) : argOf(String(v));
  }
}

/**
 * The command line for `command` (and `verb`, for commands with verbs) with these values, keyed
 * by param name: values quoted so each comes back as one argument (`parseLine`), flags as
 * `--name` when true, users as `<@id>`, keyword params as `keyword value`. Throws
 * `validation_failed` for a missing required value or a value its kind does not accept.
 */
export function lineOf(command: Command, verb: string | null, values: LineValues): string {
  const form = formOf(command, verb);
  const lead = form.verb ? form.params.length - form.verb.params.length : form.params.length;
  const parts: string[] = [command.name];
  const flags: string[] = [];
  form.params.forEach((p, i) => {
    if (i === lead && form.verb) parts.push(...verbWords(form.verb));
    const v = values[p.name];
    if (v === undefined || !present(v)) {
      if (p.required) throw new AppError('validation_failed', `\`${command.name}\` needs ${p.kind === 'flag' ? `--${p.name}` : `<${p.name}>`}.`);
      return;
    }
    const text = valueText(command, p, v);
    if (p.kind === 'flag') flags.push(text);
    else parts.push(p.keyword ? `${p.keyword} ${text}` : text);
  });
  if (form.verb && lead === form.params.length) parts.push(...verbWords(form.verb));
  return [...parts, ...flags].join(' ');
}
