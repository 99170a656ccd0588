/** Invalid configuration stops start-up with one message naming each bad variable — never a stack trace. */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runEntryPoint } from './support.ts';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'patchbay-badconfig-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function exitOf(script: string, env: Record<string, string>) {
  const p = runEntryPoint(script, env);
  const exit = await Promise.race([
    p.exited,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${script} did not exit\n${p.stdout()}\n${p.stderr()}`)), 20_000)),
  ]).finally(() => p.kill());
  return { ...exit, stdout: p.stdout(), stderr: p.stderr() };
}

describe('invalid configuration', { timeout: 60_000 }, () => {
  for (const script of ['src/main/server.ts', 'src/main/worker.ts']) {
    it(`makes ${script} exit 1 listing each bad variable, without a stack trace or starting anything`, async () => {
      const dataDir = path.join(tmp, path.basename(script, '.ts'));
      const r = await exitOf(script, {
        PORT: 'abc',
        LOG_LEVEL: 'loud',
        ENCRYPTION_KEY: 'short-secret-value',
        DATA_DIR: dataDir,
      });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^Invalid configuration:/);
      for (const name of ['PORT', 'LOG_LEVEL', 'ENCRYPTION_KEY']) expect(r.stderr).toMatch(new RegExp(`^\\s+- ${name}: `, 'm'));
      expect(r.stderr).toContain('.env.example');
      expect(r.stderr).not.toMatch(/^\s+at /m);
      expect(r.stderr).not.toContain('short-secret-value');
      expect(r.stdout).toBe('');
      // Nothing was started: no embedded PostgreSQL data directory was created.
      expect(existsSync(dataDir)).toBe(false);
    });
  }

  it('refuses to start in production without an encryption key', async () => {
    const r = await exitOf('src/main/server.ts', { NODE_ENV: 'production', DATA_DIR: path.join(tmp, 'prod') });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^\s+- ENCRYPTION_KEY: is required when NODE_ENV=production/m);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });
});
