/** `npm run sandbox -- …` as a person runs it, against a real database, checked through the Sandbox API. */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, TEST_ENCRYPTION_KEY, type TestApp } from '../helpers/app.ts';
import { createTestDatabase } from '../helpers/db.ts';
import { sql } from '../helpers/sql.ts';
import { ROOT, runEntryPoint } from '../skeleton/support.ts';
import { sbx } from './support.ts';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let app: TestApp;

beforeAll(async () => {
  db = await createTestDatabase();
  app = await startTestApp({ dbUrl: db.url, env: { SANDBOX_ENABLED: 'true' } });
});
afterAll(async () => {
  await app?.close();
  await db?.drop();
});

async function cli(args: string[]) {
  const p = runEntryPoint('src/main/cli/sandbox.ts', { DATABASE_URL: db.url, NODE_ENV: 'development', ENCRYPTION_KEY: TEST_ENCRYPTION_KEY }, args);
  const exit = await Promise.race([
    p.exited,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`sandbox ${args.join(' ')} did not exit\n${p.stderr()}`)), 60_000)),
  ]).finally(() => p.kill());
  return { code: exit.code, stdout: p.stdout(), stderr: p.stderr() };
}

describe('npm run sandbox', { timeout: 120_000 }, () => {
  let key = '';
  let accountId = '';

  it('key: prints a new key alone on stdout, with how to connect it on stderr; the key works', async () => {
    const r = await cli(['key', 'Demo', 'Co']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^sbx_[A-Za-z0-9_-]{20,}\n$/);
    expect(r.stderr).toContain('npm run chat -- connect sandbox');
    expect(r.stderr).toContain('/api/v1/connections');
    expect(r.stderr).not.toContain(r.stdout.trim());
    key = r.stdout.trim();
    const me = await sbx(app, key, '/me');
    expect(me.body.name).toBe('Demo Co');
    accountId = me.body.id;
  });

  it('seed: 12,000 tasks in batches with progress lines, served by the API in pages', async () => {
    const r = await cli(['seed', '12000', '--key', key]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('seeded 5,000/12,000 tasks');
    expect(r.stderr).toContain('seeded 12,000/12,000 tasks');
    expect(r.stderr).toMatch(/Added 12,000 tasks to acc_\w+ in \d+\.\d s\./);
    const [count] = await sql<{ n: string }>(app.dbUrl, 'select count(*) as n from sandbox.tasks where account_id = $1', [accountId]);
    expect(Number(count!.n)).toBe(12_000);
    const page = await sbx(app, key, '/tasks?limit=500');
    expect(page.body.data).toHaveLength(500);
    expect(page.body.next_cursor).toEqual(expect.any(String));
    for (const t of page.body.data.slice(0, 50)) {
      expect(t.id).toMatch(/^tsk_[0-9a-f]{20}$/);
      expect(t.name).toMatch(/^\w+ [\w ]+( \[\w+\])?$/);
      expect(['todo', 'in_progress', 'done']).toContain(t.status);
      expect(t.notes).toMatch(/^<p>.*<\/p>$/);
    }
    const contacts = await cli(['seed', '30', '--contacts']);
    expect(contacts.code).toBe(0);
    const c = (await sbx(app, key, '/contacts?limit=1')).body.data[0];
    expect(c).toMatchObject({ first_name: expect.any(String), last_name: expect.any(String), email: expect.stringMatching(/@example\.com$/), phone_number: expect.stringMatching(/^\+1 555 \d{7}$/) });
  });

  it('edit and list: changes a task (a new version in the feed), deletes one (a tombstone)', async () => {
    const listed = await cli(['list', 'tasks', '--limit', '2']);
    expect(listed.code).toBe(0);
    const ids = listed.stdout.trim().split('\n').map((l) => l.split(/\s+/)[0]!);
    expect(ids).toHaveLength(2);
    const before = (await sbx(app, key, `/tasks/${ids[0]}`)).body;

    const edited = await cli(['edit', 'task', ids[0]!, 'name=New name [1h]', 'status=done', 'tags=a,b', 'due_on=']);
    expect(edited.code, edited.stderr).toBe(0);
    expect(edited.stderr).toContain(`Updated task ${ids[0]}`);
    const after = (await sbx(app, key, `/tasks/${ids[0]}`)).body;
    expect(after).toMatchObject({ name: 'New name [1h]', status: 'done', tags: ['a', 'b'], due_on: null });
    expect(Date.parse(after.updated_at)).toBeGreaterThan(Date.parse(before.updated_at));
    const feed = await sbx(app, key, `/tasks?updated_since=${encodeURIComponent(after.updated_at)}`);
    expect(feed.body.data.map((t: { id: string }) => t.id)).toEqual([ids[0]]);

    const deleted = await cli(['edit', 'task', ids[1]!, '--delete']);
    expect(deleted.code).toBe(0);
    expect((await sbx(app, key, `/tasks/${ids[1]}`)).body).toMatchObject({ id: ids[1], deleted: true });
  });

  it('throttle: the API answers 429 with Retry-After until it is lifted', async () => {
    expect((await cli(['throttle', '600'])).code).toBe(0);
    const r = await sbx(app, key, '/me');
    expect(r.status).toBe(429);
    expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(590);
    expect((await cli(['throttle', '0'])).stderr).toContain('no longer throttled');
    expect((await sbx(app, key, '/me')).status).toBe(200);
  });

  it('explains mistakes in one line (usage for a bad command), exit 1, no stack trace', async () => {
    const unknown = await cli(['frobnicate']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("Unknown command 'frobnicate'");
    expect(unknown.stderr).toContain('Usage: npm run sandbox -- <command>');
    const missing = await cli(['edit', 'task', 'tsk_00000000000000000000', 'status=done']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/No task 'tsk_00000000000000000000' in sandbox account acc_\w+ \(Demo Co\)\. `npm run sandbox -- list tasks` shows its ids; for another account, add --account <id> or --key <sbx_…>\./);
    const badValue = await cli(['edit', 'task', 'tsk_00000000000000000000', 'status=doing']);
    expect(badValue.code).toBe(1);
    expect(badValue.stderr).toMatch(/status: Invalid option/);
    const badField = await cli(['edit', 'contact', 'con_x', 'nickname=Al']);
    expect(badField.stderr).toContain("A contact has no field 'nickname'");
    const badCount = await cli(['seed', 'lots']);
    expect(badCount.stderr).toContain('The number of records must be a whole number');
    for (const r of [missing, badValue, badField, badCount]) expect(r.stderr).not.toMatch(/^\s+at /m);
  });

  it('list piped into a reader that stops early (`| head`) ends quietly with status 0, not an EPIPE stack trace', async () => {
    const child = spawn('bash', ['-c', `"${process.execPath}" src/main/cli/sandbox.ts list tasks --limit 200 | true; exit \${PIPESTATUS[0]}`], {
      cwd: ROOT,
      env: { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST') && k !== 'NODE_OPTIONS')), DATABASE_URL: db.url, NODE_ENV: 'development', ENCRYPTION_KEY: TEST_ENCRYPTION_KEY },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(stderr).not.toMatch(/EPIPE|^\s+at /m);
    expect(code, stderr).toBe(0);
  });
});
