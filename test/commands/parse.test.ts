import { describe, expect, it } from 'vitest';
import { chatReplyOf } from '../../src/commands/chat-reply.ts';
import { parseLine, parseMention, tokenize } from '../../src/commands/parse.ts';
import { renderText } from '../../src/commands/render-text.ts';
import { commandButton, commandLine, formatWhen, quoteArg, statusBadge } from '../../src/commands/view.ts';
import { AppError } from '../../src/errors.ts';
import { normalizeLinkCode } from '../../src/chat/link-codes.ts';
import { effectiveRole } from '../../src/chat/identity.ts';

describe('command line parsing', () => {
  it('splits on whitespace and groups quoted words, straight or typographic', () => {
    expect(tokenize('pause   linear')).toEqual(['pause', 'linear']);
    expect(tokenize('status "Linear Eng"')).toEqual(['status', 'Linear Eng']);
    expect(tokenize("status 'Sales CRM' now")).toEqual(['status', 'Sales CRM', 'now']);
    expect(tokenize('status “Sales CRM”')).toEqual(['status', 'Sales CRM']);
    expect(tokenize('rename "say \\"hi\\""')).toEqual(['rename', 'say "hi"']);
    expect(tokenize('status ""')).toEqual(['status', '']);
    expect(tokenize("pause O'Brien")).toEqual(['pause', "O'Brien"]);
  });

  it('refuses an unclosed quote with a hint', () => {
    expect(() => tokenize('status "Linear Eng')).toThrow(/quote is not closed/);
  });

  it('lowercases the command, separates --flags and ignores a pasted /integrations', () => {
    const line = parseLine('/integrations Disconnect "Linear Eng" --confirmed');
    expect(line.name).toBe('disconnect');
    expect(line.args).toEqual(['Linear Eng']);
    expect([...line.flags]).toEqual(['confirmed']);
    expect(parseLine('   ')).toEqual({ name: '', args: [], flags: new Set() });
  });

  it('reads a quoted --word as an argument, never a flag', () => {
    expect(parseLine('disconnect "x --confirmed"')).toEqual({ name: 'disconnect', args: ['x --confirmed'], flags: new Set() });
    expect(parseLine('disconnect "--confirmed"')).toEqual({ name: 'disconnect', args: ['--confirmed'], flags: new Set() });
    expect(parseLine("disconnect x '--confirmed' --all")).toEqual({ name: 'disconnect', args: ['x', '--confirmed'], flags: new Set(['all']) });
  });

  it('quotes arguments so that any text comes back whole, even with typographic quotes inside', () => {
    for (const v of ['a ” b', 'x” --confirmed “', 'back\\slash "q"', '“', '”', 'a\n b']) {
      expect(parseLine(`pause ${quoteArg(v)}`)).toEqual({ name: 'pause', args: [v], flags: new Set() });
    }
  });

  it('reads user mentions as Slack, Discord and the other bots send them', () => {
    expect(parseMention('<@U123ABC>')).toEqual({ userId: 'U123ABC' });
    expect(parseMention('<@U123ABC|ada>')).toEqual({ userId: 'U123ABC', label: 'ada' });
    expect(parseMention('<@!80351110224678912>')).toEqual({ userId: '80351110224678912' });
    expect(parseMention('@ada')).toBeNull();
    expect(parseMention('ada')).toBeNull();
  });

  it('turns a button back into a command line that parses to the same command', () => {
    const b = commandButton('Pause', 'pause', ['Linear Eng']);
    expect('command' in b.action && commandLine(b.action)).toBe('pause "Linear Eng"');
    expect(parseLine(commandLine({ command: 'disconnect', args: ['6f1c', '--confirmed'] }))).toMatchObject({ name: 'disconnect', args: ['6f1c'] });
    expect(quoteArg('plain')).toBe('plain');
  });

  it('normalizes link codes however they are typed', () => {
    expect(normalizeLinkCode('pb-7kq2-m9xd-4htw')).toBe('PB7KQ2M9XD4HTW');
    expect(normalizeLinkCode('7KQ2 M9XD 4HTW')).toBe('PB7KQ2M9XD4HTW');
  });
});

describe('roles in chat', () => {
  const trusting = { settings: { trustPlatformRoles: true } };
  const wary = { settings: { trustPlatformRoles: false } };
  it('lets a trusted platform owner/admin act as at least Admin, never Owner', () => {
    expect(effectiveRole('member', 'admin', trusting)).toEqual({ role: 'admin', elevated: true });
    expect(effectiveRole('member', 'owner', trusting)).toEqual({ role: 'admin', elevated: true });
    expect(effectiveRole('member', 'member', trusting)).toEqual({ role: 'member', elevated: false });
    expect(effectiveRole('owner', 'member', trusting)).toEqual({ role: 'owner', elevated: false });
    expect(effectiveRole('member', 'admin', wary)).toEqual({ role: 'member', elevated: false });
  });
});

