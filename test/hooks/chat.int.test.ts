/**
 * The `hooks` chat command through the chat core (any platform): the list, delete behind a
 * confirmation, disable and enable (the URL answers 404 while disabled), a Member refused every
 * change before any lookup (audited, nothing changed, no names leaked), and `alerts here hooks
 * for <connection>` refused (hooks belong to the workspace); a hook's per-minute limit answers 429.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderText } from '../../src/commands/render-text.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { memberWithToken } from '../helpers/members.ts';
import { sql } from '../helpers/sql.ts';
import { buttons, chat, linkCode } from '../commands/support.ts';
import { sendToHook } from './support.ts';

const OWNER = { userId: 'U_OWNER', userName: 'olivia' };
const MEMBER = { userId: 'U_MEMBER', userName: 'mia', email: 'mia@example.com' };

let app: TestApp;
let c: ReturnType<typeof chat>;

beforeAll(async () => {
  app = await startTestApp({ env: { HOOKS_RATE_LIMIT_PER_MINUTE: '3' } });
  c = chat(app);
  await memberWithToken(app, 'member', 'mia@example.com');
  await c.final(OWNER, `link ${await linkCode(app)}`);
});
afterAll(async () => {
  await app?.close();
});

const urlIn = (text: string) => `${app.url}${/\/hooks\/hk_[A-Za-z0-9_-]{43}/.exec(text)![0]}`;

describe('hooks in chat', () => {
  let url: string;
  let id: string;

  it('creates an unsigned hook with a curl example, then lists it with its count', async () => {
    const created = await c.final(OWNER, 'hooks create "Form bot"');
    expect(created.visibility).toBe('ephemeral');
    const text = renderText(created);
    expect(text).toContain("curl -X POST -H 'content-type: application/json'");
    expect(text).not.toContain('whsec_');
    url = urlIn(text);
    expect((await sendToHook(url, { hello: 'world' })).status).toBe(200);
    id = (await sql<{ id: string }>(app.dbUrl, 'select id from inbound_hooks'))[0]!.id;
    const listed = renderText(await c.final(MEMBER, 'hooks'));
    expect(listed).toContain('== Custom hooks (1) ==');
    expect(listed).toMatch(/✅ active · Form bot · 1 message, last 20\d\d-\d\d-\d\d \d\d:\d\d UTC/);
    expect((await c.final(OWNER, 'hooks create "Form bot"')).text).toMatch(/A hook named 'Form bot' already exists/);
  });

  it('refuses a Member every change before looking the hook up: audited, nothing changed, no name echoed', async () => {
    for (const line of ['hooks create Other', 'hooks disable "Form bot"', 'hooks delete "Form bot"', 'hooks delete nosuchhook']) {
      const reply = await c.final(MEMBER, line);
      expect(reply.visibility, line).toBe('ephemeral');
      expect(reply.error?.code, line).toBe('forbidden');
      expect(renderText(reply), line).toMatch(/Managing custom hooks needs the Admin or Owner role; you are a Member/);
      expect(renderText(reply), line).not.toContain('nosuchhook');
    }
    expect(await sql(app.dbUrl, 'select name, status from inbound_hooks')).toEqual([{ name: 'Form bot', status: 'active' }]);
    const refused = await sql<{ n: number }>(app.dbUrl, `select count(*)::int as n from audit_logs where action = 'hooks.manage' and outcome = 'refused' and via = 'slack'`);
    expect(refused[0]!.n).toBeGreaterThan(0);
  });

  it('disable makes the URL answer 404 until enable', async () => {
    const off = await c.final(OWNER, 'hooks disable "form bot"');
    expect(renderText(off)).toMatch(/⏹ @U_OWNER disabled hook Form bot: its URL answers 404 until it is enabled again\./);
    expect((await sendToHook(url, { a: 1 })).status).toBe(404);
    expect(renderText(await c.final(OWNER, 'hooks disable "Form bot"'))).toContain('is already disabled');
    await c.final(OWNER, 'hooks enable "Form bot"');
    expect((await sendToHook(url, { a: 2 })).status).toBe(200);
  });

  it('delete asks first with a danger button; the confirmed click deletes it and its URL', async () => {
    const ask = await c.final(OWNER, 'hooks delete "Form bot"');
    expect(renderText(ask)).toMatch(/Delete hook Form bot\? Its URL stops working at once \(senders get 404\) and the 2 messages it received are deleted\./);
    const [btn] = buttons(ask);
    expect(btn).toMatchObject({ label: 'Delete', line: `hooks delete ${id} --confirmed`, style: 'danger' });
    expect(await sql(app.dbUrl, 'select 1 from inbound_hooks')).toHaveLength(1);
    const done = await c.final(OWNER, btn!.line!);
    expect(renderText(done)).toMatch(/🗑 @U_OWNER deleted hook Form bot/);
    expect((await sendToHook(url, { a: 3 })).status).toBe(404);
    expect(await sql(app.dbUrl, 'select 1 from inbound_hooks')).toEqual([]);
  });

  it('refuses `alerts here hooks for <connection>`: hooks belong to the workspace', async () => {
    const reply = await c.final(OWNER, 'alerts here hooks for linear');
    expect(renderText(reply)).toMatch(/Custom hooks belong to the whole workspace, not one connection: use `\/integrations alerts here hooks` without `for`/);
  });

  it('holds each hook to HOOKS_RATE_LIMIT_PER_MINUTE: past it, 429 with Retry-After and nothing stored; other hooks are not held back', async () => {
    const busy = urlIn(renderText(await c.final(OWNER, 'hooks create Busy')));
    const calm = urlIn(renderText(await c.final(OWNER, 'hooks create Calm')));
    // Windows are whole minutes: start clear of a boundary so all four land in one.
    const s = new Date().getUTCSeconds();
    if (s >= 57) await new Promise((r) => setTimeout(r, (61 - s) * 1000));
    for (const n of [1, 2, 3]) expect((await sendToHook(busy, { n })).status).toBe(200);
    const refused = await sendToHook(busy, { n: 4 });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(/This hook accepts at most 3 bodies a minute/);
    expect((await sendToHook(calm, { n: 1 })).status).toBe(200);
    const stored = await sql<{ name: string; n: number }>(app.dbUrl, 'select h.name, count(m.id)::int as n from inbound_hooks h left join inbound_hook_messages m on m.hook_id = h.id group by h.name order by h.name');
    expect(stored).toEqual([{ name: 'Busy', n: 3 }, { name: 'Calm', n: 1 }]);
  });
});
