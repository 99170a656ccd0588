/**
 * The lifecycle writer is the only way a connection's status changes, refusals are audited
 * exactly once whichever door they came through, and a unique-constraint race is a 409.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../src/connections/actor.ts';
import { insertConnection } from '../../src/connections/lifecycle.ts';
import { markErrored } from '../../src/connections/system-transitions.ts';
import { Connection } from '../../src/entities/connection.ts';
import { Workspace } from '../../src/entities/workspace.ts';
import { toAppError } from '../../src/errors.ts';
import { errorBody, startTestApp, type TestApp } from '../helpers/app.ts';
import { memberWithToken } from '../helpers/members.ts';
import { sql } from '../helpers/sql.ts';
import { chat, defaultWorkspace, linkCode } from '../commands/support.ts';

let app: TestApp;
let workspaceId: string;
let n = 0;

beforeAll(async () => {
  app = await startTestApp();
  workspaceId = (await defaultWorkspace(app)).ws.id;
});
afterAll(async () => {
  await app.close();
});

async function newConnection(displayName = `Linear ${++n}`): Promise<string> {
  const { owner } = await defaultWorkspace(app);
  const conn = await insertConnection(app.pb.rt, { workspaceId, member: owner }, {
    providerSlug: 'linear',
    displayName,
    authKind: 'api_key',
    credentials: { type: 'api_key', fields: { apiKey: 'lin_api_writer0000000000' } },
    metadata: { accountName: 'Ada' },
  });
  return conn.id;
}

const statusOf = async (id: string) => (await sql<{ status: string }>(app.dbUrl, 'select status from connections where id = $1', [id]))[0]!.status;

describe('only the lifecycle writer changes connections.status', () => {
  it('refuses a status changed by plain SQL, naming the writer', async () => {
    const id = await newConnection();
    await expect(sql(app.dbUrl, `update connections set status = 'paused' where id = $1`, [id])).rejects.toThrow(/only be changed by the lifecycle writer/);
    expect(await statusOf(id)).toBe('connected');
    // Other columns stay writable (token refreshes, renames through the writer's own apply, fixtures).
    await sql(app.dbUrl, `update connections set token_refreshed_at = now() where id = $1`, [id]);
  });

  it('refuses a status changed through the ORM outside the writer, and a new row that does not start connected', async () => {
    const id = await newConnection();
    const em = app.pb.rt.em();
    const c = await em.findOneOrFail(Connection, { id });
    c.status = 'errored';
    await expect(em.flush()).rejects.toThrow(/lifecycle writer/);
    const em2 = app.pb.rt.em();
    em2.create(Connection, { workspace: workspaceId, providerSlug: 'linear', displayName: 'Born paused', authKind: 'api_key', status: 'paused' });
    await expect(em2.flush()).rejects.toThrow(/lifecycle writer/);
    expect(await statusOf(id)).toBe('connected');
  });

  it('the writer changes it, with its log line, event and audit entry in one go', async () => {
    const id = await newConnection();
    await markErrored(app.pb.rt, systemActor(workspaceId, 'test'), id, 'Authentication failed');
    expect(await statusOf(id)).toBe('errored');
    expect(await sql(app.dbUrl, `select type from domain_events where entity_id = $1 order by id`, [id])).toEqual([{ type: 'connection_connected' }, { type: 'connection_errored' }]);
    expect(await sql(app.dbUrl, `select action, outcome, via from audit_logs where target_id = $1 order by id`, [id])).toEqual([
      { action: 'connection.connect', outcome: 'success', via: 'system' },
      { action: 'connection.error', outcome: 'success', via: 'system' },
    ]);
    // Patchbay's own transition on a connection already errored does nothing (no second event).
    await markErrored(app.pb.rt, systemActor(workspaceId, 'test'), id, 'again');
    expect(await sql(app.dbUrl, `select count(*)::int as n from domain_events where entity_id = $1`, [id])).toEqual([{ n: 2 }]);
  });
});

describe('a refusal is audited exactly once', () => {
  const refusals = async () => (await sql<{ n: number }>(app.dbUrl, `select count(*)::int as n from audit_logs where outcome = 'refused'`))[0]!.n;

  it('through the admin API: a Member pausing gets 403 and one refused entry', async () => {
    const id = await newConnection();
    const { token } = await memberWithToken(app, 'member');
    const before = await refusals();
    const res = await app.fetch(`/api/v1/connections/${id}/pause`, { method: 'POST', token });
    expect(res.status).toBe(403);
    expect(await errorBody(res)).toMatchObject({ code: 'forbidden' });
    expect(await refusals()).toBe(before + 1);
    const [last] = await sql(app.dbUrl, `select action, target_type, details->>'reason' as reason, details->>'requiredRole' as required from audit_logs order by id desc limit 1`);
    expect(last).toEqual({ action: 'connections.pause', target_type: 'api', reason: 'forbidden', required: 'admin' });
  });

  it('through chat: a Member pausing gets a private refusal and one refused entry', async () => {
    const id = await newConnection('Linear chat');
    const c = chat(app, { teamId: 'T_WRITER' });
    expect(c.text(await c.final({ userId: 'U_OWNER' }, `link ${await linkCode(app)}`))).toMatch(/linked/i);
    await memberWithToken(app, 'member', 'mo@example.com');
    const before = await refusals();
    const r = await c.final({ userId: 'U_MO', email: 'mo@example.com' }, `pause ${id}`);
    expect(r.error).toEqual({ code: 'forbidden' });
    expect(await refusals()).toBe(before + 1);
    expect(await statusOf(id)).toBe('connected');
  });

  it('an invalid transition (resume a connected one) is refused with 409 and audited once', async () => {
    const id = await newConnection();
    const before = await refusals();
    const res = await app.fetch(`/api/v1/connections/${id}/resume`, { method: 'POST' });
    expect(res.status).toBe(409);
    expect(await errorBody(res)).toMatchObject({ code: 'invalid_transition' });
    expect(await refusals()).toBe(before + 1);
  });
});

describe('unique-constraint violations are mapped once, to 409 conflict', () => {
  it('a second live connection with the same name (a race past the name check) is a conflict naming the field', async () => {
    await newConnection('Twin');
    await expect(newConnection('twin')).rejects.toMatchObject({ code: 'conflict', details: { field: 'displayName' } });
  });

  it('any unique violation the ORM raises becomes conflict, not internal_error', async () => {
    const em = app.pb.rt.em();
    em.create(Workspace, { name: 'Dup', slug: 'default' });
    const err = await em.flush().catch((e: unknown) => e);
    const mapped = toAppError(err);
    expect(mapped.code).toBe('conflict');
    expect(mapped.status).toBe(409);
  });
});
