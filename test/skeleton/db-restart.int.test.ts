/**
 * The database restarting under a running server is survived: readiness reports it (503, not a
 * hang, not a crash) and everything works again once it is back. Runs its own PostgreSQL cluster
 * so stopping it does not disturb other test files.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDatabaseExists } from '../../src/db/database.ts';
import { freePort, startEmbeddedPostgres, type EmbeddedDb } from '../../src/db/embedded.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { fetchWithTimeout, waitFor } from './support.ts';

let dir: string;
let port: number;
let cluster: EmbeddedDb | undefined;
let app: TestApp | undefined;

const startCluster = async () => {
  cluster = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), port, fast: true });
  return cluster;
};

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'patchbay-restart-'));
  chmodSync(dir, 0o755); // the postgres OS user must traverse it when tests run as root
  port = await freePort();
  const c = await startCluster();
  await ensureDatabaseExists(c.url, 'patchbay');
  app = await startTestApp({ dbUrl: c.url.replace(/\/postgres$/, '/patchbay'), workers: true });
}, 120_000);

afterAll(async () => {
  await app?.close().catch(() => {});
  await cluster?.stop().catch(() => {});
  rmSync(dir, { recursive: true, force: true });
});

const readyz = async () => {
  const res = await fetchWithTimeout(`${app!.url}/readyz`, {}, 15_000);
  return { status: res.status, body: (await res.json()) as { status: string; checks: Record<string, string> } };
};

describe('a database restart under a running server', () => {
  it('turns /readyz to 503 while the database is down, and back to 200 with working API requests once it is up', async () => {
    expect((await readyz()).status).toBe(200);
    // Warm both the ORM's and the worker's pools, so idle connections are killed by the shutdown.
    expect((await app!.fetch('/api/v1/workspace')).status).toBe(200);
    expect((await app!.fetch('/api/v1/members')).status).toBe(200);

    await cluster!.stop();

    const down = await readyz();
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ status: 'not_ready', checks: { database: 'unreachable' } });
    // The process is alive and answering: liveness stays green.
    expect((await fetchWithTimeout(`${app!.url}/healthz`)).status).toBe(200);
    // An API request answers in the error shape rather than hanging or crashing.
    const during = await fetchWithTimeout(`${app!.url}/api/v1/workspace`, { headers: { authorization: `Bearer ${app!.ownerToken}` } }, 20_000);
    expect(during.status).toBe(503);
    expect(during.headers.get('retry-after')).toBe('5');
    expect(await during.json()).toMatchObject({ error: { code: 'service_unavailable', correlationId: expect.any(String) } });

    await startCluster();

    const back = await waitFor('/readyz to answer 200 again', async () => {
      const r = await readyz();
      return r.status === 200 && r;
    }, { timeoutMs: 30_000, intervalMs: 250 });
    expect(back.body.checks).toMatchObject({ database: 'ok', migrations: 'ok', workers: 'running' });
    const ws = await app!.fetch('/api/v1/workspace');
    expect(ws.status).toBe(200);
    expect(await ws.json()).toMatchObject({ slug: 'default' });
    expect((await app!.fetch('/api/v1/members')).status).toBe(200);
  }, 120_000);
});
