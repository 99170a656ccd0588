/** Neutral replies → Discord: markdown, content or one embed, buttons, modals — within Discord's limits. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeCustomId } from '../../bots/discord/render/custom-id.ts';
import { clip, hasMarkup, toDiscord, toPlain } from '../../bots/discord/render/markdown.ts';
import { renderEdit, renderMessage } from '../../bots/discord/render/message.ts';
import { modalValues, renderModal, SECRET_NOTE } from '../../bots/discord/render/modal.ts';
import { code, commandButton, ephemeral, inChannel, plain, urlButton, type Block, type NeutralReply } from '../../src/commands/view.ts';
import { expectWithinDiscordLimits } from './limits.ts';

const U1 = '6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f';
const ctx = { userId: '1', sign: (d: string) => d, nowSec: 0 };

describe('markdown', () => {
  it('keeps bold, code, masked links and mentions, and escapes the rest of our own text', () => {
    expect(toDiscord('**Linear** & <b> by <@123>: see [the docs](https://linear.app/docs?a=1) `x_y*z` 50% *one* _two_ ~~t~~ a|b')).toBe(
      '**Linear** & \\<b\\> by <@123>: see [the docs](https://linear.app/docs?a=1) `x_y*z` 50% \\*one\\* \\_two\\_ \\~\\~t\\~\\~ a\\|b',
    );
  });

  it('escapes line-start syntax in our own text: headings, lists, quotes, subtext', () => {
    expect(toDiscord('# Title\n- item\n  1. first\n> quote\n-# small\nnot-a-list 2. x')).toBe('\\# Title\n\\- item\n  1\\. first\n\\> quote\n\\-\\# small\nnot-a-list 2. x');
  });

  it('flattens for surfaces without markdown, and tells markup from plain text', () => {
    expect(toPlain('**Connect** `linear` via [OAuth](https://x.test)')).toBe('Connect linear via OAuth');
    expect(hasMarkup('Resuming early is allowed.')).toBe(false);
    expect(hasMarkup(`2026 · ${plain('**x** [y](https://e.example)')}`)).toBe(false);
    expect(hasMarkup('Correlation id: `abc`')).toBe(true);
    expect(hasMarkup('by <@1>')).toBe(true);
  });

  it('clips with an ellipsis, never inside an escape, token or neutralised @everyone', () => {
    const tail = 'a * b < c [the docs](https://patchbay.example/docs) <@123> `co_de` **bold** ' + plain('x @everyone ||y|| [z](https://evil.example)');
    for (let pad = 1_900; pad <= 2_000; pad++) {
      const out = toDiscord('z'.repeat(pad) + tail, 2_000);
      expect(out.length, String(pad)).toBeLessThanOrEqual(2_000);
      // No dangling backslash before the ellipsis, bold and code pair up, a mention is whole.
      expect(out, String(pad)).not.toMatch(/(^|[^\\])(\\\\)*\\…$/);
      expect((out.match(/(?<!\\)\*\*/g)?.length ?? 0) % 2, String(pad)).toBe(0);
      expect((out.match(/(?<!\\)`/g)?.length ?? 0) % 2, String(pad)).toBe(0);
      expect(out.replace(/<@123>/g, ''), String(pad)).not.toMatch(/(?<!\\)</);
      expect(out, String(pad)).not.toMatch(/@everyone/);
    }
    expect(clip('abcdef', 4)).toBe('abc…');
    expect(clip('🔥🔥🔥', 4)).toBe('🔥…');
  });

  it('any text renders within any limit, and outside text never yields an unescaped markdown character', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.string({ maxLength: 300 }), fc.integer({ min: 1, max: 400 }), (ours, theirs, max) => {
        const out = toDiscord(`${ours}${plain(theirs)}`, max);
        expect(out.length).toBeLessThanOrEqual(max);
        const alone = toDiscord(plain(theirs));
        // Remove every escape pair: what is left holds no character Discord would read.
        expect(alone.replace(/\\[\\*_~`|<>[\]():#.+-]/g, '')).not.toMatch(/[\\*_~`|<>[\]():#]/);
        expect(alone).not.toMatch(/@(everyone|here)/i);
      }),
    );
  });
});

