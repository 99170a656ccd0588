/**
 * Issue 9, chat side: an email reported by a chat platform never makes someone an Admin or Owner
 * (personal codes do), and guessing link codes is throttled and audited once per window.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPersonalLinkCode } from '../../src/chat/link-codes.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { memberWithToken } from '../helpers/members.ts';
import { sql } from '../helpers/sql.ts';
import { chat, defaultWorkspace, linkCode } from './support.ts';

let app: TestApp;
let c: ReturnType<typeof chat>;
const OWNER_EMAIL = 'owner@localhost'; // the bootstrapped Owner's

beforeAll(async () => {
  app = await startTestApp({ env: { LINK_CODE_FAILURES_PER_USER: '5', LINK_CODE_FAILURES_PER_TEAM: '8' } });
  c = chat(app, { teamId: 'T_ID' });
  const r = await c.final({ userId: 'U_LINKER', userName: 'linker' }, `link ${await linkCode(app)}`);
  expect(c.text(r)).toMatch(/linked this Slack workspace/);
});
afterAll(async () => {
  await app.close();
});

const identityRole = async (userId: string) =>
  (await sql<{ role: string; email: string | null; member_id: string }>(
    app.dbUrl,
    `select m.role, m.email, m.id as member_id from chat_identities i join members m on m.id = i.member_id where i.external_user_id = $1`,
    [userId],
  ))[0];

describe('identity: an email links to Member accounts only', () => {
  it('a Slack user reporting the Owner’s email becomes a new Member, not the Owner', async () => {
    const { owner } = await defaultWorkspace(app);
    expect(owner.email).toBe(OWNER_EMAIL);
    const who = await c.final({ userId: 'U_FAKE', userName: 'mallory', email: 'Owner@Localhost' }, 'whoami');
    expect(c.text(who)).toMatch(/You are mallory, Member of the workspace Default/);
    const id = await identityRole('U_FAKE');
    expect(id).toMatchObject({ role: 'member', email: null });
    expect(id!.member_id).not.toBe(owner.id);
    // An Owner-only command is refused to them.
    expect(c.text(await c.final({ userId: 'U_FAKE', email: OWNER_EMAIL }, 'role @U_OTHER admin'))).toMatch(/needs the Owner role; you are a Member/);
    const [audit] = await sql<{ details: Record<string, unknown> }>(app.dbUrl, `select details from audit_logs where action = 'chat.identity.link' and details->>'user' = 'U_FAKE'`);
    expect(audit!.details).toMatchObject({ matchedBy: 'created', emailOfPrivilegedMember: true });
  });

  it('still links a Member-role account by email', async () => {
    const { member } = await memberWithToken(app, 'member', 'mia@example.com');
    await c.final({ userId: 'U_MIA', userName: 'mia', email: 'MIA@example.com' }, 'whoami');
    expect(await identityRole('U_MIA')).toMatchObject({ role: 'member', member_id: member.id });
  });

  it('an Admin’s personal code (admin API) links the chat user as that Admin, once', async () => {
    const { member, token } = await memberWithToken(app, 'admin', 'adam@example.com');
    // First contact with the Admin's email: a Member, like anyone else.
    expect(c.text(await c.final({ userId: 'U_ADAM', userName: 'adam', email: 'adam@example.com' }, 'whoami'))).toMatch(/Member of/);

    const res = await app.fetch('/api/v1/me/link-codes', { method: 'POST', token });
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const { code } = (await res.json()) as { code: string };
    expect(code).toMatch(/^PB-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$/);
    const [stored] = await sql<{ kind: string; created_by_id: string; code_hash: string }>(app.dbUrl, `select kind, created_by_id, code_hash from chat_link_codes where kind = 'personal'`);
    expect(stored).toMatchObject({ kind: 'personal', created_by_id: member.id });
    expect(stored!.code_hash).not.toContain(code.replace(/-/g, ''));

    const r = await c.final({ userId: 'U_ADAM', userName: 'adam' }, `link ${code}`);
    expect(r.visibility).toBe('ephemeral');
    expect(c.text(r)).toMatch(/You now act as adam \(adam@example.com\), Admin of the workspace Default/);
    expect(await identityRole('U_ADAM')).toMatchObject({ role: 'admin', member_id: member.id });
    expect(c.text(await c.final({ userId: 'U_ADAM' }, 'whoami'))).toMatch(/You are adam \(adam@example.com\), Admin of/);

    // Single use: someone else cannot take it over.
    expect(c.text(await c.final({ userId: 'U_FAKE' }, `link ${code}`))).toMatch(/already been used/);
    expect(await identityRole('U_FAKE')).toMatchObject({ role: 'member' });
    const [audit] = await sql<{ details: Record<string, unknown>; actor_external_id: string }>(
      app.dbUrl,
      `select details, actor_external_id from audit_logs where action = 'chat.identity.link' and details->>'matchedBy' = 'personal_code'`,
    );
    expect(audit).toMatchObject({ actor_external_id: 'slack:T_ID:U_ADAM', details: { role: 'admin', user: 'U_ADAM' } });
    expect(JSON.stringify(audit)).not.toContain(code);
  });

  it('refuses a personal code in a team not linked to its workspace, and leaves the code unused', async () => {
    const { ws, owner } = await defaultWorkspace(app);
    const { code } = await createPersonalLinkCode(app.pb.rt, { workspaceId: ws.id, member: owner });
    const other = chat(app, { teamId: 'T_ELSEWHERE' });
    const r = await other.final({ userId: 'U_X' }, `link ${code}`);
    expect(r.visibility).toBe('ephemeral');
    expect(other.text(r)).toMatch(/not linked to the Patchbay workspace 'default'.*your code was not used/);
    expect(await sql(app.dbUrl, `select 1 from chat_link_codes where kind = 'personal' and used_at is null and created_by_id = $1`, [owner.id])).toHaveLength(1);
  });
});

describe('throttle: wrong link codes', () => {
  const WRONG = 'PB-AAAA-BBBB-CCCC';

  it('refuses a user after 5 wrong codes, with one audit entry counting all 20 attempts', async () => {
    const guesser = chat(app, { teamId: 'T_GUESS' }); // not linked: the attack the issue describes
    const replies: string[] = [];
    for (let i = 0; i < 20; i++) {
      const r = await guesser.final({ userId: 'U_GUESS' }, `link ${WRONG.replace('CCCC', `CC${String(i).padStart(2, '2')}`.slice(0, 4))}`);
      expect(r.visibility).toBe('ephemeral');
      replies.push(guesser.text(r));
    }
    expect(replies.slice(0, 5).every((t) => /link code is not valid/.test(t))).toBe(true);
    for (const t of replies.slice(5)) expect(t).toMatch(/Too many wrong link codes from you: `link` is paused for about \d+ min, even for a right code/);
    // A right code is refused too while throttled.
    const good = await linkCode(app);
    const r = await guesser.final({ userId: 'U_GUESS' }, `link ${good}`);
    expect(guesser.text(r)).toMatch(/Too many wrong link codes/);
    expect(r.error).toEqual({ code: 'rate_limited' });
    expect(await sql(app.dbUrl, 'select 1 from chat_link_codes where used_at is null and kind = $1', ['team'])).toHaveLength(1);

    const audits = await sql<{ workspace_id: string | null; outcome: string; actor_external_id: string; details: Record<string, unknown> }>(
      app.dbUrl,
      `select workspace_id, outcome, actor_external_id, details from audit_logs where action = 'chat.link' and details->>'team' = 'T_GUESS'`,
    );
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({
      workspace_id: null, // an unlinked team's guesses belong to no workspace
      outcome: 'refused',
      actor_external_id: 'slack:T_GUESS:U_GUESS',
      details: { reason: 'invalid_code', count: 21, throttled: 16, user: 'U_GUESS' },
    });
    expect(JSON.stringify(audits)).not.toMatch(/AAAA|BBBB/);
  });

  it('refuses everyone in a team past the team’s limit, and counts in the team’s workspace once linked', async () => {
    const guesser = chat(app, { teamId: 'T_GUESS' });
    // The team saw 21 attempts (limit 8): a fresh user there is refused at once.
    const r = await guesser.final({ userId: 'U_OTHER' }, `link ${WRONG}`);
    expect(guesser.text(r)).toMatch(/Too many wrong link codes from this Slack workspace/);

    // In the linked team, wrong codes are audited in its workspace.
    const { ws } = await defaultWorkspace(app);
    for (let i = 0; i < 3; i++) await c.final({ userId: 'U_MIA' }, `link ${WRONG}`);
    const [a] = await sql<{ workspace_id: string; details: Record<string, unknown> }>(
      app.dbUrl,
      `select workspace_id, details from audit_logs where action = 'chat.link' and details->>'user' = 'U_MIA'`,
    );
    expect(a).toMatchObject({ workspace_id: ws.id, details: { reason: 'invalid_code', count: 3, throttled: 0 } });
    const counters = await sql<{ key: string; count: number }>(app.dbUrl, `select key, count from rate_limit_counters where key like 'link:%' order by key`);
    expect(counters).toEqual(
      expect.arrayContaining([
        { key: 'link:team:slack:T_GUESS', count: 22 },
        { key: 'link:user:slack:T_GUESS:U_GUESS', count: 21 },
        { key: 'link:user:slack:T_ID:U_MIA', count: 3 },
      ]),
    );
  });
});
