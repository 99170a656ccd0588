/**
 * Text from outside is text on Teams: a `plain()` span is a literal TextRun (TextRuns take no
 * markdown), with invisible breaks in `{{`, `://`, `www.`, `<at` and `@everyone`; no card links
 * anywhere we did not put a link; and every alert renderer's card, fed the catalog's examples
 * with hostile and oversized text, is a valid card within Teams' size limits.
 */
import { describe, expect, it } from 'vitest';
import { renderActivity, renderCard } from '../../bots/teams/render/card.ts';
import { toPlainText, toRichText } from '../../bots/teams/render/text.ts';
import { bold, inChannel, plain, type NeutralReply } from '../../src/commands/view.ts';
import { alertCases } from '../helpers/alert-cases.ts';
import { cardTexts, cardUrls, expectValidActivity, expectValidCard } from './card-limits.ts';

const Z = '\u200B';
const EVIL = '# Re-authorize [click](https://evil.example) @everyone @here <at>Admin</at> <@123> **now** `x` _i_ {{DATE(2017-02-14T06:00:00Z, SHORT)}} www.evil.example\n> quote\n- item';

/** Checks a shown text holds nothing live from EVIL. */
function expectInert(s: string): void {
  expect(s).not.toMatch(/@(everyone|here)/);
  expect(s).not.toMatch(/<\/?at/i);
  expect(s).not.toContain('https://evil.example');
  expect(s).not.toMatch(/www\.evil/);
  expect(s).not.toContain('{{');
}

describe('plain() spans on Teams', () => {
  it('are one literal run each: markdown, links, mentions and date functions stay text', () => {
    const [block] = toRichText(`❌ **HubSpot** failed: ${plain('[x](https://evil.example) <at>Admin</at> **b** @everyone {{DATE(2017-02-14T06:00:00Z)}}')}`);
    expect(block).toEqual({
      type: 'RichTextBlock',
      inlines: [
        { type: 'TextRun', text: '❌ ' },
        { type: 'TextRun', text: 'HubSpot', weight: 'Bolder' },
        { type: 'TextRun', text: ' failed: ' },
        { type: 'TextRun', text: `[x](https:${Z}//evil.example) <${Z}at>Admin</${Z}at> **b** @${Z}everyone {${Z}{DATE(2017-02-14T06:00:00Z)}}` },
      ],
    });
  });

  it('keep our markup beside them, and our bold around them', () => {
    const [block] = toRichText(`paused ${bold(plain('Ops **x** <b>'))} and ${bold('Two')} — [docs](https://patchbay.example/docs)`);
    expect(block!.inlines).toEqual([
      { type: 'TextRun', text: 'paused ' },
      { type: 'TextRun', text: 'Ops **x** <b>', weight: 'Bolder' },
      { type: 'TextRun', text: ' and ' },
      { type: 'TextRun', text: 'Two', weight: 'Bolder' },
      { type: 'TextRun', text: ' — ' },
      { type: 'TextRun', text: 'docs', color: 'Accent', underline: true, selectAction: { type: 'Action.OpenUrl', url: 'https://patchbay.example/docs' } },
    ]);
  });

  it('cannot be closed from inside', () => {
    const blocks = toRichText(plain('a\uE001[x](https://evil.example)\uE000b'));
    expect(blocks).toEqual([{ type: 'RichTextBlock', inlines: [{ type: 'TextRun', text: `a[x](https:${Z}//evil.example)b` }] }]);
  });

  it('a display name from outside is literal too, and a mention never becomes a Teams mention', () => {
    const names = new Map([['U1', '**Eve** <at>Admin</at>']]);
    const [block] = toRichText('<@U1> paused Linear; <@U2> too', { names });
    expect(block!.inlines).toEqual([{ type: 'TextRun', text: `@**Eve** <${Z}at>Admin</${Z}at>` }, { type: 'TextRun', text: ' paused Linear; someone too' }]);
    expect(toPlainText('<@U1> paused', Infinity, names)).toBe(`@**Eve** <${Z}at>Admin</${Z}at> paused`);
  });

  it('stay inert in every part of a card and in the fallback text', () => {
    const reply: NeutralReply = inChannel(`x ${plain(EVIL)}`, [
      { type: 'header', text: plain(EVIL) },
      { type: 'section', text: `Failed: ${plain(EVIL)}`, fields: [{ label: plain(EVIL), value: plain(EVIL) }] },
      { type: 'context', text: `Log: ${plain(EVIL)}` },
      { type: 'actions', buttons: [{ label: `Reconnect ${plain(EVIL)}`, action: { command: 'reconnect', args: ['1'] } }] },
      { type: 'form', id: 'f1', title: plain(EVIL), intro: plain(EVIL), submitLabel: plain(EVIL), fields: [{ name: 'a', label: plain(EVIL), secret: false, placeholder: plain(EVIL), help: plain(EVIL), options: [{ value: 'v', label: plain(EVIL) }] }] },
    ]);
    const activity = renderActivity(reply);
    expectValidActivity(activity);
    const card = activity.attachments[0]!.content;
    expect(cardUrls(card)).toEqual([]);
    const texts = cardTexts(card);
    expect(texts.length).toBeGreaterThan(10);
    for (const t of texts) expectInert(t);
    expectInert(activity.text);
    // Markdown characters are shown as typed (invisible breaks aside).
    expect(texts.some((t) => t.replaceAll(Z, '').includes('# Re-authorize [click](https://evil.example) @everyone'))).toBe(true);
  });
});

const cases = (n: number) => alertCases(EVIL, n, { platform: 'teams', teamId: 'T1', channelId: 'C1', userId: '8f3c2d1e-0000-4000-8000-000000000001' });

describe('every alert renderer on Teams', () => {
  const all = cases(EVIL.length);

  it('has cases', () => expect(all.length).toBeGreaterThan(10));

  it.each(all)('%s: a valid card within limits, hostile outside text inert', (_name, reply) => {
    const activity = renderActivity(reply);
    expectValidActivity(activity);
    const card = activity.attachments[0]!.content;
    expect(cardUrls(card).some((u) => u.includes('evil.example'))).toBe(false);
    for (const t of cardTexts(card)) expectInert(t);
    expectInert(activity.text);
  });

  it.each(cases(5000))('%s with 5000-character outside text: within limits', (_name, reply) => {
    expectValidActivity(renderActivity(reply));
    expectValidCard(renderCard(reply));
  });
});
