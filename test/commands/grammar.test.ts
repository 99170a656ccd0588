import { describe, expect, it } from 'vitest';
import { formsOf, lineOf, verbWords, type Form, type LineValues, type Param } from '../../src/commands/grammar.ts';
import { parseLine } from '../../src/commands/parse.ts';
import { commands, findCommand } from '../../src/commands/registry.ts';
import type { Command } from '../../src/commands/types.ts';

const NAME = /^[-_\p{Ll}\p{N}]{1,32}$/u;

function sample(p: Param): string | number | boolean {
  switch (p.kind) {
    case 'flag':
      return true;
    case 'user':
      return '80351110224678912';
    case 'integer':
      return 3;
    case 'choice':
      return p.multiple ? p.choices!.slice(0, 2).join(' ') : p.choices![p.choices!.length - 1]!;
    case 'connection':
      return 'Linear Eng';
    case 'provider':
      return 'hubspot';
    case 'command':
      return 'pause';
    default:
      return p.rest ? 'migrating the workspace' : 'some text';
  }
}

/** What the parsed line must hold: the args in order (a rest value compared joined), and the flags. */
function expected(form: Form, values: LineValues): { args: Array<{ value: string; rest: boolean }>; flags: string[] } {
  const args: Array<{ value: string; rest: boolean }> = [];
  const flags: string[] = [];
  const lead = form.verb ? form.params.length - form.verb.params.length : form.params.length;
  const words = () => form.verb && verbWords(form.verb).forEach((w) => args.push({ value: w, rest: false }));
  form.params.forEach((p, i) => {
    if (i === lead) words();
    const v = values[p.name];
    if (v === undefined || v === '' || v === false) return;
    if (p.kind === 'flag') return flags.push(p.name);
    if (p.keyword) args.push({ value: p.keyword, rest: false });
    if (p.kind === 'user') args.push({ value: `<@${String(v)}>`, rest: false });
    else if (p.multiple) String(v).split(' ').forEach((w) => args.push({ value: w, rest: false }));
    else args.push({ value: String(v), rest: Boolean(p.rest) });
  });
  if (lead === form.params.length) words();
  return { args, flags };
}

function expectRoundTrip(command: Command, form: Form, values: LineValues): void {
  const line = lineOf(command, form.verb?.name ?? null, values);
  const parsed = parseLine(line);
  const want = expected(form, values);
  expect(parsed.name, line).toBe(command.name);
  expect([...parsed.flags].sort(), line).toEqual(want.flags.sort());
  let i = 0;
  for (const a of want.args) {
    if (a.rest) {
      expect(parsed.args.slice(i).join(' '), line).toBe(a.value);
      i = parsed.args.length;
    } else {
      expect(parsed.args[i++], line).toBe(a.value);
    }
  }
  expect(i, line).toBe(parsed.args.length);
}

const fill = (form: Form, pick: (p: Param) => boolean): LineValues => Object.fromEntries(form.params.filter(pick).map((p) => [p.name, sample(p)]));

