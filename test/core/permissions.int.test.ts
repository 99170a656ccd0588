import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PERMISSIONS, authorize, can } from '../../src/access/permissions.ts';
import { Connection } from '../../src/entities/connection.ts';
import { errorBody, json, startTestApp, type TestApp } from '../helpers/app.ts';
import { memberWithToken } from '../helpers/members.ts';
import { sql } from '../helpers/sql.ts';

let app: TestApp;
let memberToken: string;
let adminToken: string;
let connectionId: string;
let ownerId: string;

beforeAll(async () => {
  app = await startTestApp();
  memberToken = (await memberWithToken(app, 'member', 'mia@example.com')).token;
  adminToken = (await memberWithToken(app, 'admin', 'adam@example.com')).token;
  // A connection to act on, written directly (no provider call needed for a denial).
  const em = app.pb.rt.em();
  const [ws] = await sql<{ id: string }>(app.dbUrl, `select id from workspaces where slug = 'default'`);
  const c = em.create(Connection, {
    workspace: ws!.id,
    providerSlug: 'linear',
    displayName: 'Linear',
    authKind: 'api_key',
    credentials: app.pb.rt.vault.encrypt({ type: 'api_key', fields: { apiKey: 'lin_api_x' } }),
  });
  await em.flush();
  connectionId = c.id;
  ownerId = (await sql<{ id: string }>(app.dbUrl, `select id from members where role = 'owner'`))[0]!.id;
});
afterAll(async () => {
  await app.close();
});

const snapshot = async () =>
  JSON.stringify({
    connections: await sql(app.dbUrl, 'select id, status, display_name, credentials, paused_by from connections order by id'),
    members: await sql(app.dbUrl, 'select id, role from members order by id'),
    tokens: await sql(app.dbUrl, 'select id, revoked_at from api_tokens order by id'),
    workspace: await sql(app.dbUrl, 'select name, settings from workspaces'),
    apps: await sql(app.dbUrl, 'select * from provider_apps'),
    events: await sql(app.dbUrl, 'select count(*) from domain_events'),
  });