const card = (extra: Block[] = []): NeutralReply =>
  ephemeral('**Linear**', [
    { type: 'header', text: `Connection ${plain('Ops *board*')}` },
    { type: 'section', text: '✅ connected — all good', fields: [{ label: 'Status', value: '✅ connected' }, { label: 'Scopes', value: plain('a'.repeat(60)) }], accessory: commandButton('Log', 'log', [U1]) },
    { type: 'divider' },
    { type: 'context', text: `2026-11-22 14:05 · sync: ${plain('ok <@9>')}` },
    { type: 'actions', buttons: [commandButton('Test', 'test', [U1]), commandButton('Log', 'log', [U1]), commandButton('Disconnect', 'disconnect', [U1, '--confirmed'], { style: 'danger', confirm: { title: 'Sure?', text: 'x', confirmLabel: 'Disconnect', denyLabel: 'Cancel' } })] },
    ...extra,
  ]);

describe('messages', () => {
  it('a reply that is one plain section is content, with its buttons, never pinging, ephemeral when asked', () => {
    const msg = renderMessage(ephemeral(`Paused **Linear**.`, [{ type: 'section', text: 'Paused **Linear**.' }, { type: 'actions', buttons: [commandButton('Resume', 'resume', [U1], { style: 'primary' })] }]));
    expect(msg).toEqual({
      content: 'Paused **Linear**.',
      components: [{ type: 1, components: [{ type: 2, style: 1, label: 'Resume', custom_id: expect.stringMatching(/^c:resume ~/) }] }],
      allowed_mentions: { parse: [] },
      flags: 64 | 4,
    });
    expect(renderMessage(inChannel('done')).flags).toBe(4);
    expect(renderMessage(inChannel('done', [])).content).toBe('done');
  });

  it('richer replies are one embed: title, description, inline short fields, footer for plain context', () => {
    const msg = renderMessage(card());
    expectWithinDiscordLimits(msg);
    expect(msg.content).toBeUndefined();
    expect(msg.flags).toBe(64);
    const [e] = msg.embeds!;
    expect(e!.title).toBe('Connection Ops \\*board\\*');
    expect(e!.description).toBe('✅ connected — all good');
    expect(e!.fields).toEqual([
      { name: 'Status', value: '✅ connected', inline: true },
      { name: 'Scopes', value: 'a'.repeat(60), inline: false },
    ]);
    // The footer renders no markdown: the outside text as it came.
    expect(e!.footer).toEqual({ text: '2026-11-22 14:05 · sync: ok <@9>' });
    expect(e!.color).toBe(0x4f545c);
  });

  it('buttons: accessory first, duplicates left out, styles, and a confirm asks first', () => {
    const rows = renderMessage(card()).components!;
    const buttons = rows.flatMap((r) => r.components) as Array<{ label: string; style: number; custom_id: string }>;
    expect(buttons.map((b) => [b.label, b.style, decodeCustomId(b.custom_id, ctx).kind])).toEqual([
      ['Log', 2, 'run'],
      ['Test', 2, 'run'],
      ['Disconnect', 4, 'ask'],
    ]);
  });

  it('link buttons open their URL; one too long for a button becomes a masked link in the text', () => {
    const long = `https://app.hubspot.com/oauth/authorize?scope=${'x'.repeat(600)}`;
    const msg = renderMessage(ephemeral('Authorize', [{ type: 'section', text: 'Authorize HubSpot.' }, { type: 'actions', buttons: [urlButton('Open HubSpot', 'https://app.hubspot.com/a', 'primary'), urlButton('Authorize **HubSpot**', long)] }]));
    expect(msg.components![0]!.components).toEqual([{ type: 2, style: 5, label: 'Open HubSpot', url: 'https://app.hubspot.com/a' }]);
    // Still one plain section: content, the long link on its own line.
    expect(msg.content).toBe(`Authorize HubSpot.\n[Authorize HubSpot](${long})`);
    expectWithinDiscordLimits(msg);
  });

  it('errors are red; context with markup becomes subtext; forms leave a note; later headers are bold', () => {
    const reply: NeutralReply = {
      ...ephemeral('x', [
        { type: 'section', text: 'Failed.' },
        { type: 'context', text: `Correlation id: ${code('abc')}\nsecond line` },
        { type: 'header', text: 'More' },
        { type: 'form', id: 'connect:linear', title: 'Connect Linear', fields: [], submitLabel: 'Connect' },
      ]),
      error: { code: 'provider_error' },
    };
    const e = renderMessage(reply).embeds![0]!;
    expect(e.color).toBe(0xed4245);
    expect(e.description).toBe('Failed.\n\n-# Correlation id: `abc`\n-# second line\n\n**More**\n\n📝 Connect Linear\\: the form opens in a dialog.'.replace('\\:', ':'));
  });

  it('caps buttons at 5 rows of 5 and says so; fields at 25; everything within 6000', () => {
    const many: NeutralReply = inChannel('many', [
      { type: 'header', text: 'H'.repeat(400) },
      { type: 'section', text: 'd'.repeat(5000), fields: Array.from({ length: 40 }, (_, i) => ({ label: `F${i}`.repeat(100), value: 'v'.repeat(2000) })) },
      { type: 'actions', buttons: Array.from({ length: 30 }, (_, i) => commandButton(`B${i}`.repeat(30), 'log', [String(i)])) },
      { type: 'context', text: 'c'.repeat(3000) },
    ]);
    const msg = renderMessage(many);
    expectWithinDiscordLimits(msg);
    expect(msg.components!.flatMap((r) => r.components)).toHaveLength(25);
    const fields = msg.embeds![0]!.fields!;
    expect(fields[fields.length - 1]!.name).toBe('…');
    expect(msg.embeds![0]!.title!.endsWith('…')).toBe(true);
  });

  it('any reply renders within Discord’s limits', () => {
    const text = fc.string({ maxLength: 3000 }).chain((s) => fc.constantFrom(s, plain(s), `**${s}**`));
    const button = fc.record({ label: fc.string({ maxLength: 100 }), arg: fc.string({ minLength: 1, maxLength: 20 }), danger: fc.boolean() }).map((b) => commandButton(b.label, 'log', [b.arg], b.danger ? { style: 'danger' } : {}));
    const block: fc.Arbitrary<Block> = fc.oneof(
      text.map((t) => ({ type: 'header' as const, text: t })),
      fc.record({ text, fields: fc.array(fc.record({ label: fc.string({ maxLength: 300 }), value: text }), { maxLength: 12 }) }).map((s) => ({ type: 'section' as const, ...s })),
      text.map((t) => ({ type: 'context' as const, text: t })),
      fc.constant({ type: 'divider' as const }),
      fc.array(button, { maxLength: 12 }).map((buttons) => ({ type: 'actions' as const, buttons })),
    );
    fc.assert(
      fc.property(text, fc.array(block, { maxLength: 8 }), fc.boolean(), (t, blocks, eph) => {
        expectWithinDiscordLimits(renderMessage((eph ? ephemeral : inChannel)(t, blocks)));
      }),
      { numRuns: 150 },
    );
  });
});

