/**
 * The terminal client, spawned as users run it: `npm run chat -- …` against a real database.
 *
 * Each test spawns several processes (`npm`, then Node): seconds each on a loaded machine, so
 * the tests get a 90 s ceiling instead of the default 30 s. Nothing here measures speed.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, startTestApp, type TestApp } from '../helpers/app.ts';
import { memberWithToken } from '../helpers/members.ts';
import { npmChat as runChat } from '../helpers/npm-chat.ts';
import { sql } from '../helpers/sql.ts';
import { chat, LINEAR_VIEWER } from './support.ts';

let app: TestApp;
let linearId: string;
let fakeLinear: Server;
let fakeLinearUrl: string;
const fakeLinearBodies: string[] = [];

function npmChat(args: string[], input?: string) {
  // The child cannot see this process's nock: point Linear at a local fake.
  return runChat(app.dbUrl, args, input ?? '', { PROVIDER_LINEAR_BASE_URL: fakeLinearUrl });
}

beforeAll(async () => {
  app = await startTestApp();
  await memberWithToken(app, 'member', 'mia@example.com');
  nock('https://api.linear.app').post('/graphql').reply(200, LINEAR_VIEWER);
  const res = await app.fetch('/api/v1/connections', { method: 'POST', json: { provider: 'linear', displayName: 'Linear', credentials: { apiKey: 'lin_api_CliKey0000000000000000' } } });
  expect(res.status).toBe(201);
  linearId = (await json(res)).connection.id;
  fakeLinear = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += String(d)));
    req.on('end', () => {
      fakeLinearBodies.push(`${req.headers.authorization ?? ''} ${body}`);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ data: { viewer: { id: 'lin-cli', name: 'Grace Hopper', email: 'grace@example.com' } } }));
    });
  });
  await new Promise<void>((r) => fakeLinear.listen(0, '127.0.0.1', r));
  fakeLinearUrl = `http://127.0.0.1:${(fakeLinear.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => fakeLinear.close(r));
  await app.close();
});

describe('npm run chat', () => {
  it('lists the connections as the default workspace’s first Owner, buttons shown as terminal commands with names', { timeout: 90_000 }, async () => {
    const { code, stdout } = await npmChat(['list']);
    expect(code).toBe(0);
    expect(stdout).toContain('== Connections (1) ==');
    expect(stdout).toContain('✅ connected · Linear · as Ada Lovelace');
    expect(stdout).toContain('[Pause: npm run chat -- pause linear]');
    expect(stdout).toContain('[Disconnect: npm run chat -- disconnect linear]');
    expect(stdout).not.toContain(linearId);
    expect(stdout).not.toContain('/integrations');
  });

  it('speaks terminal: usage lines as typed here, unknown commands exit 1 like other mistakes', { timeout: 90_000 }, async () => {
    const unknown = await npmChat(['frobnicate']);
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toContain("Unknown command 'frobnicate'. `npm run chat -- help` lists every command.");
    const pause = await npmChat(['pause']);
    expect(pause.code).toBe(1);
    expect(pause.stdout).toContain('Usage: `npm run chat -- pause <connection> [reason…]`');
    expect(`${unknown.stdout}${pause.stdout}`).not.toMatch(/\/integrations|@Owner/);
  });

  it('runs actions audited as cli, refuses a member with exit code 1, and prints link codes', { timeout: 90_000 }, async () => {
    const paused = await npmChat(['pause', 'linear', 'from', 'the', 'terminal']);
    expect(paused.code).toBe(0);
    expect(paused.stdout).toMatch(/You paused Linear\. Reason: from the terminal/);
    expect(paused.stdout).toContain('[Resume: npm run chat -- resume linear]');
    const [audit] = await sql<{ via: string; actor_external_id: string }>(app.dbUrl, `select via, actor_external_id from audit_logs where action = 'connection.pause' order by id desc limit 1`);
    expect(audit!.via).toBe('cli');
    expect(audit!.actor_external_id).toMatch(/^cli:[0-9a-f-]{36}:[0-9a-f-]{36}$/);

    const denied = await npmChat(['--as', 'mia@example.com', 'resume', 'linear']);
    expect(denied.code).toBe(1);
    expect(denied.stdout).toMatch(/Resume connections needs the Admin or Owner role; you are a Member/);
    expect((await sql<{ status: string }>(app.dbUrl, 'select status from connections where id = $1', [linearId]))[0]!.status).toBe('paused');

    const link = await npmChat(['link']);
    expect(link.code).toBe(0);
    expect(link.stdout.trim()).toMatch(/^PB-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$/);
    expect(link.stderr).toContain(`/integrations link ${link.stdout.trim()}`);
    expect(await sql(app.dbUrl, 'select 1 from chat_link_codes where used_at is null')).toHaveLength(1);
  });

  it('prints a personal link code for the member given with --as, which links a chat user as them', { timeout: 90_000 }, async () => {
    const out = await npmChat(['--as', 'mia@example.com', 'link', 'me']);
    expect(out.code).toBe(0);
    const code = out.stdout.trim();
    expect(code).toMatch(/^PB-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$/);
    expect(out.stderr).toMatch(/Personal link code for mia@example.com \(member\)/);
    const [row] = await sql<{ kind: string; email: string }>(
      app.dbUrl,
      `select l.kind, m.email from chat_link_codes l join members m on m.id = l.created_by_id where l.used_at is null and l.kind = 'personal'`,
    );
    expect(row).toEqual({ kind: 'personal', email: 'mia@example.com' });
    const c = chat(app, { teamId: 'T_CLI' });
    await c.final({ userId: 'U_OWNER' }, `link ${(await npmChat(['link'])).stdout.trim()}`);
    expect(c.text(await c.final({ userId: 'U_MIA' }, `link ${code}`))).toMatch(/You now act as mia \(mia@example.com\), Member/);
  });

  it('runs an interactive prompt, asking for a form’s fields without printing secrets', { timeout: 90_000 }, async () => {
    const key = 'lin_api_TypedAtThePrompt000000';
    // Plain fields first, the secret last.
    const { code, stdout } = await npmChat([], ['resume linear', 'connect linear --new', 'Linear CLI', key, 'list', 'exit', ''].join('\n'));
    expect(code).toBe(0);
    expect(stdout).toContain("Patchbay chat commands as Owner (owner) in 'default'");
    expect(stdout).toContain('You resumed Linear.');
    expect(stdout).toContain('Form: Connect Linear');
    expect(stdout).toContain('You connected Linear CLI as Grace Hopper.');
    expect(stdout).toContain('== Connections (2) ==');
    expect(stdout).not.toContain(key);
    expect(fakeLinearBodies.some((b) => b.startsWith(key))).toBe(true);
  });

  it('checks each form field as it is typed and asks again: the format, then a display name already taken, with the secret last', { timeout: 90_000 }, async () => {
    const key = 'lin_api_SecondKeyTyped00000000';
    const before = fakeLinearBodies.length;
    const input = ['connect linear --new', 'Linear', 'Linear Two', 'not-a-linear-key', key, 'exit', ''].join('\n');
    const { code, stdout } = await npmChat([], input);
    expect(code).toBe(0);
    // The taken name is refused before the secret is asked for, and asked again.
    const taken = stdout.indexOf("✗ A connection named 'Linear' already exists. Choose another display name.");
    const badKey = stdout.indexOf('✗ Personal API key does not look right');
    expect(taken).toBeGreaterThan(-1);
    expect(badKey).toBeGreaterThan(taken);
    expect(stdout.indexOf('Display name (optional, default Linear): Linear Two')).toBeGreaterThan(taken);
    expect(stdout).toContain('You connected Linear Two as Grace Hopper.');
    expect(stdout).not.toContain(key);
    expect(stdout).not.toContain('not-a-linear-key');
    // Only the valid key reached the provider.
    expect(fakeLinearBodies.slice(before).filter((b) => b.includes('not-a-linear-key'))).toEqual([]);
    const rows = await sql<{ display_name: string }>(app.dbUrl, `select display_name from connections where display_name = 'Linear Two' and status = 'connected'`);
    expect(rows).toHaveLength(1);
  });

  it('refuses, before the secret, a default display name already taken and an API key pasted one prompt early', { timeout: 90_000 }, async () => {
    const key = 'lin_api_ThirdKeyTyped000000000';
    const input = ['connect linear --new', '', key, 'Linear Three', key, 'exit', ''].join('\n');
    const { code, stdout } = await npmChat([], input);
    expect(code).toBe(0);
    const defaultTaken = stdout.indexOf("✗ A connection named 'Linear' (the default) already exists. Type another display name.");
    const pasted = stdout.indexOf('✗ That looks like the Personal API key, which is asked next (not echoed). Type a display name, or press Enter for the default.');
    expect(defaultTaken).toBeGreaterThan(-1);
    expect(pasted).toBeGreaterThan(defaultTaken);
    expect(stdout).toContain('You connected Linear Three as Grace Hopper.');
    expect(await sql(app.dbUrl, `select 1 from connections where display_name like 'lin_api_%'`)).toEqual([]);
  });

  it('confirms disconnect with y/N: no (or no answer) changes nothing and exits 1; y and --yes disconnect', { timeout: 90_000 }, async () => {
    const status = async (name: string) => (await sql<{ status: string }>(app.dbUrl, `select status from connections where display_name = $1 order by created_at desc limit 1`, [name]))[0]!.status;
    const no = await npmChat(['disconnect', 'Linear CLI'], 'n\n');
    expect(no.code).toBe(1);
    expect(no.stdout).toContain('Disconnect Linear CLI? [y/N]');
    expect(no.stdout).toContain('Cancelled: nothing was changed.');
    expect(no.stdout).not.toContain('--confirmed');
    const silent = await npmChat(['disconnect', 'Linear CLI']);
    expect(silent.code).toBe(1);
    expect(await status('Linear CLI')).toBe('connected');

    const yes = await npmChat(['disconnect', 'Linear CLI'], 'y\n');
    expect(yes.code).toBe(0);
    expect(yes.stdout).toMatch(/You disconnected Linear CLI\./);
    expect(await status('Linear CLI')).toBe('disconnected');

    const scripted = await npmChat(['disconnect', 'Linear Two', '--yes']);
    expect(scripted.code).toBe(0);
    expect(scripted.stdout).not.toContain('[y/N]');
    expect(await status('Linear Two')).toBe('disconnected');
  });
});
