/**
 * Every connection action answers `{ connection, … }` over real HTTP: the connection as it is
 * after the action, with the action's extras beside it (never the bare connection).
 */
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, startTestApp, type TestApp } from '../helpers/app.ts';

const KEY = 'lin_api_ShapeTestValue0123456789abcd';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  nock.cleanAll();
  await app.close();
});

function linearViewer() {
  nock('https://api.linear.app')
    .post('/graphql', (b: { query?: string }) => typeof b.query === 'string' && b.query.includes('viewer'))
    .reply(200, { data: { viewer: { id: 'user-1', name: 'Ada Lovelace', email: 'ada@example.com' } } });
}

/** The keys of a connection view: asserting them proves `connection` is the whole connection. */
const CONNECTION_KEYS = ['id', 'provider', 'providerName', 'displayName', 'status', 'statusReason', 'pausedBy', 'pausedUntil', 'authKind', 'account', 'scopes', 'createdAt', 'updatedAt'];

async function action(path: string, method: string, body?: unknown) {
  const res = await app.fetch(path, { method, ...(body === undefined ? {} : { json: body }) });
  const payload = await json(res);
  return { status: res.status, body: payload as Record<string, any> };
}

function expectEnvelope(body: Record<string, any>, id: string, status: string, extras: string[]) {
  expect(Object.keys(body).sort()).toEqual(['connection', ...extras].sort());
  expect(Object.keys(body.connection)).toEqual(expect.arrayContaining(CONNECTION_KEYS));
  expect(body.connection).toMatchObject({ id, status });
}

describe('connection actions answer { connection, … }', () => {
  let id = '';

  it('create: { connection, account }', async () => {
    linearViewer();
    const res = await action('/api/v1/connections', 'POST', { provider: 'linear', displayName: 'Linear shapes', credentials: { apiKey: KEY } });
    expect(res.status).toBe(201);
    expectEnvelope(res.body, res.body.connection.id, 'connected', ['account']);
    expect(res.body.account).toEqual({ id: 'user-1', name: 'Ada Lovelace' });
    id = res.body.connection.id;
  });

  it('rename (PATCH): { connection }', async () => {
    const res = await action(`/api/v1/connections/${id}`, 'PATCH', { displayName: 'Linear shapes (eng)' });
    expect(res.status).toBe(200);
    expectEnvelope(res.body, id, 'connected', []);
    expect(res.body.connection.displayName).toBe('Linear shapes (eng)');
  });

  it('test: { connection, ok, latencyMs, account }', async () => {
    linearViewer();
    const res = await action(`/api/v1/connections/${id}/test`, 'POST');
    expect(res.status).toBe(200);
    expectEnvelope(res.body, id, 'connected', ['ok', 'latencyMs', 'account']);
    expect(res.body.ok).toBe(true);
  });

  it('pause, with no body at all: { connection }', async () => {
    const res = await action(`/api/v1/connections/${id}/pause`, 'POST');
    expect(res.status).toBe(200);
    expectEnvelope(res.body, id, 'paused', []);
    expect(res.body.connection.pausedBy).toBe('member');
  });

  it('resume: { connection }', async () => {
    const res = await action(`/api/v1/connections/${id}/resume`, 'POST');
    expect(res.status).toBe(200);
    expectEnvelope(res.body, id, 'connected', []);
  });

  it('pause with a reason: { connection } carrying it', async () => {
    const res = await action(`/api/v1/connections/${id}/pause`, 'POST', { reason: 'quarterly maintenance' });
    expect(res.status).toBe(200);
    expectEnvelope(res.body, id, 'paused', []);
    expect(res.body.connection.statusReason).toBe('quarterly maintenance');
    expect((await action(`/api/v1/connections/${id}/resume`, 'POST')).status).toBe(200);
  });

  it('reconnect: { connection, account }', async () => {
    linearViewer();
    const res = await action(`/api/v1/connections/${id}/reconnect`, 'POST', { credentials: { apiKey: KEY } });
    expect(res.status).toBe(200);
    expectEnvelope(res.body, id, 'connected', ['account']);
  });

  it('get: the bare connection (a read, not an action)', async () => {
    const res = await action(`/api/v1/connections/${id}`, 'GET');
    expect(res.status).toBe(200);
    expect(Object.keys(res.body)).toEqual(expect.arrayContaining(CONNECTION_KEYS));
    expect(res.body.id).toBe(id);
  });

  it('disconnect: { connection, revoke, note }', async () => {
    const res = await action(`/api/v1/connections/${id}/disconnect`, 'POST');
    expect(res.status).toBe(200);
    expectEnvelope(res.body, id, 'disconnected', ['revoke', 'note']);
    expect(res.body.revoke).toBe('not_supported');
  });
});
