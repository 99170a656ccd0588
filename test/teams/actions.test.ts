/** Teams Universal Actions: what a click asks for, the signed Confirm, and form values. */
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CONFIRM_TTL_SEC, confirmCard, confirmedData, decodeAction, formValues, promptOf, renderAction, VERBS } from '../../bots/teams/render/actions.ts';
import type { ExecuteAction } from '../../bots/teams/render/types.ts';
import { commandButton, commandLine, plain } from '../../src/commands/view.ts';
import { cardTexts, expectValidCard } from './card-limits.ts';

const sign = (data: string) => createHmac('sha256', 'k1').update(data).digest('base64url');
const otherKey = (data: string) => createHmac('sha256', 'k2').update(data).digest('base64url');
const NOW = 1_800_000_000;
const ADA = { userId: '8f3c2d1e-0000-4000-8000-00000000000a', sign, nowSec: NOW };
const BOB = { ...ADA, userId: '8f3c2d1e-0000-4000-8000-00000000000b' };
const C1 = '6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f';
const CONFIRM = { title: 'Disconnect Linear?', text: `Sync with ${plain('Ops **board**')} stops.`, confirmLabel: 'Disconnect', denyLabel: 'Keep it' };

const execute = (a: unknown) => a as ExecuteAction;

describe('clicks', () => {
  it('a command button runs its line; quoted arguments survive', () => {
    const a = execute(renderAction(commandButton('Status', 'status', ['My "ops" board'])));
    expect(decodeAction(a.verb, a.data, ADA)).toEqual({ kind: 'run', line: commandLine({ command: 'status', args: ['My "ops" board'] }) });
  });

  it('a button with a confirm asks, carrying what the prompt shows', () => {
    const b = commandButton('Disconnect', 'disconnect', [C1, '--confirmed'], { style: 'danger', confirm: CONFIRM });
    const a = execute(renderAction(b));
    const d = decodeAction(a.verb, a.data, ADA);
    expect(d).toEqual({ kind: 'ask', line: `disconnect ${C1} --confirmed`, prompt: promptOf(b) });
  });

  it('cancel, unknown verbs and malformed data', () => {
    expect(decodeAction(VERBS.cancel, {}, ADA)).toEqual({ kind: 'cancel' });
    expect(decodeAction('other', { line: 'x' }, ADA)).toMatchObject({ kind: 'invalid' });
    expect(decodeAction(undefined, undefined, ADA)).toMatchObject({ kind: 'invalid' });
    expect(decodeAction(VERBS.run, { line: '' }, ADA)).toMatchObject({ kind: 'invalid' });
    expect(decodeAction(VERBS.run, { line: 42 }, ADA)).toMatchObject({ kind: 'invalid' });
    expect(decodeAction(VERBS.run, 'pause x', ADA)).toMatchObject({ kind: 'invalid' });
    expect(decodeAction(VERBS.run, { line: 'x'.repeat(5000) }, ADA)).toMatchObject({ kind: 'invalid' });
    expect(decodeAction(VERBS.form, { token: 'x' }, ADA)).toMatchObject({ kind: 'invalid' });
  });
});