describe('modals', () => {
  const form: Extract<Block, { type: 'form' }> = {
    type: 'form',
    id: `rules:edit:${U1}:${U1}`,
    title: 'Edit the sync rule of a very long connection name here',
    intro: 'Paste the **key**.',
    fields: [
      { name: 'apiKey', label: 'Personal API key', secret: true, help: 'Starts with lin_api_.', initial: 'never-shown', placeholder: 'lin_api_…' },
      { name: 'direction', label: 'Direction', secret: false, options: [{ value: 'both', label: 'Both ways' }, { value: 'in', label: 'Into Patchbay only' }], initial: 'in' },
      { name: 'mapping', label: 'Field mapping', secret: false, multiline: true, optional: true, initial: 'title = name', help: 'h'.repeat(300) },
    ],
    submitLabel: 'Save',
  };

  it('renders Labels around text inputs and selects, within Discord’s modal limits, never prefilling a secret', () => {
    const m = renderModal(form);
    expect(m.title.length).toBeLessThanOrEqual(45);
    expect(decodeCustomId(m.custom_id, ctx).kind).toBe('invalid');
    expect(m.custom_id.startsWith('f:rules:edit:~')).toBe(true);
    expect(m.components).toHaveLength(4);
    const [intro, key, direction, mapping] = m.components as any[];
    expect(intro).toEqual({ type: 10, content: 'Paste the **key**.' });
    expect(key).toEqual({
      type: 18,
      label: 'Personal API key',
      description: `Starts with lin_api_. ${SECRET_NOTE}`,
      component: { type: 4, custom_id: 'apiKey', style: 1, required: true, max_length: 4000, placeholder: 'lin_api_…' },
    });
    expect(direction.component).toEqual({
      type: 3,
      custom_id: 'direction',
      options: [{ label: 'Both ways', value: 'both' }, { label: 'Into Patchbay only', value: 'in', default: true }],
      required: true,
      min_values: 1,
      max_values: 1,
    });
    expect(mapping.component).toMatchObject({ type: 4, style: 2, required: false, value: 'title = name' });
    expect(mapping.description.length).toBeLessThanOrEqual(100);
    expect(JSON.stringify(m)).not.toContain('never-shown');
  });

  it('leaves the intro out when five fields fill the modal, and refuses more than five', () => {
    const fields = Array.from({ length: 5 }, (_, i) => ({ name: `f${i}`, label: `Field ${i}`.repeat(10), secret: false }));
    const m = renderModal({ ...form, fields });
    expect(m.components).toHaveLength(5);
    expect((m.components as any[]).every((c) => c.type === 18 && c.label.length <= 45)).toBe(true);
    expect(() => renderModal({ ...form, fields: [...fields, fields[0]!] })).toThrow(/holds 5/);
  });

  it('reads values from Label and legacy action-row submissions; empty answers are left out', () => {
    expect(
      modalValues([
        { type: 18, id: 2, component: { type: 4, id: 3, custom_id: 'apiKey', value: 'lin_api_x' } },
        { type: 18, component: { type: 3, custom_id: 'direction', values: ['in'] } },
        { type: 18, component: { type: 3, custom_id: 'scope', values: [] } },
        { type: 1, components: [{ type: 4, custom_id: 'mapping', value: 'a = b' }, { type: 4, custom_id: 'note', value: '' }] },
        { type: 10, id: 1 },
      ]),
    ).toEqual({ apiKey: 'lin_api_x', direction: 'in', mapping: 'a = b' });
  });

  it('refuses an unknown shape without echoing a value', () => {
    expect(() => modalValues([{ type: 18, component: { custom_id: 'apiKey', value: 42 } }])).toThrow(/unexpected modal submission shape/);
    try {
      modalValues([{ type: 1, components: [{ custom_id: 'apiKey', value: ['lin_api_SECRET'] }] }]);
    } catch (e) {
      expect(String(e)).not.toContain('SECRET');
    }
    expect(() => modalValues('nope')).toThrow();
  });
});

describe('renderEdit: a reply as an edit of a message already shown', () => {
  const contentReply = ephemeral('⏳ Checking the credentials…');
  const embedReply = ephemeral('refused', [
    { type: 'header', text: 'Refused' },
    { type: 'section', text: 'Linear rejected the credentials.' },
  ]);

  it('sends every field, empty ones included, since Discord keeps what an edit leaves out', () => {
    const edit = renderEdit(embedReply);
    expect(edit.content).toBe('');
    expect(edit.components).toEqual([]);
    expect(edit.embeds).toHaveLength(1);
    expect(renderEdit(contentReply)).toMatchObject({ content: '⏳ Checking the credentials…', embeds: [], components: [] });
  });

  it('clears SUPPRESS_EMBEDS for an embed (a suppressed message shows none) and sets it for content; keeps the message ephemeral or not', () => {
    expect(renderEdit(embedReply).flags).toBe(64);
    expect(renderEdit(contentReply).flags).toBe(64 | 4);
    expect(renderEdit(embedReply, false).flags).toBe(0);
    expect(renderEdit(inChannel('done'), true).flags).toBe(64 | 4);
  });
});
