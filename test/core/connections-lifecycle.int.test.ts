import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorBody, json, startTestApp, type TestApp } from '../helpers/app.ts';
import { sql } from '../helpers/sql.ts';

const KEY = 'lin_api_SuperSecretValue0123456789';
const NEW_KEY = 'lin_api_RotatedSecretValue98765';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app.close();
});

/** Linear's documented GraphQL viewer answer. */
function linearViewer(key: string, viewer = { id: 'user-1', name: 'Ada Lovelace', email: 'ada@example.com' }) {
  return nock('https://api.linear.app')
    .post('/graphql', (b: { query?: string }) => typeof b.query === 'string' && b.query.includes('viewer'))
    .matchHeader('authorization', key)
    .reply(200, { data: { viewer } });
}

function linearAuthError() {
  return nock('https://api.linear.app')
    .post('/graphql')
    .reply(400, { errors: [{ message: 'Authentication required, not authenticated', extensions: { code: 'AUTHENTICATION_ERROR' } }] });
}

async function connect(displayName?: string) {
  linearViewer(KEY);
  const res = await app.fetch('/api/v1/connections', { method: 'POST', json: { provider: 'linear', displayName, credentials: { apiKey: KEY } } });
  expect(res.status).toBe(201);
  return (await json(res)) as { connection: { id: string; status: string; account: { name: string } } };
}

const events = async (id: string) =>
  (await sql<{ type: string; via: string }>(app.dbUrl, 'select type, via from domain_events where entity_id = $1 order by id', [id])).map((e) => e.type);
const audit = async (id: string) =>
  sql<{ action: string; outcome: string; via: string }>(app.dbUrl, 'select action, outcome, via from audit_logs where target_id = $1 order by id', [id]);

