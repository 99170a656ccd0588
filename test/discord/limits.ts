/** Checks shared by the Discord render tests: every Discord limit a rendered message must keep. */
import { expect } from 'vitest';
import type { DiscordMessage } from '../../bots/discord/render/message.ts';

export function expectWithinDiscordLimits(msg: DiscordMessage): void {
  expect(msg.allowed_mentions).toEqual({ parse: [] });
  expect(msg.content !== undefined || (msg.embeds?.length ?? 0) > 0).toBe(true);
  if (msg.content !== undefined) {
    expect(msg.content.length).toBeLessThanOrEqual(2000);
    expect(msg.content.length).toBeGreaterThan(0);
  }
  expect(msg.embeds?.length ?? 0).toBeLessThanOrEqual(1);
  for (const e of msg.embeds ?? []) {
    expect(e.title?.length ?? 0).toBeLessThanOrEqual(256);
    expect(e.description?.length ?? 0).toBeLessThanOrEqual(4096);
    expect(e.footer?.text.length ?? 0).toBeLessThanOrEqual(2048);
    expect(e.fields?.length ?? 0).toBeLessThanOrEqual(25);
    for (const f of e.fields ?? []) {
      expect(f.name.length).toBeGreaterThan(0);
      expect(f.name.length).toBeLessThanOrEqual(256);
      expect(f.value.length).toBeGreaterThan(0);
      expect(f.value.length).toBeLessThanOrEqual(1024);
    }
    const total = (e.title?.length ?? 0) + (e.description?.length ?? 0) + (e.footer?.text.length ?? 0) + (e.fields ?? []).reduce((n, f) => n + f.name.length + f.value.length, 0);
    expect(total).toBeLessThanOrEqual(6000);
    expect(total).toBeGreaterThan(0);
  }
  const rows = msg.components ?? [];
  expect(rows.length).toBeLessThanOrEqual(5);
  const ids = new Set<string>();
  for (const row of rows) {
    expect(row.type).toBe(1);
    expect(row.components.length).toBeGreaterThan(0);
    expect(row.components.length).toBeLessThanOrEqual(5);
    for (const b of row.components) {
      expect(b.type).toBe(2);
      const label = 'label' in b ? b.label : undefined;
      expect(label?.length ?? 0).toBeGreaterThan(0);
      expect(label?.length ?? 0).toBeLessThanOrEqual(80);
      if ('custom_id' in b) {
        expect(b.custom_id.length).toBeLessThanOrEqual(100);
        expect(ids.has(b.custom_id)).toBe(false);
        ids.add(b.custom_id);
      }
      if ('url' in b) expect(b.url.length).toBeLessThanOrEqual(512);
    }
  }
}

/** Every text Discord renders as markdown in a message (content, title, description, field names and values). */
export function markdownTexts(msg: DiscordMessage): string[] {
  return [msg.content ?? '', ...(msg.embeds ?? []).flatMap((e) => [e.title ?? '', e.description ?? '', ...(e.fields ?? []).flatMap((f) => [f.name, f.value])])].filter(Boolean);
}
