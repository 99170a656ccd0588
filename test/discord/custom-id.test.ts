/** Discord custom ids: command lines in 100 characters, signed Confirm ids, form ids. */
import { createHmac, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CANCEL_ID,
  commandCustomId,
  compress,
  confirmedCustomId,
  confirmPrompt,
  CustomIdTooLongError,
  decodeCustomId,
  decodeFormId,
  expand,
  formCustomId,
} from '../../bots/discord/render/custom-id.ts';
import { renderMessage } from '../../bots/discord/render/message.ts';
import { commandButton, commandLine, ephemeral, plain } from '../../src/commands/view.ts';
import { listProviders } from '../../src/providers/registry.ts';

const sign = (data: string) => createHmac('sha256', 'k1').update(data).digest('base64url');
const otherKey = (data: string) => createHmac('sha256', 'k2').update(data).digest('base64url');
const NOW = 1_800_000_000;
const ADA = { userId: '111111111111111111', sign, nowSec: NOW };
const U1 = '6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f';
const U2 = '0a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';

describe('compressing UUIDs', () => {
  it('writes each UUID in 23 characters and a literal ~ as ~~, and reads it back', () => {
    const line = `rules ${U1} delete ${U2} --confirmed`;
    const c = compress(line);
    expect(c).toMatch(/^rules ~[A-Za-z0-9_-]{22} delete ~[A-Za-z0-9_-]{22} --confirmed$/);
    expect(expand(c)).toBe(line);
    expect(compress('a~b')).toBe('a~~b');
    expect(expand('a~~b')).toBe('a~b');
  });

  it('round-trips any text with UUIDs and tildes', () => {
    const piece = fc.oneof(fc.uuid().map((u) => u.toLowerCase()), fc.constantFrom('~', '~~', ' ', '"', 'ü', '🔥'), fc.string({ maxLength: 8 }));
    fc.assert(fc.property(fc.array(piece, { maxLength: 8 }), (parts) => expand(compress(parts.join(''))) === parts.join('')));
  });

  it('refuses a ~ that starts no UUID', () => {
    expect(expand('rules ~short')).toBeNull();
    // A non-canonical last character (spare bits set) is not ours either.
    const c = compress(U1).slice(1);
    const spare = { A: 'B', Q: 'R', g: 'h', w: 'x' }[c[21]!]!;
    expect(expand(`~${c.slice(0, 21)}${spare}`)).toBeNull();
  });
});

describe('command buttons', () => {
  it('run on click (c:) or ask first (q:), and decode to their line', () => {
    const run = commandCustomId(`pause ${U1}`, false);
    expect(run).toBe(`c:pause ${compress(U1)}`);
    expect(decodeCustomId(run, ADA)).toEqual({ kind: 'run', line: `pause ${U1}` });
    const ask = commandCustomId(`disconnect ${U1} --confirmed`, true);
    expect(ask.startsWith('q:')).toBe(true);
    expect(decodeCustomId(ask, ADA)).toEqual({ kind: 'ask', line: `disconnect ${U1} --confirmed` });
    expect(decodeCustomId(CANCEL_ID, ADA)).toEqual({ kind: 'cancel' });
    expect(decodeCustomId('x:whatever', ADA)).toMatchObject({ kind: 'invalid' });
    expect(decodeCustomId('c:rules ~bad', ADA)).toMatchObject({ kind: 'invalid' });
  });

  it('quoted arguments survive the trip', () => {
    const line = commandLine({ command: 'status', args: ['My "ops" board'] });
    expect(decodeCustomId(commandCustomId(line, false), ADA)).toEqual({ kind: 'run', line });
  });

  it('throws a clear error when an id cannot fit, also when only its later Confirm id would not', () => {
    expect(() => commandCustomId(`status ${'x'.repeat(100)}`, false)).toThrow(CustomIdTooLongError);
    // 74 compressed characters fit a c: id but not a y: id (26 characters of prefix).
    const line = `status ${'x'.repeat(70)}`;
    expect(commandCustomId(line, false).length).toBeLessThanOrEqual(100);
    expect(() => commandCustomId(line, true)).toThrow(/Confirm button of `status` needs a \d+-character Discord custom id/);
    expect(() => renderMessage(ephemeral('x', [{ type: 'actions', buttons: [commandButton('Go', 'status', ['x'.repeat(120)])] }]))).toThrow(CustomIdTooLongError);
  });
});