describe('connection lifecycle through the admin API', () => {
  it('connects an API-key provider only after the key is tested, and stores the key encrypted', async () => {
    const { connection } = await connect();
    expect(connection).toMatchObject({ status: 'connected', account: { name: 'Ada Lovelace' } });
    const [row] = await sql<{ credentials: string }>(app.dbUrl, 'select credentials from connections where id = $1', [connection.id]);
    expect(row!.credentials).toMatch(/^v1\./);
    expect(row!.credentials).not.toContain(KEY);
    expect(await events(connection.id)).toEqual(['connection_connected']);
    expect(await audit(connection.id)).toEqual([{ action: 'connection.connect', outcome: 'success', via: 'api' }]);
    const logs = await app.json(`/api/v1/connections/${connection.id}/logs`);
    expect(logs.data[0]).toMatchObject({ level: 'info', kind: 'status', message: 'Connected as Ada Lovelace.' });
  });

  it('refuses a key the provider rejects, and saves nothing', async () => {
    linearAuthError();
    const before = await sql(app.dbUrl, 'select id from connections');
    const res = await app.fetch('/api/v1/connections', { method: 'POST', json: { provider: 'linear', displayName: 'Bad', credentials: { apiKey: 'lin_api_wrongwrongwrong' } } });
    expect(res.status).toBe(422);
    const err = await errorBody(res);
    expect(err.code).toBe('provider_auth_failed');
    expect(err.message).not.toContain('lin_api_wrongwrongwrong');
    expect(await sql(app.dbUrl, 'select id from connections')).toHaveLength(before.length);
    const [failed] = await sql<{ outcome: string }>(app.dbUrl, `select outcome from audit_logs where action = 'connection.connect' order by id desc limit 1`);
    expect(failed!.outcome).toBe('failed');
  });

  it('validates the fields and the display name before calling the provider', async () => {
    const bad = await app.fetch('/api/v1/connections', { method: 'POST', json: { provider: 'linear', credentials: { apiKey: 'not-a-linear-key' } } });
    expect(bad.status).toBe(400);
    expect(await errorBody(bad)).toMatchObject({ code: 'validation_failed', details: [expect.objectContaining({ path: 'credentials.apiKey' })] });
    const unknown = await app.fetch('/api/v1/connections', { method: 'POST', json: { provider: 'linearr', credentials: { apiKey: KEY } } });
    expect(unknown.status).toBe(404);
    expect((await errorBody(unknown)).message).toMatch(/Did you mean linear/);
    const dup = await app.fetch('/api/v1/connections', { method: 'POST', json: { provider: 'linear', credentials: { apiKey: KEY } } });
    expect(dup.status).toBe(409); // 'Linear' exists from the first test
    const missing = await app.fetch('/api/v1/connections', { method: 'POST', json: { provider: 'linear' } });
    expect(missing.status).toBe(400);
    expect((await errorBody(missing)).details).toEqual([expect.objectContaining({ location: 'body', path: 'credentials' })]);
  });

  it('tests a connection, recording the result and latency; an auth failure errors it, a later pass recovers it', async () => {
    const { connection } = await connect('Linear test');
    linearViewer(KEY);
    const ok = await app.json(`/api/v1/connections/${connection.id}/test`, { method: 'POST' });
    expect(ok).toMatchObject({ ok: true, account: { id: 'user-1', name: 'Ada Lovelace' }, connection: { status: 'connected' } });
    expect(typeof ok.latencyMs).toBe('number');

    linearAuthError();
    const failed = await app.json(`/api/v1/connections/${connection.id}/test`, { method: 'POST' });
    expect(failed).toMatchObject({ ok: false, error: { code: 'provider_auth_failed' }, connection: { status: 'errored' } });
    expect(failed.connection.statusReason).toMatch(/Reconnect/);

    linearViewer(KEY);
    const again = await app.json(`/api/v1/connections/${connection.id}/test`, { method: 'POST' });
    expect(again.connection.status).toBe('connected');
    expect(await events(connection.id)).toEqual(['connection_connected', 'connection_errored', 'connection_connected']);
    const logs = (await app.json(`/api/v1/connections/${connection.id}/logs`)).data as Array<{ kind: string; message: string; data: { latencyMs?: number } }>;
    const tests = logs.filter((l) => l.kind === 'test');
    expect(tests).toHaveLength(3);
    expect(tests.every((l) => typeof l.data.latencyMs === 'number')).toBe(true);
  });

  it('pauses and resumes; refuses invalid transitions without changing anything, and audits the refusal', async () => {
    const { connection } = await connect('Linear pause');
    const id = connection.id;
    const paused = await app.fetch(`/api/v1/connections/${id}/pause`, { method: 'POST', json: { reason: 'maintenance' } });
    expect(paused.status).toBe(200);
    expect(await json(paused)).toMatchObject({ connection: { status: 'paused', pausedBy: 'member', statusReason: 'maintenance' } });

    const again = await app.fetch(`/api/v1/connections/${id}/pause`, { method: 'POST' });
    expect(again.status).toBe(409);
    expect(await errorBody(again)).toMatchObject({ code: 'invalid_transition', message: 'Linear pause is already paused.' });

    const resumed = await app.fetch(`/api/v1/connections/${id}/resume`, { method: 'POST' });
    expect(await json(resumed)).toMatchObject({ connection: { status: 'connected', pausedBy: null } });
    const resumeAgain = await app.fetch(`/api/v1/connections/${id}/resume`, { method: 'POST' });
    expect(resumeAgain.status).toBe(409);

    expect(await events(id)).toEqual(['connection_connected', 'connection_paused', 'connection_resumed']);
    expect((await audit(id)).map((a) => `${a.action}:${a.outcome}`)).toEqual([
      'connection.connect:success',
      'connection.pause:success',
      'connection.pause:refused',
      'connection.resume:success',
      'connection.resume:refused',
    ]);
  });

  it('renames, reconnects in place with a new key, and disconnects keeping the history', async () => {
    const { connection } = await connect('Linear full');
    const id = connection.id;
    const renamed = await app.fetch(`/api/v1/connections/${id}`, { method: 'PATCH', json: { displayName: 'Linear (eng)' } });
    expect(await json(renamed)).toMatchObject({ connection: { id, displayName: 'Linear (eng)' } });

    linearViewer(NEW_KEY, { id: 'user-2', name: 'Grace Hopper', email: 'grace@example.com' });
    const rec = await app.fetch(`/api/v1/connections/${id}/reconnect`, { method: 'POST', json: { credentials: { apiKey: NEW_KEY } } });
    expect(rec.status).toBe(200);
    expect(await json(rec)).toMatchObject({ connection: { id, status: 'connected', account: { name: 'Grace Hopper' } } });

    const disc = await app.fetch(`/api/v1/connections/${id}/disconnect`, { method: 'POST' });
    expect(disc.status).toBe(200);
    const body = await json(disc);
    // A personal API key has no revoke call: the note says so, and the credentials are deleted.
    expect(body).toMatchObject({ revoke: 'not_supported', connection: { status: 'disconnected' } });
    expect(body.note).toMatch(/Personal API key|personal API key/);
    const [row] = await sql<{ credentials: string | null }>(app.dbUrl, 'select credentials from connections where id = $1', [id]);
    expect(row!.credentials).toBeNull();
    const logs = await app.json(`/api/v1/connections/${id}/logs`);
    expect(logs.data.length).toBeGreaterThanOrEqual(3);

    const resume = await app.fetch(`/api/v1/connections/${id}/resume`, { method: 'POST' });
    expect(resume.status).toBe(409);
    expect((await errorBody(resume)).message).toMatch(/disconnected/);
    expect(await events(id)).toEqual(['connection_connected', 'connection_renamed', 'connection_connected', 'connection_disconnected']);
    // The name is free again once disconnected.
    linearViewer(KEY);
    const reuse = await app.fetch('/api/v1/connections', { method: 'POST', json: { provider: 'linear', displayName: 'Linear (eng)', credentials: { apiKey: KEY } } });
    expect(reuse.status).toBe(201);
  });

  it('answers unknown ids with 404 and bad ids with 400', async () => {
    const missing = await app.fetch('/api/v1/connections/6f1c1a43-1111-4111-8111-111111111111');
    expect(missing.status).toBe(404);
    const bad = await app.fetch('/api/v1/connections/not-a-uuid/pause', { method: 'POST' });
    expect(bad.status).toBe(400);
    expect((await errorBody(bad)).details).toEqual([expect.objectContaining({ location: 'params', path: 'id' })]);
  });

  it('never lets a credential reach an API body, a log line or an audit entry', async () => {
    const list = await (await app.fetch('/api/v1/connections?includeDisconnected=true')).text();
    const evs = await (await app.fetch('/api/v1/events?limit=200')).text();
    const aud = await (await app.fetch('/api/v1/audit-log?limit=200')).text();
    const auditRows = JSON.stringify(await sql(app.dbUrl, 'select * from audit_logs'));
    const eventRows = JSON.stringify(await sql(app.dbUrl, 'select * from domain_events'));
    for (const secret of [KEY, NEW_KEY, 'SuperSecretValue', 'RotatedSecretValue']) {
      for (const text of [list, evs, aud, auditRows, eventRows, app.logs.join('\n')]) expect(text).not.toContain(secret);
    }
    expect(app.logs.length).toBeGreaterThan(10);
  });
});