describe('one permission check', () => {
  it('Owner can do everything; Admin changes integrations; Member only reads', () => {
    for (const action of Object.keys(PERMISSIONS) as Array<keyof typeof PERMISSIONS>) expect(can('owner', action)).toBe(true);
    expect(can('admin', 'connections.disconnect')).toBe(true);
    expect(can('admin', 'members.manage')).toBe(false);
    expect(can('member', 'connections.read')).toBe(true);
    expect(can('member', 'connections.pause')).toBe(false);
    expect(() => authorize('member', 'connections.pause')).toThrow(/needs the Admin or Owner role; you are a Member/);
    expect(() => authorize('admin', 'tokens.manage')).toThrow(/needs the Owner role; you are an Admin/);
  });

  const id = () => connectionId;
  const changes: Array<[string, string, () => string, unknown?]> = [
    ['POST', 'connections', () => '/api/v1/connections', { provider: 'linear', credentials: { apiKey: 'lin_api_abcdef' } }],
    ['PATCH', 'rename', () => `/api/v1/connections/${id()}`, { displayName: 'x' }],
    ['POST', 'test', () => `/api/v1/connections/${id()}/test`],
    ['POST', 'pause', () => `/api/v1/connections/${id()}/pause`],
    ['POST', 'resume', () => `/api/v1/connections/${id()}/resume`],
    ['POST', 'reconnect', () => `/api/v1/connections/${id()}/reconnect`, { credentials: { apiKey: 'lin_api_abcdef' } }],
    ['POST', 'disconnect', () => `/api/v1/connections/${id()}/disconnect`],
    ['PATCH', 'role', () => `/api/v1/members/${ownerId}`, { role: 'member' }],
    ['POST', 'mint token', () => '/api/v1/tokens', { name: 'x' }],
    ['GET', 'list tokens', () => '/api/v1/tokens'],
    ['PATCH', 'workspace settings', () => '/api/v1/workspace', { settings: { trustPlatformRoles: false } }],
    ['PUT', 'provider app', () => '/api/v1/providers/github/app', { clientId: 'x', clientSecret: 'y'.repeat(10) }],
    ['DELETE', 'revoke token', () => '/api/v1/tokens/6f1c1a43-1111-4111-8111-111111111111'],
  ];

  it.each(changes)('refuses a Member %s %s with 403 naming the role, changes nothing, and audits the refusal', async (method, _name, path, json) => {
    const before = await snapshot();
    const res = await app.fetch(path(), { method, token: memberToken, ...(json ? { json } : {}) });
    expect(res.status).toBe(403);
    const err = await errorBody(res);
    expect(err.code).toBe('forbidden');
    expect(err.message).toMatch(/needs (the Admin or Owner role|the Owner role); you are a Member/);
    expect(await snapshot()).toBe(before);
    const [last] = await sql<{ outcome: string; correlation_id: string }>(app.dbUrl, 'select outcome, correlation_id from audit_logs order by id desc limit 1');
    expect(last).toEqual({ outcome: 'refused', correlation_id: err.correlationId });
  });

  it('lets a Member read integrations, logs and events', async () => {
    for (const path of ['/api/v1/connections', `/api/v1/connections/${connectionId}`, `/api/v1/connections/${connectionId}/logs`, '/api/v1/events', '/api/v1/members', '/api/v1/workspace']) {
      expect((await app.fetch(path, { token: memberToken })).status, path).toBe(200);
    }
  });

  it('refuses an Admin what only an Owner may do', async () => {
    const res = await app.fetch(`/api/v1/members/${ownerId}`, { method: 'PATCH', token: adminToken, json: { role: 'admin' } });
    expect(res.status).toBe(403);
    expect((await errorBody(res)).message).toMatch(/Owner role/);
  });

  it('lets an Owner manage roles but never demote the last Owner', async () => {
    const res = await app.fetch(`/api/v1/members/${ownerId}`, { method: 'PATCH', json: { role: 'admin' } });
    expect(res.status).toBe(409);
    expect((await errorBody(res)).message).toMatch(/only Owner/);
    const mia = (await sql<{ id: string }>(app.dbUrl, `select id from members where email = 'mia@example.com'`))[0]!.id;
    const promoted = await app.fetch(`/api/v1/members/${mia}`, { method: 'PATCH', json: { role: 'admin' } });
    expect(await json(promoted)).toMatchObject({ role: 'admin' });
    expect((await sql<{ role: string }>(app.dbUrl, 'select role from members where id = $1', [mia]))[0]!.role).toBe('admin');
  });

  it('mints, lists and revokes tokens; the secret appears only once and a revoked token stops working', async () => {
    const minted = await app.fetch('/api/v1/tokens', { method: 'POST', json: { name: 'ci' } });
    expect(minted.status).toBe(201);
    const { token, apiToken } = await json(minted);
    expect(token).toMatch(/^pb_/);
    expect((await app.fetch('/api/v1/workspace', { token })).status).toBe(200);
    const list = await (await app.fetch('/api/v1/tokens')).text();
    expect(list).not.toContain(token);
    expect(list).toContain(apiToken.prefix);
    const revoked = await app.fetch(`/api/v1/tokens/${apiToken.id}`, { method: 'DELETE' });
    expect(await json(revoked)).toMatchObject({ id: apiToken.id, revokedAt: expect.any(String) });
    expect((await app.fetch('/api/v1/workspace', { token })).status).toBe(401);
  });

  it('rejects malformed bodies with 400 and the validation details', async () => {
    const res = await app.fetch('/api/v1/tokens', { method: 'POST', json: { name: '', extra: 1 } });
    expect(res.status).toBe(400);
    const err = await errorBody(res);
    expect(err.code).toBe('validation_failed');
    expect((err.details as Array<{ path: string }>).map((d) => d.path).sort()).toEqual(['', 'name']);
    const wrongType = await app.fetch(`/api/v1/members/${ownerId}`, { method: 'PATCH', json: { role: 'emperor' } });
    expect(wrongType.status).toBe(400);
  });
});
