/** The README's CLI commands: `npm run workspace -- create` and `npm run token`, against a real database. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { createTestDatabase } from '../helpers/db.ts';
import { runEntryPoint } from './support.ts';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let app: TestApp | undefined;
// Without ENCRYPTION_KEY the CLI generates a development key here, and warns about it.
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'patchbay-cli-'));

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await app?.close();
  await db?.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function cli(script: string, args: string[]) {
  const p = runEntryPoint(script, { DATABASE_URL: db.url, NODE_ENV: 'development', DATA_DIR: dataDir }, args);
  const exit = await Promise.race([
    p.exited,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${script} did not exit\n${p.stderr()}`)), 30_000)),
  ]).finally(() => p.kill());
  return { code: exit.code, stdout: p.stdout(), stderr: p.stderr() };
}

// Each command starts Node, opens the database and checks its migrations: seconds on a loaded machine.
describe('command line', { timeout: 90_000 }, () => {
  let ownerToken = '';

  it('creates a workspace and prints its Owner token alone on stdout', async () => {
    const r = await cli('src/main/cli/workspace.ts', ['create', 'Acme', 'Corp']);
    expect(r.stderr).toContain("Created workspace 'acme-corp' (Acme Corp)");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^pb_[A-Za-z0-9_-]{20,}\n$/); // scriptable: TOKEN=$(npm run -s workspace -- create …)
    ownerToken = r.stdout.trim();
  });

  it('mints a token for a new admin member, and both tokens act in that workspace on the API', async () => {
    const r = await cli('src/main/cli/token.ts', ['--workspace', 'acme-corp', '--member', 'a@b.c', '--name', 'ci', '--role', 'admin']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('Created admin a@b.c');
    expect(r.stdout).toMatch(/^pb_[A-Za-z0-9_-]{20,}\n$/);
    const adminToken = r.stdout.trim();

    app = await startTestApp({ dbUrl: db.url });
    for (const token of [ownerToken, adminToken]) {
      const ws = await app.fetch('/api/v1/workspace', { token });
      expect(ws.status).toBe(200);
      expect(await ws.json()).toMatchObject({ slug: 'acme-corp', name: 'Acme Corp' });
    }
    const members = (await (await app.fetch('/api/v1/members', { token: adminToken })).json()) as { data: Array<{ email: string; role: string }> };
    expect(members.data.map((m) => [m.email, m.role]).sort()).toEqual([
      ['a@b.c', 'admin'],
      [null, 'owner'],
    ].sort());
  });

  it('explains a mistake in one line, without a stack trace', async () => {
    const r = await cli('src/main/cli/token.ts', ['--workspace', 'acme-corp', '--member', 'nobody@b.c', '--name', 'ci']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/No member with email 'nobody@b\.c'\. Pass --role/);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(r.stdout).toBe('');
    const unknownWs = await cli('src/main/cli/token.ts', ['--workspace', 'nope', '--member', 'a@b.c', '--name', 'ci']);
    expect(unknownWs.code).toBe(1);
    expect(unknownWs.stderr).toContain("No workspace with slug 'nope'");
  });
});
