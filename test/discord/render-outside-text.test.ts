/**
 * Text from outside is text on Discord: a `plain()` span's markdown, mentions, @everyone, masked
 * links and URLs come out inert; and every alert renderer's message, fed the catalog's examples
 * with hostile and oversized text, stays within Discord's limits.
 */
import { describe, expect, it } from 'vitest';
import { escapeOutside, toDiscord } from '../../bots/discord/render/markdown.ts';
import { renderMessage } from '../../bots/discord/render/message.ts';
import { bold, inChannel, plain, type NeutralReply } from '../../src/commands/view.ts';
import { alertCases } from '../helpers/alert-cases.ts';
import { expectWithinDiscordLimits, markdownTexts } from './limits.ts';

const EVIL = '# Re-authorize [click](https://evil.example) @everyone @here <@123> <@&1> <#2> </cmd:3> <t:4> <:x:5> ||spoiler|| **now** `x` ~~s~~ _i_\n> quote\n-# small\n- item';

/** Checks a rendered markdown text holds nothing live from EVIL. */
function expectInert(s: string): void {
  expect(s).not.toMatch(/@(everyone|here)/);
  expect(s).not.toMatch(/(?<!\\)<[@#/:t]/);
  expect(s).not.toContain('https://evil.example');
  expect(s).not.toMatch(/(?<!\\)\]\(/);
  expect(s).not.toMatch(/(?<!\\)\|\|/);
  expect(s).not.toMatch(/(^|\n)(#|>|-#|- )/);
}

describe('plain() spans on Discord', () => {
  it('escape every markdown character, neutralise @everyone, and make mentions, links and URLs inert', () => {
    expect(escapeOutside('@everyone')).toBe('@\u200Beveryone');
    expect(escapeOutside('<@123> <@&1>')).toBe('\\<@123\\> \\<@&1\\>');
    expect(escapeOutside('||spoiler||')).toBe('\\|\\|spoiler\\|\\|');
    expect(escapeOutside('# heading')).toBe('\\# heading');
    expect(escapeOutside('[click](https://evil.example)')).toBe('\\[click\\]\\(https\\://evil.example\\)');
    expect(escapeOutside('a\\b *c* _d_ ~e~ `f`')).toBe('a\\\\b \\*c\\* \\_d\\_ \\~e\\~ \\`f\\`');
    expect(escapeOutside('-# small\n> quote\n 12. x\n- y')).toBe('\\-\\# small\n\\> quote\n 12\\. x\n\\- y');
    expect(escapeOutside('</cmd:3> <t:4> <:x:5> <#2>')).toBe('\\</cmd\\:3\\> \\<t\\:4\\> \\<\\:x\\:5\\> \\<\\#2\\>');
    expectInert(toDiscord(`❌ **HubSpot** failed: ${plain(EVIL)}`));
  });

  it('keep our markup beside them, and our bold around them', () => {
    expect(toDiscord(`❌ **HubSpot** failed for <@42>: ${plain('<@123> [x](https://evil.example)')} — [docs](https://patchbay.example/docs)`)).toBe(
      '❌ **HubSpot** failed for <@42>: \\<@123\\> \\[x\\]\\(https\\://evil.example\\) — [docs](https://patchbay.example/docs)',
    );
    expect(toDiscord(`paused ${bold(plain('Ops **x** <b>'))} and ${bold('Two')}`)).toBe('paused **Ops \\*\\*x\\*\\* \\<b\\>** and **Two**');
  });

  it('cannot be closed from inside', () => {
    expect(toDiscord(plain('a\uE001[x](https://evil.example)\uE000b'))).toBe('a\\[x\\]\\(https\\://evil.example\\)b');
  });

  it('stay inert in every part of a message: content, title, description, fields, footer, labels', () => {
    const reply: NeutralReply = inChannel(`x ${plain(EVIL)}`, [
      { type: 'header', text: plain(EVIL) },
      { type: 'section', text: `Failed: ${plain(EVIL)}`, fields: [{ label: 'Account', value: plain(EVIL) }] },
      { type: 'context', text: `Log: ${plain(EVIL)}` },
      { type: 'actions', buttons: [{ label: `Reconnect ${plain(EVIL)}`, action: { command: 'reconnect', args: ['1'] } }] },
    ]);
    const msg = renderMessage(reply);
    expectWithinDiscordLimits(msg);
    for (const t of markdownTexts(msg)) expectInert(t);
    // Footers and labels render no markdown: the text as it came (no ping: allowed_mentions is empty).
    expect(msg.embeds![0]!.footer!.text).toBe(`Log: ${EVIL}`);
    expect(msg.allowed_mentions).toEqual({ parse: [] });
    const content = renderMessage(inChannel(`x ${plain(EVIL)}`));
    expect(content.content).toBeDefined();
    expectInert(content.content!);
  });
});

const cases = (n: number) => alertCases(EVIL, n, { platform: 'discord', teamId: 'G1', channelId: 'C1', userId: '123' });

const evilLink = (reply: NeutralReply) => JSON.stringify(renderMessage(reply)).includes('https://evil.example');

describe('every alert renderer on Discord', () => {
  const all = cases(EVIL.length);

  it.each(all)('%s: within limits, never pinging', (_name, reply) => {
    expectWithinDiscordLimits(renderMessage(reply));
  });

  it.each(all)('%s: hostile outside text inert', (_name, reply) => {
    expect(evilLink(reply)).toBe(false);
    for (const t of markdownTexts(renderMessage(reply))) expect(t).not.toMatch(/@(everyone|here)/);
  });

  it.each(cases(5000))('%s with 5000-character outside text: within limits', (_name, reply) => {
    expectWithinDiscordLimits(renderMessage(reply));
  });
});
