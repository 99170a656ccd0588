/**
 * Several processes on one embedded database, as a newcomer runs them: `npm start`, then
 * `npm run chat`, `npm run token` and `npm run worker` beside it, a second `npm start`; and the
 * start-up failures (port in use, data folder in use, undecryptable credentials), each one clear
 * message and a non-zero exit. Real entry points in child processes, a fresh data folder.
 */
import { randomBytes } from 'node:crypto';
import { appendFileSync, chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/db/embedded.ts';
import { createVault } from '../../src/vault/vault.ts';
import { fetchWithTimeout, runEntryPoint, sql, stopOrphanedPostgres, waitFor, type Proc } from './support.ts';

let dataDir: string;
let port: number;
const started: Proc[] = [];

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'patchbay-shared-'));
  chmodSync(dataDir, 0o755); // the postgres OS user (tests run as root here) must traverse it
  port = await freePort();
});

afterAll(async () => {
  for (const p of started) await p.kill();
  stopOrphanedPostgres(path.join(dataDir, 'pg'));
  rmSync(dataDir, { recursive: true, force: true });
});

function run(script: string, args: string[] = [], env: Record<string, string> = {}): Proc {
  const p = runEntryPoint(script, { NODE_ENV: 'development', DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env }, args);
  started.push(p);
  return p;
}

async function finished(p: Proc, timeoutMs = 60_000) {
  const exit = await Promise.race([
    p.exited,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no exit\nstdout:\n${p.stdout()}\nstderr:\n${p.stderr()}`)), timeoutMs)),
  ]);
  return { code: exit.code, stdout: p.stdout(), stderr: p.stderr() };
}

async function ready(p: Proc): Promise<void> {
  await waitFor(
    '/readyz to answer 200',
    async () => {
      if (p.child.exitCode !== null) throw new Error(`exited with ${p.child.exitCode}\nstdout:\n${p.stdout()}\nstderr:\n${p.stderr()}`);
      return (await fetchWithTimeout(`http://127.0.0.1:${port}/readyz`, {}, 2_000).catch(() => null))?.status === 200;
    },
    { timeoutMs: 60_000, intervalMs: 200 },
  );
}

async function sigterm(p: Proc) {
  p.child.kill('SIGTERM');
  return await finished(p, 20_000);
}

