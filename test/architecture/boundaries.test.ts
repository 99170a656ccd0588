/**
 * The layering holds on the real tree, and each rule is shown to fail on a planted file (so a
 * green run means the rules were checked, not that they cannot fail).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkImports, checkModuleState, checkSizes, MAX_LINES, readSources } from './rules.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const sources = readSources(root, ['src', 'bots']);

describe('architecture: the tree as it is', () => {
  it('reads the whole tree', () => {
    expect(sources.length).toBeGreaterThan(100);
    expect(sources.some((f) => f.path === 'src/connections/lifecycle.ts')).toBe(true);
  });
  it('respects the import boundaries', () => {
    expect(checkImports(sources)).toEqual([]);
  });
  it(`has no file over ${MAX_LINES} lines in src/ or bots/`, () => {
    expect(checkSizes(sources)).toEqual([]);
  });
  it('keeps no module-level mutable state outside the allow-list', () => {
    expect(checkModuleState(sources)).toEqual([]);
  });
  it('names the chat platforms in one list (src/chat/platforms.ts)', () => {
    const lists = sources.filter((f) => /\[\s*'slack',\s*'discord',\s*'teams'/.test(f.text)).map((f) => f.path);
    expect(lists).toEqual(['src/chat/platforms.ts']);
  });
});

describe('architecture: each rule catches a planted violation', () => {
  it('a core module importing a bot or a chat SDK', () => {
    const planted = [
      { path: 'src/alerts/deliver.ts', text: "import { slackPoster } from '../../bots/slack/poster.ts';\n" },
      { path: 'src/commands/run.ts', text: "import { App } from '@slack/bolt';\nconst d = await import('discord.js');\n" },
      { path: 'src/main/lifecycle.ts', text: "import { slackAdapter } from '../../bots/slack/index.ts';\n" }, // the composition root may
    ];
    expect(checkImports(planted)).toEqual([
      { file: 'src/alerts/deliver.ts', rule: 'core imports no chat platform', detail: 'imports ../../bots/slack/poster.ts' },
      { file: 'src/commands/run.ts', rule: 'core imports no chat platform', detail: 'imports @slack/bolt' },
      { file: 'src/commands/run.ts', rule: 'core imports no chat platform', detail: 'imports discord.js' },
    ]);
  });
  it('a provider importing chat, alerts or HTTP', () => {
    const planted = [{ path: 'src/providers/asana/connector.ts', text: "import type { NeutralReply } from '../../commands/view.ts';\nexport { x } from '../../http/app.ts';\n" }];
    expect(checkImports(planted).map((v) => v.detail)).toEqual(['imports ../../commands/view.ts', 'imports ../../http/app.ts']);
  });
  it('the core (a provider, the sync engine) importing the Sandbox instead of calling it over HTTP', () => {
    const planted = [
      { path: 'src/providers/sandbox/adapters/feed.ts', text: "import { listRecords } from '../../../sandbox/store.ts';\n" },
      { path: 'src/sync/pull.ts', text: "import { seedSandbox } from '../sandbox/seed.ts';\n" },
      { path: 'src/http/app.ts', text: "import { mountSandbox } from '../sandbox/index.ts';\n" },
      { path: 'src/main/cli/sandbox.ts', text: "import { seedSandbox } from '../../sandbox/seed.ts';\n" },
    ];
    expect(checkImports(planted).map((v) => `${v.file}: ${v.detail}`)).toEqual([
      'src/providers/sandbox/adapters/feed.ts: imports ../../../sandbox/store.ts',
      'src/sync/pull.ts: imports ../sandbox/seed.ts',
    ]);
  });
  it('an entity importing HTTP, and the event module importing its consumer', () => {
    const planted = [
      { path: 'src/entities/connection.ts', text: "import { validate } from '../http/validate.ts';\n" },
      { path: 'src/events/dispatch.ts', text: "import { alertSubscriber } from '../alerts/subscriber.ts';\n" },
    ];
    expect(checkImports(planted).map((v) => v.rule)).toEqual(['entities import no HTTP and no bots', 'events import none of their consumers']);
  });
  it('a file over the size limit', () => {
    const planted = [{ path: 'src/connections/service.ts', text: 'x\n'.repeat(MAX_LINES + 1) }];
    expect(checkSizes(planted)).toEqual([{ file: 'src/connections/service.ts', rule: `at most ${MAX_LINES} lines`, detail: `${MAX_LINES + 1} lines` }]);
    expect(checkSizes([{ path: 'src/ok.ts', text: 'x\n'.repeat(MAX_LINES) }])).toEqual([]);
  });
  it('module-level state: a top-level let, or a top-level Map that is written to', () => {
    const planted = [
      { path: 'src/alerts/deliver.ts', text: 'const lastPostAt = new Map<string, number>();\nexport function f() { lastPostAt.set("c", 1); }\n' },
      { path: 'src/alerts/posters.ts', text: 'let current: string | undefined;\n' },
      { path: 'src/ok.ts', text: "const CODES = new Set(['a', 'b']);\nexport const has = (c: string) => CODES.has(c);\n" },
    ];
    expect(checkModuleState(planted).map((v) => `${v.file}: ${v.detail}`)).toEqual([
      'src/alerts/deliver.ts: top-level lastPostAt is written to; keep it on the runtime',
      'src/alerts/posters.ts: top-level let current',
    ]);
  });
});
