/**
 * `npm start` on a fresh machine: the real entry point in a child process, the embedded
 * PostgreSQL in a fresh data directory, no DATABASE_URL. What a newcomer sees.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/db/embedded.ts';
import { fetchWithTimeout, runEntryPoint, stopOrphanedPostgres, waitFor, type Proc } from './support.ts';

let dataDir: string;
let port: number;
const started: Proc[] = [];

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'patchbay-start-'));
  chmodSync(dataDir, 0o755); // the postgres OS user (tests run as root here) must traverse it
  port = await freePort();
});

afterAll(async () => {
  // Only reached with a process still running when a test failed half-way.
  for (const p of started) await p.kill();
  stopOrphanedPostgres(path.join(dataDir, 'pg'));
  rmSync(dataDir, { recursive: true, force: true });
});

function npmStart(): Proc {
  const p = runEntryPoint('src/main/server.ts', {
    NODE_ENV: 'development',
    DATA_DIR: dataDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
  });
  started.push(p);
  return p;
}

/** Polls /readyz until 200; returns the elapsed milliseconds. */
async function waitUntilReady(p: Proc, t0: number, timeoutMs: number): Promise<number> {
  await waitFor(
    '/readyz to answer 200',
    async () => {
      const code = p.child.exitCode;
      if (code !== null) throw new Error(`exited with ${code}\nstdout:\n${p.stdout()}\nstderr:\n${p.stderr()}`);
      const res = await fetchWithTimeout(`http://127.0.0.1:${port}/readyz`, {}, 2_000).catch(() => null);
      return res?.status === 200;
    },
    { timeoutMs, intervalMs: 200 },
  ).catch((err: Error) => {
    throw new Error(`${err.message}\nstdout:\n${p.stdout()}\nstderr:\n${p.stderr()}`);
  });
  return Date.now() - t0;
}

async function sigterm(p: Proc): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  p.child.kill('SIGTERM');
  return await Promise.race([
    p.exited,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no exit 20 s after SIGTERM\n${p.stdout()}`)), 20_000)),
  ]);
}

const jsonLines = (text: string) =>
  text
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('npm start on an empty data directory', () => {
  let ownerToken = '';

  it(
    'becomes ready within 60 s on the embedded PostgreSQL, prints an Owner token and a working curl line, and stops cleanly on SIGTERM',
    async () => {
      const t0 = Date.now();
      const p = npmStart();
      const elapsed = await waitUntilReady(p, t0, 60_000);
      expect(elapsed).toBeLessThan(60_000);

      // The banner is printed before the server is ready to be used, on stdout.
      const [, token] = await p.waitForStdout(/Owner API token[^\n]*\n\s*\n\s+(pb_[A-Za-z0-9_-]+)\n/, 10_000);
      ownerToken = token!;
      const curl = (await p.waitForStdout(/^\s*curl -H "Authorization: Bearer (pb_\S+)" (http\S+)$/m, 5_000))[0].trim();
      const [, curlToken, curlUrl] = curl.match(/Bearer (pb_\S+)" (\S+)$/)!;
      expect(curlToken).toBe(ownerToken);
      expect(curlUrl).toBe(`http://localhost:${port}/api/v1/workspace`);

      // The line works as printed (what a newcomer copies into a shell).
      const res = await fetchWithTimeout(curlUrl!.replace('localhost', '127.0.0.1'), { headers: { authorization: `Bearer ${curlToken}` } });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ slug: 'default', name: 'Default' });

      // The secret is shown to the terminal, never written into a JSON log line.
      const logs = jsonLines(p.stdout());
      expect(logs.length).toBeGreaterThan(0);
      expect(logs.some((l) => JSON.stringify(l).includes(ownerToken))).toBe(false);
      expect(logs.some((l) => l.msg === 'DATABASE_URL is unset: starting the embedded PostgreSQL')).toBe(true);
      // /readyz was polled every 200 ms above: health polls are logged at debug, not info.
      expect(logs.some((l) => l.path === '/readyz')).toBe(false);

      const exit = await sigterm(p);
      expect(exit).toEqual({ code: 0, signal: null });
      expect(jsonLines(p.stdout()).some((l) => l.msg === 'shut down cleanly')).toBe(true);
      expect(p.stderr()).not.toMatch(/^\s+at /m);
    },
    90_000,
  );

  it(
    'keeps its data: a second start on the same data directory prints no new token and the first one still works',
    async () => {
      expect(ownerToken, 'the first start must have printed a token').toMatch(/^pb_/);
      const t0 = Date.now();
      const p = npmStart();
      await waitUntilReady(p, t0, 60_000);
      const res = await fetchWithTimeout(`http://127.0.0.1:${port}/api/v1/members`, { headers: { authorization: `Bearer ${ownerToken}` } });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ data: [{ role: 'owner' }] });

      const exit = await sigterm(p);
      expect(exit).toEqual({ code: 0, signal: null });
      expect(p.stdout()).not.toMatch(/pb_[A-Za-z0-9_-]{20,}/);
      expect(p.stdout()).not.toContain('Owner API token');
      expect(jsonLines(p.stdout()).some((l) => l.msg === 'shut down cleanly')).toBe(true);
    },
    90_000,
  );
});