/** Every `commandButton('…', 'cmd', …)` the core makes, by command name. */
function coreButtonCommands(): Set<string> {
  const out = new Set<string>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = path.join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.ts')) for (const m of readFileSync(p, 'utf8').matchAll(/commandButton\(\s*[^,]+,\s*(?:'([a-z-]+)'|(NAME))/g)) out.add(m[1] ?? 'webhook-secret');
    }
  };
  walk(path.join(import.meta.dirname, '../../src'));
  out.delete('command'); // the helper's own declaration
  return out;
}

describe('every command button the core makes fits in 100 characters, Confirm included', () => {
  const longestSlug = listProviders().reduce((a, p) => (p.definition.slug.length > a.length ? p.definition.slug : a), '');
  const asked = [`rules ${U1} delete ${U2} --confirmed`, `hooks delete ${U1} --confirmed`, `webhook-secret ${U1} clear --confirmed`, `disconnect ${U1} --confirmed`];
  const run = [
    ...['edit', 'mapping', 'preview', 'pause', 'resume', 'delete'].map((a) => `rules ${U1} ${a} ${U2}`),
    `rules ${U1} add`,
    `sync ${U1} ${U2}`,
    `connect ${longestSlug} --new --api-key`,
    `connect ${longestSlug} --api-key --new`,
    ...['reconnect', 'test', 'log', 'pause', 'resume', 'status', 'disconnect'].map((c) => `${c} ${U1}`),
    ...['test', 'enable'].map((a) => `webhooks ${a} ${U1}`),
  ];

  it('covers every command a core button runs', () => {
    const covered = new Set([...asked, ...run].map((l) => l.split(' ')[0]!));
    expect([...coreButtonCommands()].filter((c) => !covered.has(c))).toEqual([]);
  });

  it.each([...asked.map((l) => [l, true] as const), ...run.map((l) => [l, false] as const)])('%s (asks: %s)', (line, ask) => {
    const id = commandCustomId(line, ask);
    expect(id.length).toBeLessThanOrEqual(100);
    expect(decodeCustomId(id, ADA)).toEqual({ kind: ask ? 'ask' : 'run', line });
    if (ask) {
      const y = confirmedCustomId(line, ADA);
      expect(y.length).toBeLessThanOrEqual(100);
      expect(decodeCustomId(y, ADA)).toEqual({ kind: 'confirmed', line });
    }
  });

  it('holds for any UUIDs and any time this century', () => {
    fc.assert(
      fc.property(fc.uuid(), fc.uuid(), fc.integer({ min: 0, max: 4_102_444_800 }), (a, b, now) => {
        const line = `rules ${a.toLowerCase()} delete ${b.toLowerCase()} --confirmed`;
        const y = confirmedCustomId(line, { ...ADA, nowSec: now });
        return y.length <= 100 && decodeCustomId(y, { ...ADA, nowSec: now + 60 }).kind === 'confirmed';
      }),
    );
  });
});