describe('the confirmation card', () => {
  const prompt = promptOf(commandButton('Disconnect', 'disconnect', [C1, '--confirmed'], { style: 'danger', confirm: CONFIRM }));

  it('shows the texts (outside text literal) with Confirm (destructive) and Cancel', () => {
    const card = confirmCard(prompt, ADA);
    expectValidCard(card);
    expect(cardTexts(card)).toEqual(['Disconnect Linear?', 'Sync with ', 'Ops **board**', ' stops.', 'Disconnect', 'Keep it']);
    const set = card.body[card.body.length - 1]!;
    expect(set).toMatchObject({
      type: 'ActionSet',
      actions: [
        { type: 'Action.Execute', verb: 'pb.confirm', style: 'destructive', data: { line: `disconnect ${C1} --confirmed`, exp: NOW + CONFIRM_TTL_SEC } },
        { type: 'Action.Execute', verb: 'pb.cancel', data: {} },
      ],
    });
  });

  it('without confirm texts asks a generic question; not danger → positive', () => {
    const card = confirmCard({ line: 'test c1', label: 'Send test' }, ADA);
    expect(cardTexts(card)).toEqual(['Send test?', 'Are you sure?', 'Send test', 'Cancel']);
    expect(JSON.stringify(card)).toContain('"style":"positive"');
  });

  it('its Confirm round-trips for the same user, line and time', () => {
    const data = confirmedData(prompt.line, ADA);
    expect(data.mac).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(decodeAction(VERBS.confirm, data, ADA)).toEqual({ kind: 'confirmed', line: prompt.line });
    expect(decodeAction(VERBS.confirm, data, { ...ADA, nowSec: NOW + CONFIRM_TTL_SEC - 1 })).toEqual({ kind: 'confirmed', line: prompt.line });
  });

  it('refuses another user, another line, a tampered MAC or expiry, another key, and a late click', () => {
    const data = confirmedData(prompt.line, ADA);
    const bad = 'confirmation is not valid for this user or action';
    expect(decodeAction(VERBS.confirm, data, BOB)).toEqual({ kind: 'invalid', reason: bad });
    expect(decodeAction(VERBS.confirm, { ...data, line: `disconnect ${C1.replace('6f', '7f')} --confirmed` }, ADA)).toEqual({ kind: 'invalid', reason: bad });
    expect(decodeAction(VERBS.confirm, { ...data, exp: data.exp + 3600 }, ADA)).toEqual({ kind: 'invalid', reason: bad });
    const flipped = data.mac[0] === 'A' ? `B${data.mac.slice(1)}` : `A${data.mac.slice(1)}`;
    expect(decodeAction(VERBS.confirm, { ...data, mac: flipped }, ADA)).toEqual({ kind: 'invalid', reason: bad });
    expect(decodeAction(VERBS.confirm, { ...data, mac: data.mac.slice(0, 31) }, ADA)).toEqual({ kind: 'invalid', reason: bad });
    expect(decodeAction(VERBS.confirm, data, { ...ADA, sign: otherKey })).toEqual({ kind: 'invalid', reason: bad });
    expect(decodeAction(VERBS.confirm, data, { ...ADA, nowSec: NOW + CONFIRM_TTL_SEC })).toEqual({ kind: 'invalid', reason: 'confirmation expired' });
    // A MAC made far in the future (a stolen signer aside, impossible) is refused too.
    const future = confirmedData(prompt.line, { ...ADA, nowSec: NOW + 86_400 });
    expect(decodeAction(VERBS.confirm, future, ADA)).toEqual({ kind: 'invalid', reason: 'confirmation expired' });
    expect(decodeAction(VERBS.confirm, { ...data, exp: String(data.exp) }, ADA)).toMatchObject({ kind: 'invalid', reason: 'malformed confirmation' });
    expect(decodeAction(VERBS.confirm, { line: data.line, exp: data.exp }, ADA)).toMatchObject({ kind: 'invalid', reason: 'malformed confirmation' });
  });

  it('any line, any user: confirms only the exact pair', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 200 }), fc.string({ minLength: 1, maxLength: 200 }), fc.uuid(), fc.uuid(), (l1, l2, u1, u2) => {
        const data = confirmedData(l1, { ...ADA, userId: u1 });
        const ok = decodeAction(VERBS.confirm, { ...data, line: l2 }, { ...ADA, userId: u2 });
        expect(ok.kind === 'confirmed').toBe(l1 === l2 && u1 === u2);
      }),
      { numRuns: 200 },
    );
  });
});

describe('form submissions', () => {
  it('decode to the form id and the non-empty string values, our keys left out', () => {
    const data = { formId: 'connect:hubspot', token: 'pat-1', note: '', region: 'eu', n: 3, flag: true, obj: { a: 1 }, msteams: { x: 1 }, line: 'x' };
    expect(decodeAction(VERBS.form, data, ADA)).toEqual({ kind: 'form', formId: 'connect:hubspot', values: { token: 'pat-1', region: 'eu' } });
    expect(formValues(data)).toEqual({ token: 'pat-1', region: 'eu' });
  });

  it('refuse a shape Teams does not send, naming no value', () => {
    expect(() => formValues('token=pat-SECRET')).toThrow(/not an object/);
    expect(() => formValues(['pat-SECRET'])).toThrow(/^(?!.*SECRET)/);
    expect(() => formValues(null)).toThrow();
  });
});