/** The running embedded cluster's URL, from its postmaster.pid. */
function dbUrl(): string {
  const port = readFileSync(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[3];
  return `postgres://patchbay:patchbay@127.0.0.1:${port}/patchbay`;
}

const noStack = (text: string) => expect(text).not.toMatch(/^\s+at /m);
const poolNoise = /database pool|terminating connection|Unexpected error/;

describe('one embedded database for every process on it', { timeout: 240_000 }, () => {
  it('lets chat, token and worker run beside npm start and refuses a second npm start', async () => {
    const server = run('src/main/server.ts');
    await ready(server);

    const list = await finished(run('src/main/cli/chat.ts', ['list']));
    expect(list.stderr).toBe('');
    expect(list.code).toBe(0);
    expect(list.stdout).toContain('No connections yet');

    const token = await finished(run('src/main/cli/token.ts', ['--member', 'ci@example.com', '--name', 'ci', '--role', 'admin']));
    expect(token.code).toBe(0);
    expect(token.stdout).toMatch(/^pb_[A-Za-z0-9_-]{20,}\n$/);
    const res = await fetchWithTimeout(`http://127.0.0.1:${port}/api/v1/workspace`, { headers: { authorization: `Bearer ${token.stdout.trim()}` } });
    expect(res.status).toBe(200);

    const worker = run('src/main/worker.ts');
    await worker.waitForStdout(/Patchbay worker is running/, 60_000);
    expect((await sigterm(worker)).code).toBe(0);

    const second = await finished(run('src/main/server.ts', [], { PORT: String(await freePort()) }));
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(new RegExp(`^Patchbay is already running on this data \\(PID ${server.child.pid}, port ${port}\\)\\.`));
    expect(second.stderr.trim().split('\n')).toHaveLength(1);
    noStack(second.stderr);

    // The server still answers, and stops cleanly.
    expect((await fetchWithTimeout(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    expect((await sigterm(server)).code).toBe(0);
  });

  it('closes 20 CLI runs in a row silently, each starting and stopping its own cluster', { timeout: 600_000 }, async () => {
    // The race this guards against (pool closed after the server stopped) showed in ~40% of runs.
    for (let i = 0; i < 20; i++) {
      const r = await finished(run('src/main/cli/chat.ts', ['list']));
      expect(r.code, `run ${i + 1}`).toBe(0);
      expect(`${r.stdout}${r.stderr}`, `run ${i + 1}`).not.toMatch(poolNoise);
    }
  });

  it('says the port is in use, naming PORT, and starts nothing', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    try {
      const r = await finished(run('src/main/server.ts'));
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`Port ${port} on 127.0.0.1 is already in use`);
      expect(r.stderr).toContain('set PORT to a free port');
      expect(r.stderr).not.toContain('Unexpected error');
      noStack(r.stderr);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('says the data folder is held by another process when a worker holds it', async () => {
    const worker = run('src/main/worker.ts');
    await worker.waitForStdout(/Patchbay worker is running/, 60_000);
    const r = await finished(run('src/main/server.ts'));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`The data folder ${path.join(dataDir, 'pg')} is in use by another process (PID ${worker.child.pid}: npm run worker)`);
    noStack(r.stderr);
    expect((await sigterm(worker)).code).toBe(0);
  });

  it('refuses to start on credentials no configured key decrypts, saying where the development key is; the override errors them', async () => {
    // Data written under the generated development key…
    const server = run('src/main/server.ts');
    await ready(server);
    const devKey = readFileSync(path.join(dataDir, 'encryption.key'), 'utf8').trim();
    const ciphertext = createVault(Buffer.from(devKey, 'base64')).encrypt({ type: 'api_key', fields: { apiKey: 'lin_api_x' } });
    const [conn] = await sql<{ id: string }>(
      dbUrl(),
      `insert into connections (id, workspace_id, provider_slug, display_name, status, auth_kind, credentials, metadata, consecutive_failures, created_at, updated_at)
       select gen_random_uuid(), id, 'linear', 'Linear', 'connected', 'api_key', $1, '{}', 0, now(), now() from workspaces where slug = 'default' returning id`,
      [ciphertext],
    );
    expect((await sigterm(server)).code).toBe(0);

    // …then ENCRYPTION_KEY set, as the first-start warning suggests.
    const newKey = randomBytes(32).toString('base64');
    const refused = await finished(run('src/main/server.ts', [], { ENCRYPTION_KEY: newKey }));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^1 stored credential \(1 in connections\.credentials\) cannot be decrypted: written with key [0-9a-f]{12}/);
    expect(refused.stderr).toContain(`development key in ${path.join(dataDir, 'encryption.key')}`);
    expect(refused.stderr).toContain('ENCRYPTION_KEYS_PREVIOUS');
    expect(refused.stderr).toContain('ALLOW_UNDECRYPTABLE_CREDENTIALS=true');
    expect(refused.stderr).not.toContain(devKey);
    noStack(refused.stderr);

    const anyway = run('src/main/server.ts', [], { ENCRYPTION_KEY: newKey, ALLOW_UNDECRYPTABLE_CREDENTIALS: 'true' });
    await ready(anyway);
    const [row] = await sql<{ status: string; status_reason: string }>(dbUrl(), 'select status, status_reason from connections where id = $1', [conn!.id]);
    expect(row!.status).toBe('errored');
    expect(row!.status_reason).toMatch(/encrypted with key [0-9a-f]{12}, which no configured key matches/);
    expect((await sigterm(anyway)).code).toBe(0);
  });

  it('shows PostgreSQL’s own last log lines when it will not start', async () => {
    appendFileSync(path.join(dataDir, 'pg', 'postgresql.conf'), '\nshared_buffers = 99999999GB\n');
    const r = await finished(run('src/main/cli/chat.ts', ['list']));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^The embedded PostgreSQL in \S+ did not start\. Its last log lines:\n/);
    expect(r.stderr).toMatch(/^ {2}.*invalid value for parameter "shared_buffers"/m);
    expect(r.stderr).toContain('Set DATABASE_URL');
    expect(r.stderr).not.toContain('Unexpected error');
    noStack(r.stderr);
  });
});