describe('Confirm ids', () => {
  const line = `rules ${U1} delete ${U2} --confirmed`;
  const y = confirmedCustomId(line, ADA);

  it('work for the user they were made for, within 15 minutes', () => {
    expect(y).toMatch(/^y:[0-9a-z]+\.[A-Za-z0-9_-]{16}:rules ~/);
    expect(decodeCustomId(y, { ...ADA, nowSec: NOW + 14 * 60 })).toEqual({ kind: 'confirmed', line });
  });

  it('are refused for another user, after expiry, under another key', () => {
    expect(decodeCustomId(y, { ...ADA, userId: '222222222222222222' })).toEqual({ kind: 'invalid', reason: 'confirmation is not valid for this user or action' });
    expect(decodeCustomId(y, { ...ADA, nowSec: NOW + 15 * 60 })).toEqual({ kind: 'invalid', reason: 'confirmation expired' });
    expect(decodeCustomId(y, { ...ADA, sign: otherKey }).kind).toBe('invalid');
  });

  it('are refused for another connection or rule, or any edit to the line, expiry or MAC', () => {
    const otherConnection = y.replace(compress(U1), compress(randomUUID()));
    expect(decodeCustomId(otherConnection, ADA)).toMatchObject({ kind: 'invalid' });
    const [head, rest] = [y.slice(0, y.indexOf(':', 2)), y.slice(y.indexOf(':', 2))];
    const laterExp = head.replace(/^y:([0-9a-z]+)/, (_m, e: string) => `y:${(Number.parseInt(e, 36) + 600).toString(36)}`);
    expect(decodeCustomId(laterExp + rest, { ...ADA, nowSec: NOW + 20 * 60 })).toMatchObject({ kind: 'invalid' });
    fc.assert(
      fc.property(fc.integer({ min: 2, max: y.length - 1 }), fc.constantFrom('0', 'A', '_', 'z', '~'), (i, ch) => {
        const tampered = y.slice(0, i) + ch + y.slice(i + 1);
        return tampered === y || decodeCustomId(tampered, ADA).kind === 'invalid';
      }),
    );
    // A run or ask id never passes for a confirmed one.
    expect(decodeCustomId(`y:${commandCustomId(line, false).slice(2)}`, ADA).kind).toBe('invalid');
  });

  it('come in an ephemeral prompt: the confirm title and text, Confirm (Danger for a danger button) and Cancel', () => {
    const button = commandButton('Delete', 'rules', [U1, 'delete', U2, '--confirmed'], {
      style: 'danger',
      confirm: { title: `Delete rule of ${plain('**Ops** @everyone')}?`, text: 'It stops syncing.', confirmLabel: 'Delete', denyLabel: 'Keep it' },
    });
    const msg = confirmPrompt(button, ADA);
    expect(msg.flags).toBe(64);
    expect(msg.allowed_mentions).toEqual({ parse: [] });
    expect(msg.content).toBe('**Delete rule of \\*\\*Ops\\*\\* @\u200Beveryone?**\nIt stops syncing.');
    const [confirm, cancel] = msg.components![0]!.components as Array<{ style: number; label: string; custom_id: string }>;
    expect(confirm).toMatchObject({ style: 4, label: 'Delete' });
    expect(decodeCustomId(confirm!.custom_id, ADA)).toEqual({ kind: 'confirmed', line });
    expect(cancel).toMatchObject({ style: 2, label: 'Keep it', custom_id: 'n' });
    const primary = confirmPrompt({ label: 'Run', action: { command: `sync ${U1}`, args: [] } }, ADA);
    expect((primary.components![0]!.components[0] as { style: number }).style).toBe(1);
    expect(primary.content).toBe('**Run?**\nAre you sure?');
  });
});

describe('form ids', () => {
  it.each([`rules:mapping:${U1}:${U2}`, `rules:edit:${U1}:${U2}`, `rules:add:${U1}`, `reconnect:${U1}`, `webhook-secret:${U1}`, 'connect:linear'])('%s fits and reads back', (formId) => {
    const id = formCustomId(formId);
    expect(id.length).toBeLessThanOrEqual(100);
    expect(id.startsWith('f:')).toBe(true);
    expect(decodeFormId(id)).toBe(formId);
  });

  it('reads nothing from ids that are not forms', () => {
    expect(decodeFormId('c:pause x')).toBeNull();
    expect(decodeFormId('f:~nope')).toBeNull();
  });
});
