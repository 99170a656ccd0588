/** .env.example documents every variable the config module reads, each with a comment, with valid examples. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.ts';
import { CONFIG_KEYS, ROOT } from './support.ts';

const lines = readFileSync(path.join(ROOT, '.env.example'), 'utf8').split('\n');
/** `KEY=value` or `# KEY=value` (commented-out defaults); values have no spaces. */
const ASSIGNMENT = /^#?\s?([A-Z][A-Z0-9_]*)=(\S*)$/;

describe('.env.example', () => {
  it('lists every variable of the config schema', () => {
    expect(CONFIG_KEYS.length).toBeGreaterThan(10);
    const documented = new Set(lines.map((l) => ASSIGNMENT.exec(l)?.[1]).filter(Boolean));
    expect(CONFIG_KEYS.filter((k) => !documented.has(k))).toEqual([]);
  });

  it('explains each of them in a comment right above it', () => {
    const undocumented = CONFIG_KEYS.filter((key) => {
      const i = lines.findIndex((l) => ASSIGNMENT.exec(l)?.[1] === key);
      const above = lines[i - 1] ?? '';
      return !(above.startsWith('#') && !ASSIGNMENT.test(above) && above.replace(/^#\s*/, '').length > 10);
    });
    expect(undocumented).toEqual([]);
  });

  it('gives example values the configuration accepts', () => {
    const env: Record<string, string> = {};
    for (const l of lines) {
      const m = ASSIGNMENT.exec(l);
      if (m && CONFIG_KEYS.includes(m[1]!)) env[m[1]!] = m[2]!.trim();
    }
    expect(() => loadConfig(env)).not.toThrow();
  });

  it('ends with a section for provider OAuth apps', () => {
    expect(lines).toContain('# --- Provider OAuth apps ---');
  });
});

describe('.env.example provider section', () => {
  it('names every variable each provider reads', async () => {
    const { listProviders } = await import('../../src/providers/registry.ts');
    const { providerEnvVariables } = await import('../../src/providers/_shared/urls.ts');
    const documented = new Set(lines.map((l) => ASSIGNMENT.exec(l)?.[1]).filter(Boolean));
    const missing = listProviders().flatMap((p) => providerEnvVariables(p)).filter((v) => !documented.has(v));
    expect(missing).toEqual([]);
  });
});
