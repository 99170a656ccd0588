/**
 * Compose starts PostgreSQL and Patchbay together: start-up waits for the database (with backoff,
 * up to DATABASE_WAIT_SECONDS) instead of exiting, and gives up with one clear line when it never
 * comes. Runs its own cluster, started late on a port chosen up front.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startEmbeddedPostgres, type EmbeddedDb } from '../../src/db/embedded.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { fetchWithTimeout, runEntryPoint } from './support.ts';

let dir: string;
let cluster: EmbeddedDb | undefined;
let app: TestApp | undefined;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'patchbay-dbwait-'));
  chmodSync(dir, 0o755); // the postgres OS user must traverse it when tests run as root
});
afterAll(async () => {
  await app?.close().catch(() => {});
  await cluster?.stop().catch(() => {});
  rmSync(dir, { recursive: true, force: true });
});

describe('start-up while PostgreSQL is not up yet', () => {
  it('waits: PostgreSQL down for 10 s, then up, and Patchbay starts and is ready', async () => {
    const port = await freePort();
    const url = `postgres://patchbay:patchbay@127.0.0.1:${port}/postgres`;
    const t0 = Date.now();
    const starting = startTestApp({ dbUrl: url, env: { DATABASE_WAIT_SECONDS: '60' } });
    let settled = false;
    void starting.then(() => (settled = true), () => (settled = true));
    await new Promise((r) => setTimeout(r, 10_000));
    expect(settled).toBe(false); // still waiting, not exited
    cluster = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), port, fast: true });
    app = await starting;
    expect(Date.now() - t0).toBeGreaterThanOrEqual(10_000);
    const ready = await fetchWithTimeout(`${app.url}/readyz`, {}, 15_000);
    expect(ready.status).toBe(200);
    expect((await app.fetch('/api/v1/workspace')).status).toBe(200);
    expect(app.logs.some((l) => l.includes('PostgreSQL is not reachable yet'))).toBe(true);
  }, 120_000);

  it('gives up after DATABASE_WAIT_SECONDS with one line on stderr and exit code 1', async () => {
    const port = await freePort();
    const p = runEntryPoint('src/main/server.ts', {
      NODE_ENV: 'development',
      DATA_DIR: dir,
      DATABASE_URL: `postgres://patchbay:s3cret-pw@127.0.0.1:${port}/patchbay`,
      DATABASE_WAIT_SECONDS: '2',
      LOG_LEVEL: 'silent',
      PORT: '0',
    });
    const { code } = await p.exited;
    expect(code).toBe(1);
    const err = p.stderr().trim();
    expect(err.split('\n')).toHaveLength(1);
    expect(err).toMatch(new RegExp(`PostgreSQL at 127\\.0\\.0\\.1:${port}/patchbay did not accept connections within 2 s \\(ECONNREFUSED\\)`));
    expect(err).not.toContain('s3cret-pw');
    expect(err).not.toMatch(/\n\s+at /);
  }, 60_000);
});
