import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { errorBody, json, startTestApp, type TestApp } from '../helpers/app.ts';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app.close();
});

describe('API authentication', () => {
  it('answers a request without a token with 401 in the error shape, with the correlation id', async () => {
    const res = await app.fetch('/api/v1/workspace', { token: null });
    expect(res.status).toBe(401);
    const err = await errorBody(res);
    expect(err.code).toBe('unauthenticated');
    expect(err.correlationId).toBe(res.headers.get('x-correlation-id'));
    // The correlation id is written to the log line of that request, so support can find it.
    expect(app.logs.some((l) => l.includes(err.correlationId) && l.includes('"status":401'))).toBe(true);
  });

  it('refuses an unknown token and a malformed Authorization header', async () => {
    const unknown = await app.fetch('/api/v1/workspace', { token: 'pb_thisTokenDoesNotExistAnywhere0000000' });
    expect(unknown.status).toBe(401);
    expect((await errorBody(unknown)).code).toBe('unauthenticated');
    const malformed = await app.fetch('/api/v1/workspace', { token: null, headers: { authorization: 'Token abc' } });
    expect(malformed.status).toBe(401);
  });

  it('refuses a revoked token', async () => {
    const ok = await app.fetch('/api/v1/workspace');
    expect(ok.status).toBe(200);
    const c = new pg.Client({ connectionString: app.dbUrl });
    await c.connect();
    await c.query('update api_tokens set revoked_at = now()');
    await c.end();
    const res = await app.fetch('/api/v1/workspace');
    expect(res.status).toBe(401);
    const err = await errorBody(res);
    expect(err.code).toBe('unauthenticated');
    expect(err.message).toMatch(/revoked/);
    await (async () => {
      const c2 = new pg.Client({ connectionString: app.dbUrl });
      await c2.connect();
      await c2.query('update api_tokens set revoked_at = null');
      await c2.end();
    })();
  });

  it('returns the workspace and its members for a valid token', async () => {
    const ws = await app.fetch('/api/v1/workspace');
    expect(ws.status).toBe(200);
    expect(await json(ws)).toMatchObject({ slug: 'default', name: 'Default', settings: { trustPlatformRoles: true } });
    const members = await app.fetch('/api/v1/members');
    expect(await json(members)).toMatchObject({ data: [{ email: 'owner@localhost', role: 'owner' }], nextCursor: null });
  });
});

describe('errors', () => {
  it('answers malformed JSON with 400 malformed_json, never 500', async () => {
    const res = await app.fetch('/api/v1/members', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":' });
    expect(res.status).toBe(400);
    expect((await errorBody(res)).code).toBe('malformed_json');
  });

  it('answers unknown routes with 404 in the error shape', async () => {
    for (const path of ['/nope', '/api/v1/nope']) {
      const res = await app.fetch(path);
      expect(res.status).toBe(404);
      expect((await errorBody(res)).code).toBe('route_not_found');
    }
  });

  it('validates query parameters with the issues listed', async () => {
    const res = await app.fetch('/api/v1/members?limit=0');
    expect(res.status).toBe(400);
    const err = await errorBody(res);
    expect(err.code).toBe('validation_failed');
    expect(err.details).toEqual([expect.objectContaining({ location: 'query', path: 'limit' })]);
    const badCursor = await app.fetch('/api/v1/members?cursor=notacursor');
    expect(badCursor.status).toBe(400);
  });

  it('keeps a caller-supplied correlation id that looks like one', async () => {
    const res = await app.fetch('/api/v1/nope', { headers: { 'x-correlation-id': 'support-case-12345' } });
    expect((await errorBody(res)).correlationId).toBe('support-case-12345');
    const hostile = await app.fetch('/api/v1/nope', { headers: { 'x-correlation-id': 'x <script>' } });
    expect((await errorBody(hostile)).correlationId).not.toContain('<script>');
  });
});

describe('health and metrics', () => {
  it('reports liveness, readiness and Prometheus metrics', async () => {
    expect((await app.fetch('/healthz', { token: null })).status).toBe(200);
    const ready = await app.fetch('/readyz', { token: null });
    expect(ready.status).toBe(200);
    expect(await json(ready)).toMatchObject({ status: 'ready', checks: { database: 'ok', migrations: 'ok', workers: 'disabled (run `npm run worker`)' } });
    const metrics = await (await app.fetch('/metrics', { token: null })).text();
    expect(metrics).toMatch(/patchbay_http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/workspace",status="200"\}/);
  });
});
