/**
 * The seams between the core and the chat apps: nothing in src/ outside the composition root
 * (src/main/) imports bots/ or a chat SDK, and the chat areas keep no module-level mutable state
 * (posters, paces and caches live on the runtime).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const files = (dir: string): string[] =>
  readdirSync(path.join(root, dir)).flatMap((f) => {
    const rel = path.join(dir, f);
    return statSync(path.join(root, rel)).isDirectory() ? files(rel) : rel.endsWith('.ts') ? [rel] : [];
  });

const CHAT_SDK = /from ['"](@slack\/|discord\.js|@microsoft\/agents-|botbuilder)/;
const BOTS = /from ['"](\.\.\/)+bots\//;

describe('chat boundaries', () => {
  it('only src/main/ imports bots/ or a chat SDK', () => {
    const offenders = files('src')
      .filter((f) => !f.startsWith(path.join('src', 'main') + path.sep))
      .filter((f) => {
        const text = readFileSync(path.join(root, f), 'utf8');
        return CHAT_SDK.test(text) || BOTS.test(text);
      });
    expect(offenders).toEqual([]);
  });

  it('keeps no module-level mutable state in bots/, src/chat/ and the alert delivery', () => {
    const scanned = [...files('bots'), ...files(path.join('src', 'chat')), 'src/alerts/posters.ts', 'src/alerts/deliver.ts', 'src/alerts/pace.ts'];
    const offenders = scanned.flatMap((f) =>
      readFileSync(path.join(root, f), 'utf8')
        .split('\n')
        .map((line, i) => ({ line, at: `${f}:${i + 1}` }))
        .filter(({ line }) => /^(export )?(let|var) /.test(line) || /^(export )?const \w+(: [^=]+)? = new (Map|Set|WeakMap|Array)\b/.test(line))
        .map(({ at }) => at),
    );
    expect(offenders).toEqual([]);
  });

  it('names the chat platforms in one list', () => {
    const lists = files('src').filter((f) => /\[\s*'slack',\s*'discord',\s*'teams'/.test(readFileSync(path.join(root, f), 'utf8')));
    expect(lists).toEqual([path.join('src', 'chat', 'platforms.ts')]);
  });
});
