/**
 * The README's "Try sync in five minutes" walkthrough, run as written: its ```sh blocks are taken
 * from README.md and run in order by one bash (so the variables they set chain), against a real
 * `npm start` (src/main/server.ts in a child process, workers included) on a fresh database.
 *
 * The only substitutions, as a reader's shell would differ from this test's:
 * - `localhost:3000` → `127.0.0.1:<a free port>` (tests run side by side; the server listens on
 *   127.0.0.1 only);
 * - the environment: `DATABASE_URL` (a fresh clone of the migrated test template — what
 *   `npm start` and every `npm run` command find on their own under `.data/`), `ENCRYPTION_KEY`
 *   and `DATA_DIR` (the server and the commands share them, as they share `.data/`), and
 *   `NODE_ENV=development`.
 * The harness adds `set -eo pipefail`, so a failing command fails the test where it failed.
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/db/embedded.ts';
import { createTestDatabase } from '../helpers/db.ts';
import { fetchWithTimeout, ROOT, runEntryPoint, waitFor, type Proc } from '../skeleton/support.ts';

const HEADING = '## Try sync in five minutes (offline, with the Sandbox)';

/** The section's ```sh blocks, in order. */
function walkthroughBlocks(readme: string): string[] {
  const start = readme.indexOf(`${HEADING}\n`);
  if (start < 0) throw new Error(`README.md has no section '${HEADING}'`);
  const rest = readme.slice(start + HEADING.length);
  const end = rest.search(/^## /m);
  const section = end < 0 ? rest : rest.slice(0, end);
  return [...section.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
}

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let dataDir: string;
let port: number;
let server: Proc | undefined;
let env: Record<string, string>;

beforeAll(async () => {
  db = await createTestDatabase();
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'patchbay-walkthrough-'));
  chmodSync(dataDir, 0o755);
  port = await freePort();
  env = { DATABASE_URL: db.url, DATA_DIR: dataDir, ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'), NODE_ENV: 'development', LOG_LEVEL: 'warn' };
  server = runEntryPoint('src/main/server.ts', { ...env, PORT: String(port), HOST: '127.0.0.1' });
  await waitFor(
    '/readyz to answer 200',
    async () => {
      if (server!.child.exitCode !== null) throw new Error(`npm start exited\n${server!.stdout()}\n${server!.stderr()}`);
      return (await fetchWithTimeout(`http://127.0.0.1:${port}/readyz`, {}, 2_000).catch(() => null))?.status === 200;
    },
    { timeoutMs: 60_000, intervalMs: 200 },
  );
}, 90_000);

afterAll(async () => {
  if (server) {
    server.child.kill('SIGTERM');
    await Promise.race([server.exited, new Promise((r) => setTimeout(r, 15_000))]);
    await server.kill();
  }
  await db?.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Runs the script with bash in the project folder; output split per block by markers. */
async function bash(script: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  // The same environment the server got (PATH keeps Node 24 and npm first, as under `npm test`).
  const childEnv: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('VITEST') && k !== 'NODE_OPTIONS' && k !== 'NODE_ENV' && k !== 'DATABASE_URL') childEnv[k] = v;
  const child = spawn('bash', ['-c', script], { cwd: ROOT, env: { ...childEnv, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  return { code, stdout, stderr };
}

describe('README: Try sync in five minutes', () => {
  it('runs as written: connect the Sandbox, add a rule, sync, edit both sides, see both edits and a conflict, then go realtime', { timeout: 240_000 }, async () => {
    const blocks = walkthroughBlocks(readFileSync(path.join(ROOT, 'README.md'), 'utf8'));
    expect(blocks.length).toBeGreaterThanOrEqual(4);
    const script = [
      'set -eo pipefail',
      ...blocks.map((b, i) => `echo "::block ${i}::"\n${b.replaceAll('localhost:3000', `127.0.0.1:${port}`)}`),
    ].join('\n');
    const r = await bash(script);
    const context = `exit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}\nserver stderr:\n${server!.stderr().slice(-4000)}`;
    expect(r.code, context).toBe(0);

    const out = r.stdout.split(/^::block \d+::\n/m).slice(1);
    expect(out.length, context).toBe(blocks.length);
    // The first sync: the 20 sample tasks pulled, the local one pushed.
    expect(out.join(''), context).toMatch(/Synced Patchbay Sandbox tasks: 20 pulled, 1 pushed, 21 linked, 0 conflicts, 0 errors/);
    // The second sync and the log: one change each way, merged fields and one conflict (title, within the grace window).
    const logged = out.find((o) => o.includes('Recent syncs:'));
    expect(logged, context).toBeDefined();
    expect(logged, context).toMatch(/✅ Patchbay Sandbox tasks: 1 pulled, 1 pushed, 1 merged, 1 conflict, 0 errors/);
    expect(logged, context).toMatch(/⚔️ conflict on title \(tsk_\w+\): Patchbay "Water the plants, not the cactus", Patchbay Sandbox "Water the plants and the lawn" → kept Patchbay's/);
    // Both edits arrived: the Sandbox's status here, Patchbay's title there.
    const both = out[out.length - 2]!;
    expect(both, context).toMatch(/^done$/m);
    expect(both, context).toMatch(/tsk_\S+\s+\S+\s+done\s+Water the plants, not the cactus/);
    // Realtime: the Sandbox's next edit arrived by webhook, with no sync asked for.
    expect(out[out.length - 1], context).toMatch(/^Water the plants on Sundays$/m);
  });

  it('run a second time on the same data, stops at the connection with its message, not a stack trace', { timeout: 120_000 }, async () => {
    const [helpers, connect] = walkthroughBlocks(readFileSync(path.join(ROOT, 'README.md'), 'utf8'));
    const r = await bash(['set -eo pipefail', helpers!, connect!].join('\n').replaceAll('localhost:3000', `127.0.0.1:${port}`));
    const context = `exit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;
    expect(r.code, context).not.toBe(0);
    expect(r.stderr, context).toContain("A connection named 'Patchbay Sandbox' already exists.");
    expect(r.stderr, context).not.toMatch(/TypeError|^\s+at /m);
  });
});
