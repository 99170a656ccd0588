/** Teams rendering: the neutral markup as TextRuns, replies as Adaptive Cards, buttons, forms, size limits. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderAction } from '../../bots/teams/render/actions.ts';
import { renderActivity, renderCard, TEAMS_LIMITS } from '../../bots/teams/render/card.ts';
import { formCard, SECRET_NOTE, type Form } from '../../bots/teams/render/form.ts';
import { toPlainText, toRichText, visibleText } from '../../bots/teams/render/text.ts';
import type { InputChoiceSet, InputText } from '../../bots/teams/render/types.ts';
import { connectFormId, credentialsForm } from '../../src/commands/credentials.ts';
import { commandButton, ephemeral, inChannel, plain, urlButton, type NeutralReply } from '../../src/commands/view.ts';
import { listProviders } from '../../src/providers/registry.ts';
import { cardTexts, expectValidActivity, expectValidCard } from './card-limits.ts';

const run = (text: string, extra: Record<string, unknown> = {}) => ({ type: 'TextRun', text, ...extra });

describe('neutral markup as runs', () => {
  it('bold, code, links and mentions become run properties, not characters', () => {
    const [b] = toRichText('**Linear** is `paused` by <@U1>, see [docs](https://patchbay.example/d) and **`x`**', { names: new Map([['U1', 'Ada']]) });
    expect(b!.inlines).toEqual([
      run('Linear', { weight: 'Bolder' }),
      run(' is '),
      run('paused', { fontType: 'Monospace' }),
      run(' by '),
      run('@Ada'),
      run(', see '),
      run('docs', { color: 'Accent', underline: true, selectAction: { type: 'Action.OpenUrl', url: 'https://patchbay.example/d' } }),
      run(' and '),
      run('x', { weight: 'Bolder', fontType: 'Monospace' }),
    ]);
  });

  it('an unknown user reads "someone"; a link Teams could not open keeps its label only', () => {
    expect(visibleText(toRichText('<@U9> paused Linear'))).toBe('someone paused Linear');
    const long = `https://x.example/${'a'.repeat(2100)}`;
    expect(toRichText(`[label](${long})`)[0]!.inlines).toEqual([run('label')]);
    // Not our subset: stays as typed (no run formats it).
    expect(toRichText('_i_ ~~s~~ # h')[0]!.inlines).toEqual([run('_i_ ~~s~~ # h')]);
  });

  it('one block per line: later lines sit right under, a blank line adds space', () => {
    const blocks = toRichText('one\ntwo\n\nthree');
    expect(blocks.map((b) => [visibleText([b]), b.spacing])).toEqual([
      ['one', undefined],
      ['two', 'None'],
      ['three', 'Medium'],
    ]);
    expect(toRichText('\n\n')).toEqual([]);
  });

  it('line styles apply to every run', () => {
    expect(toRichText('a **b**', { style: { size: 'Small', isSubtle: true } })[0]!.inlines).toEqual([run('a ', { size: 'Small', isSubtle: true }), run('b', { weight: 'Bolder', size: 'Small', isSubtle: true })]);
  });

  it('clips to the visible budget with an ellipsis, never inside a code point or a link', () => {
    const piece = fc.oneof(fc.constantFrom('**b**', '`c`', '[l](https://x.example/p)', '<@U1>', '🔥', '\n', 'é', ' '), fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }).map(plain));
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), fc.integer({ min: 1, max: 40 }), (parts, max) => {
        const blocks = toRichText(parts.join(''), { max });
        const shown = visibleText(blocks).replaceAll('\n', '').replaceAll('\u200B', '');
        expect(Array.from(shown).length).toBeLessThanOrEqual(max);
        for (const b of blocks) for (const r of b.inlines) expect(r.text).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
        // A link run is whole (its label may take text typed after an earlier `[`).
        for (const b of blocks) for (const r of b.inlines) if (r.selectAction) expect(r.text).toMatch(/l$/);
        expect(Array.from(toPlainText(parts.join(''), max)).length).toBeLessThanOrEqual(max);
      }),
    );
  });
});

describe('replies as cards', () => {
  it('header, section with fields, divider, context and actions', () => {
    const reply = inChannel('Linear connected', [
      { type: 'header', text: 'Linear' },
      { type: 'section', text: 'Status: ✅ connected', fields: [{ label: 'Account', value: plain('Ops *team*') }] },
      { type: 'divider' },
      { type: 'context', text: 'Checked 2 min ago' },
      { type: 'actions', buttons: [commandButton('Pause', 'pause', ['c1'], { style: 'primary' }), urlButton('Settings', 'https://linear.app/settings')] },
    ]);
    const card = renderCard(reply);
    expectValidCard(card);
    expect(card).toEqual({
      type: 'AdaptiveCard',
      $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
      version: '1.5',
      msteams: { width: 'Full' },
      body: [
        { type: 'RichTextBlock', inlines: [run('Linear', { weight: 'Bolder', size: 'Large' })] },
        { type: 'RichTextBlock', inlines: [run('Status: ✅ connected')] },
        {
          type: 'ColumnSet',
          spacing: 'Small',
          columns: [
            { type: 'Column', width: 1, items: [{ type: 'RichTextBlock', inlines: [run('Account', { weight: 'Bolder' })] }] },
            { type: 'Column', width: 2, items: [{ type: 'RichTextBlock', inlines: [run('Ops *team*')] }] },
          ],
        },
        { type: 'RichTextBlock', inlines: [run('Checked 2 min ago', { size: 'Small', isSubtle: true })], separator: true },
        {
          type: 'ActionSet',
          actions: [
            { type: 'Action.Execute', title: 'Pause', verb: 'pb.run', data: { line: 'pause c1' }, style: 'positive', associatedInputs: 'none' },
            { type: 'Action.OpenUrl', title: 'Settings', url: 'https://linear.app/settings' },
          ],
        },
      ],
    });
  });

  it('an error reply shows its first header, else its first section, in the Attention colour', () => {
    const withHeader = renderCard({ ...ephemeral('x', [{ type: 'header', text: 'Failed' }, { type: 'section', text: 'why' }]), error: { code: 'upstream' } });
    expect(withHeader.body.map((e) => JSON.stringify(e).includes('Attention'))).toEqual([true, false]);
    const noHeader = renderCard({ ...ephemeral('Refused.'), error: { code: 'forbidden' } });
    expect(noHeader.body).toEqual([{ type: 'RichTextBlock', inlines: [run('Refused.', { color: 'Attention' })] }]);
    expect(JSON.stringify(renderCard(ephemeral('Fine.')))).not.toContain('Attention');
  });

  it('a reply of blocks that show nothing falls back to its text', () => {
    const card = renderCard({ visibility: 'ephemeral', text: 'Done.', blocks: [{ type: 'divider' }] });
    expect(card.body).toEqual([{ type: 'RichTextBlock', inlines: [run('Done.')] }]);
  });

  it('the activity carries the card and an inert plain fallback', () => {
    const a = renderActivity(ephemeral(`**Paused** ${plain('[x](https://evil.example)')} by <@U1>`), { names: new Map([['U1', 'Ada']]) });
    expectValidActivity(a);
    expect(a.text).toBe('Paused [x](https:\u200B//evil.example) by @Ada');
    expect(a.summary).toBe(a.text);
    expect(a.textFormat).toBe('plain');
  });

  it('more than 6 buttons go into several action sets; unusable links are left out', () => {
    const buttons = [...Array.from({ length: 8 }, (_, i) => commandButton(`B${i}`, 'status', [String(i)])), urlButton('Bad', 'javascript:alert(1)')];
    const card = renderCard(inChannel('x', [{ type: 'actions', buttons }]));
    expectValidCard(card);
    expect(card.body.map((e) => (e.type === 'ActionSet' ? e.actions.length : 0))).toEqual([6, 2]);
    expect(JSON.stringify(card)).not.toContain('javascript:');
  });

  it('a danger button with a confirm asks first; styles map to destructive and positive', () => {
    const confirm = { title: 'Disconnect Linear?', text: 'Sync stops.', confirmLabel: 'Disconnect', denyLabel: 'Keep' };
    expect(renderAction(commandButton('Disconnect', 'disconnect', ['c1', '--confirmed'], { style: 'danger', confirm }))).toEqual({
      type: 'Action.Execute',
      title: 'Disconnect',
      verb: 'pb.ask',
      data: { line: 'disconnect c1 --confirmed', label: 'Disconnect', danger: true, confirm },
      style: 'destructive',
      associatedInputs: 'none',
    });
    expect(renderAction(commandButton('Status', 'status', ['My "ops" board']))).toEqual({ type: 'Action.Execute', title: 'Status', verb: 'pb.run', data: { line: 'status "My \\"ops\\" board"' }, associatedInputs: 'none' });
    expect(renderAction({ label: plain('**x**'), action: { command: 'a', args: [] } })).toMatchObject({ title: '**x**' });
  });

  it('stays within the byte budget for huge replies: text is clipped, then left out with a note; buttons stay', () => {
    const fields = Array.from({ length: 300 }, (_, i) => ({ label: `Field ${i}`, value: plain('x'.repeat(1000)) }));
    const reply: NeutralReply = inChannel('big', [
      { type: 'header', text: 'Big' },
      { type: 'section', text: '🔥'.repeat(5000), fields },
      { type: 'actions', buttons: [commandButton('Retry', 'retry', ['c1'])] },
    ]);
    const a = renderActivity(reply);
    expectValidActivity(a);
    const card = a.attachments[0]!.content;
    expect(Buffer.byteLength(JSON.stringify(card))).toBeLessThanOrEqual(TEAMS_LIMITS.cardBytes);
    expect(cardTexts(card).some((t) => /more parts not shown/.test(t))).toBe(true);
    expect(card.body[card.body.length - 1]).toMatchObject({ type: 'ActionSet' });
    expect(cardTexts(card)[0]).toBe('Big');
  });
});

const form: Form = {
  type: 'form',
  id: 'connect:hubspot:6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f',
  title: 'Connect **HubSpot**',
  intro: `Paste a private app token for ${plain('Ops <at>x</at>')}.`,
  submitLabel: 'Connect',
  fields: [
    { name: 'token', label: 'Token', secret: true, initial: 'pat-na1-SECRET', placeholder: 'pat-…', help: 'From Settings → Private apps.' },
    { name: 'note', label: 'Note', secret: false, optional: true, multiline: true, initial: 'hello' },
    { name: 'region', label: 'Region', secret: false, options: [{ value: 'eu', label: 'Europe' }, { value: 'us', label: 'US' }], initial: 'eu' },
  ],
};

describe('forms as cards with inputs', () => {
  it('secrets are masked and never prefilled; others keep their initial value', () => {
    const card = formCard(form);
    expectValidCard(card);
    expect(JSON.stringify(card)).not.toContain('SECRET');
    const inputs = card.body.filter((e): e is InputText | InputChoiceSet => e.type.startsWith('Input.'));
    expect(inputs).toEqual([
      { type: 'Input.Text', id: 'token', label: 'Token', isRequired: true, errorMessage: 'Token is required.', placeholder: 'pat-…', spacing: 'Medium', maxLength: 4000, style: 'password' },
      { type: 'Input.Text', id: 'note', label: 'Note', isRequired: false, spacing: 'Medium', maxLength: 4000, isMultiline: true, value: 'hello' },
      {
        type: 'Input.ChoiceSet',
        id: 'region',
        label: 'Region',
        isRequired: true,
        errorMessage: 'Region is required.',
        spacing: 'Medium',
        style: 'compact',
        choices: [
          { title: 'Europe', value: 'eu' },
          { title: 'US', value: 'us' },
        ],
        value: 'eu',
      },
    ]);
    expect(cardTexts(card)).toContain(`From Settings → Private apps. ${SECRET_NOTE}`);
    expect(card.body[card.body.length - 1]).toEqual({
      type: 'ActionSet',
      spacing: 'Medium',
      // The form rides along (for the answer to a refused submit), never a secret's prefill.
      actions: [{ type: 'Action.Execute', title: 'Connect', verb: 'pb.form', data: { formId: form.id, form: { ...form, fields: form.fields.map((f) => (f.secret ? { ...f, initial: undefined } : f)) } }, style: 'positive', associatedInputs: 'auto' }],
    });
  });

  it('shows field errors under their inputs (visible, and as errorMessage); secrets come back empty', () => {
    const card = formCard(form, { token: `HubSpot said: ${plain('**invalid** <at>x</at>')}`, other: 'Try again later.' });
    expectValidCard(card);
    const i = card.body.findIndex((e) => e.type === 'Input.Text' && e.id === 'token');
    expect(card.body[i]).toMatchObject({ errorMessage: 'HubSpot said: **invalid** <\u200Bat>x</\u200Bat>' });
    expect(card.body[i]).not.toHaveProperty('value');
    const after = card.body.slice(i + 1, i + 3).map((e) => JSON.stringify(e));
    expect(after.some((s) => s.includes('"color":"Attention"') && s.includes('⚠ HubSpot said: '))).toBe(true);
    expect(cardTexts(card)).toContain('⚠ Try again later.');
  });

  it('a form reply renders the form with its field errors; a result renders no inputs', () => {
    const withForm = renderCard({ ...ephemeral('Connect HubSpot', [form]), fieldErrors: { token: 'Refused.' } });
    expectValidCard(withForm);
    expect(withForm.body.filter((e) => e.type.startsWith('Input.'))).toHaveLength(3);
    expect(cardTexts(withForm)).toContain('⚠ Refused.');
    const result = renderCard(inChannel('✅ HubSpot connected.'));
    expect(JSON.stringify(result)).not.toMatch(/"Input\./);
  });

  it('refuses field names that collide with our data keys', () => {
    expect(() => formCard({ ...form, fields: [{ name: 'formId', label: 'x', secret: false }] })).toThrow(/field named formId/);
    expect(() => formCard({ ...form, fields: [{ name: 'a', label: 'x', secret: false }, { name: 'a', label: 'y', secret: false }] })).toThrow(/two fields named a/);
  });

  const credentialProviders = listProviders().filter((p) => p.definition.auth.credentials);

  it('every credentials provider has some', () => expect(credentialProviders.length).toBeGreaterThan(0));

  it.each(credentialProviders.map((p) => [p.definition.slug, p] as const))('%s: its connect form is a valid card, secrets masked and empty', (_slug, p) => {
    const reply = credentialsForm(p, { formId: connectFormId(p.definition.slug), title: `Connect ${p.definition.displayName}`, submitLabel: 'Connect', withDisplayName: true });
    const card = renderCard(reply);
    expectValidCard(card);
    for (const f of p.definition.auth.credentials!.fields) {
      const input = card.body.find((e) => e.type === 'Input.Text' && e.id === f.name) as InputText | undefined;
      expect(input).toBeDefined();
      if (f.secret) {
        expect(input!.style).toBe('password');
        expect(input).not.toHaveProperty('value');
      }
    }
  });
});