describe('chatReplyOf: the one error → chat reply mapping', () => {
  const usage = { name: 'pause', usage: 'pause <connection> [reason…]', examples: ['pause hubspot'] };

  it('names the role on forbidden, privately', () => {
    const r = chatReplyOf(new AppError('forbidden', 'Pause connections needs the Admin or Owner role; you are a Member.', { details: { requiredRole: 'admin' } }));
    expect(r.visibility).toBe('ephemeral');
    expect(r.text).toMatch(/needs the Admin or Owner role; you are a Member\. Nothing was changed\./);
    expect(r.error).toEqual({ code: 'forbidden' });
  });

  it('adds the grammar and examples to validation and transition errors', () => {
    const r = chatReplyOf(new AppError('invalid_transition', 'Linear is already paused.'), { command: usage, prefix: '/integrations' });
    const text = renderText(r);
    expect(text).toContain('Linear is already paused.');
    expect(text).toContain('Usage: `/integrations pause <connection> [reason…]`');
    expect(text).toContain('`/integrations pause hubspot`');
  });

  it('never shows an unexpected error’s text or stack, only the correlation id', () => {
    const r = chatReplyOf(new Error('connect ECONNREFUSED 10.0.0.3:5432 at Socket.<anonymous> (/srv/app/node_modules/pg/lib/client.js:1:1)'), {
      correlationId: 'corr-12345678',
    });
    const all = JSON.stringify(r);
    expect(all).not.toMatch(/ECONNREFUSED|node_modules|Socket/);
    expect(r.text).toContain('corr-12345678');
    expect(r.error).toEqual({ code: 'internal_error' });
  });

  it('maps credential validation details onto form fields', () => {
    const r = chatReplyOf(
      new AppError('validation_failed', 'Invalid credentials for Linear: Personal API key does not look right.', {
        details: [{ location: 'body', path: 'credentials.apiKey', message: 'Personal API key does not look right' }],
      }),
    );
    expect(r.fieldErrors).toEqual({ apiKey: 'Personal API key does not look right' });
  });
});

describe('plain-text rendering', () => {
  it('shows buttons as the command they run, mentions by name and badges as emoji', () => {
    const text = renderText(
      {
        visibility: 'in_channel',
        text: 'x',
        blocks: [
          { type: 'header', text: 'Linear' },
          { type: 'section', text: `<@U1> paused **Linear** — ${statusBadge('paused', 'rate_limit')}`, fields: [{ label: 'Account', value: 'Ada' }] },
          {
            type: 'actions',
            buttons: [
              commandButton('Resume', 'resume', ['linear']),
              commandButton('Disconnect', 'disconnect', ['linear', '--confirmed'], {
                style: 'danger',
                confirm: { title: 'Disconnect Linear?', text: '…', confirmLabel: 'Disconnect', denyLabel: 'Cancel' },
              }),
            ],
          },
        ],
      },
      { names: { U1: 'Ada' } },
    );
    expect(text).toBe(
      [
        '== Linear ==',
        '@Ada paused Linear — ⏸ paused (rate limit)',
        '  Account: Ada',
        '[Resume: /integrations resume linear]  [Disconnect: /integrations disconnect linear --confirmed] (asks first: Disconnect Linear?)',
      ].join('\n'),
    );
  });

  it('formats times absolutely and relatively', () => {
    const now = Date.parse('2026-01-01T12:00:00Z');
    expect(formatWhen('2026-01-01T12:03:00Z', now)).toBe('2026-01-01 12:03 UTC (in 3 min)');
    expect(formatWhen('2026-01-01T10:00:00Z', now)).toBe('2026-01-01 10:00 UTC (2 h ago)');
    expect(formatWhen(null, now)).toBe('never');
  });
});

describe('the terminal renderer and text from outside', () => {
  it('shows a plain() span exactly as it came — no link or mention rewriting, no marks left', async () => {
    const { plainText } = await import('../../src/commands/render-text.ts');
    const { plain } = await import('../../src/commands/view.ts');
    const out = plainText(`**Linear** said ${plain('[Re-authorize](https://evil.example) <!channel> **now**')} to <@U1>`, { names: { U1: 'ada' } });
    expect(out).toBe('Linear said [Re-authorize](https://evil.example) <!channel> **now** to @ada');
    expect(out).not.toMatch(/[\uE000\uE001]/);
  });

  it('drops our bold around a plain() span but keeps the ** typed inside it', async () => {
    const { plainText } = await import('../../src/commands/render-text.ts');
    const { bold, plain } = await import('../../src/commands/view.ts');
    expect(plainText(`paused ${bold(plain('Ops **x**'))}.`)).toBe('paused Ops **x**.');
  });
});