describe('the typed grammar of the chat commands', () => {
  it('is given for every registered command, with names and texts platforms accept', () => {
    for (const c of commands) {
      expect(c.grammar, c.name).toBeDefined();
      const forms = formsOf(c);
      expect(forms.length, c.name).toBeGreaterThan(0);
      expect(forms.filter((f) => f.verb && verbWords(f.verb).length === 0).length, `${c.name}: one bare form at most`).toBeLessThanOrEqual(1);
      for (const f of forms) {
        if (f.verb) {
          expect(f.verb.name, c.name).toMatch(NAME);
          expect(f.verb.summary.length, `${c.name} ${f.verb.name}`).toBeLessThanOrEqual(100);
        }
        const names = f.params.map((p) => p.name);
        expect(new Set(names).size, `${c.name}: param names are distinct`).toBe(names.length);
        const positional = f.params.filter((p) => p.kind !== 'flag');
        positional.forEach((p, i) => {
          const where = `${c.name} ${f.verb?.name ?? ''} ${p.name}`;
          expect(p.name, where).toMatch(NAME);
          expect(p.description.length, where).toBeGreaterThan(0);
          expect(p.description.length, where).toBeLessThanOrEqual(100);
          if (p.rest) expect(i, `${where}: rest is last`).toBe(positional.length - 1);
          // An optional positional before a required one would shift the required one into its place.
          if (!p.required) expect(positional.slice(i + 1).filter((q) => q.required && !q.keyword), where).toEqual([]);
          if (p.kind === 'choice') expect(p.choices?.length, where).toBeGreaterThan(0);
        });
      }
    }
  });

  it('agrees with each command’s usage: every verb and param appears in it', () => {
    for (const c of commands) {
      const usage = c.usage;
      const words = new Set(usage.split(/[\s|[\]<>…]+/).filter(Boolean));
      for (const f of formsOf(c)) {
        for (const w of f.verb ? verbWords(f.verb) : []) expect(words.has(w), `${c.name}: verb word '${w}' in '${usage}'`).toBe(true);
        for (const p of f.params) {
          const where = `${c.name}: ${p.name} in '${usage}'`;
          if (p.kind === 'flag') expect(usage.includes(`--${p.name}`), where).toBe(true);
          else if (p.kind === 'choice' && !new RegExp(`[<[@]${p.name}\\b`).test(usage)) for (const choice of p.choices!) expect(words.has(choice), `${where} (choice ${choice})`).toBe(true);
          else expect(new RegExp(`[<[@]${p.name}\\b`).test(usage), where).toBe(true);
          if (p.keyword) expect(usage.includes(`${p.keyword} <${p.name}`), where).toBe(true);
          const optional = new RegExp(`\\[[^\\]<]*(<)?${p.name}`).test(usage) || usage.includes(`[--${p.name}`);
          if (p.kind !== 'choice' && !f.verb) expect(optional, `${where}: optional in usage ⇔ not required`).toBe(!p.required);
        }
      }
    }
  });

  it('writes lines that parse back to the command and its values, for every form', () => {
    for (const c of commands) {
      for (const f of formsOf(c)) {
        expectRoundTrip(c, f, fill(f, () => true));
        expectRoundTrip(c, f, fill(f, (p) => Boolean(p.required)));
      }
    }
    expect(lineOf(findCommand('pause')!, null, { connection: 'Linear Eng', reason: 'migrating the workspace' })).toBe('pause "Linear Eng" migrating the workspace');
    expect(lineOf(findCommand('alerts')!, 'show', {})).toBe('alerts');
    expect(lineOf(findCommand('alerts')!, 'off', { connection: 'hubspot' })).toBe('alerts off for hubspot');
    expect(lineOf(findCommand('alerts')!, 'here', { kinds: 'errors, pauses', connection: 'hubspot' })).toBe('alerts here errors pauses for hubspot');
    expect(lineOf(findCommand('hooks')!, 'list', {})).toBe('hooks');
    expect(lineOf(findCommand('hooks')!, 'create', { name: 'Uptime monitor', secret: true })).toBe('hooks create "Uptime monitor" --secret');
    expect(lineOf(findCommand('rules')!, 'pause', { connection: 'sandbox', rule: 1 })).toBe('rules sandbox pause 1');
    expect(lineOf(findCommand('rules')!, 'list', { connection: 'sandbox' })).toBe('rules sandbox');
    expect(lineOf(findCommand('webhook-secret')!, 'clear', { connection: 'Jira Eng' })).toBe('webhook-secret "Jira Eng" clear');
    expect(lineOf(findCommand('role')!, null, { user: '<@!123>', role: 'admin' })).toBe('role <@123> admin');
    expect(lineOf(findCommand('schedule')!, null, { connection: 'asana', item: '123', time: 'tomorrow 9:00' })).toBe('schedule asana 123 at tomorrow 9:00');
    expect(lineOf(findCommand('list')!, null, { all: false })).toBe('list');
  });

  const HOSTILE = [
    'x --confirmed',
    '--confirmed',
    '--all',
    '"quoted"',
    "O'Brien",
    'back\\slash',
    '\\',
    '\\"',
    'a ” b',
    'x” --confirmed “',
    '“curly”',
    '‘single’',
    '  spaced  out ',
    'tab\there',
    'new\nline',
    'for',
    'at',
    'clear',
    'add',
    '<@123>',
    '/integrations',
    '-',
  ];

  it('keeps hostile text whole: no split, no injected flag, wherever it is typed', () => {
    for (const c of commands) {
      for (const f of formsOf(c)) {
        for (const p of f.params.filter((q) => ['text', 'connection', 'provider', 'command'].includes(q.kind))) {
          for (const h of HOSTILE) expectRoundTrip(c, f, { ...fill(f, (q) => Boolean(q.required)), [p.name]: h });
        }
      }
    }
  });

  it('refuses values a kind cannot carry instead of writing them into the line', () => {
    const alerts = findCommand('alerts')!;
    expect(() => lineOf(alerts, 'here', { kinds: 'errors for x --confirmed' })).toThrow(/'for' is not one of/);
    expect(() => lineOf(findCommand('role')!, null, { user: '123> --confirmed', role: 'admin' })).toThrow(/not a user id/);
    expect(() => lineOf(findCommand('list')!, null, { all: 'yes' })).toThrow(/is a flag/);
    expect(() => lineOf(findCommand('pause')!, null, { reason: 'x' })).toThrow(/needs <connection>/);
    expect(() => lineOf(findCommand('pause')!, null, { connection: '' })).toThrow(/needs <connection>/);
    expect(() => lineOf(alerts, null, {})).toThrow(/needs one of: show, here, off/);
    expect(() => lineOf(alerts, 'nope', {})).toThrow(/no action 'nope'/);
    expect(() => lineOf(findCommand('pause')!, 'now', { connection: 'x' })).toThrow(/no action 'now'/);
  });
});
