/** The Sandbox API as a client sees it: key auth, CRUD, change feed with tombstones, idempotency, 429s. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { throttleAccount } from '../../src/sandbox/store.ts';
import type { TestApp } from '../helpers/app.ts';
import { sql } from '../helpers/sql.ts';
import { newAccount, sbx, startSandboxApp } from './support.ts';

let app: TestApp;
let key: string;
let accountId: string;
beforeAll(async () => {
  app = await startSandboxApp();
  const a = await newAccount(app, 'Acme Sandbox');
  key = a.key;
  accountId = a.account.id;
});
afterAll(async () => {
  await app?.close();
});

describe('Sandbox API: auth', () => {
  it('answers 401 in its own JSON shape without a key, with a wrong key, or with a Patchbay token', async () => {
    for (const k of [null, 'sbx_wrong', app.ownerToken]) {
      const r = await sbx(app, k, '/me');
      expect(r.status).toBe(401);
      expect(r.body.error.code).toBe('unauthorized');
    }
  });

  it('GET /me names the key\'s account; only a hash of the key is stored', async () => {
    const r = await sbx(app, key, '/me');
    expect(r).toMatchObject({ status: 200, body: { id: accountId, name: 'Acme Sandbox' } });
    const rows = await sql<{ key_hash: string }>(app.dbUrl, 'select key_hash from sandbox.api_keys where account_id = $1', [accountId]);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.key_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(rows)).not.toContain(key);
  });
});

describe('Sandbox API: tasks and contacts', () => {
  it('creates, reads, patches and deletes a task; the name keeps HourStack brackets as text', async () => {
    const created = await sbx(app, key, '/tasks', { method: 'POST', json: { name: 'Write docs [1h30m]', notes: '<p>Hi</p>', tags: ['docs'], due_on: '2026-12-01' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'Write docs [1h30m]', notes: '<p>Hi</p>', status: 'todo', due_on: '2026-12-01', tags: ['docs'], assignee_email: null, deleted: false });
    const id = created.body.id as string;
    expect(id).toMatch(/^tsk_[0-9a-f]{20}$/);
    expect(created.body.updated_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

    const patched = await sbx(app, key, `/tasks/${id}`, { method: 'PATCH', json: { status: 'done' } });
    expect(patched.body).toMatchObject({ id, name: 'Write docs [1h30m]', status: 'done' });
    expect(Date.parse(patched.body.updated_at)).toBeGreaterThan(Date.parse(created.body.updated_at));
    expect((await sbx(app, key, `/tasks/${id}`)).body.status).toBe('done');

    expect((await sbx(app, key, `/tasks/${id}`, { method: 'DELETE' })).status).toBe(204);
    const gone = await sbx(app, key, `/tasks/${id}`);
    expect(gone.body).toEqual({ id, deleted: true, deleted_at: expect.any(String), updated_at: expect.any(String) });
    expect((await sbx(app, key, `/tasks/${id}`, { method: 'PATCH', json: { name: 'x' } })).status).toBe(404);
  });

  it('refuses bad input with 400 and the issues, unknown ids with 404, and never shows another account\'s records', async () => {
    const bad = await sbx(app, key, '/tasks', { method: 'POST', json: { name: '', status: 'doing', surprise: 1 } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_request');
    expect(bad.body.error.issues.map((i: { path: string }) => i.path).sort()).toEqual(['', 'name', 'status']);
    expect((await sbx(app, key, '/contacts', { method: 'POST', json: { company: 'Acme' } })).status).toBe(400);
    expect((await sbx(app, key, '/tasks/tsk_00000000000000000000')).status).toBe(404);
    expect((await sbx(app, key, '/deals')).status).toBe(404);

    const mine = await sbx(app, key, '/contacts', { method: 'POST', json: { first_name: 'Ada', last_name: 'Lovelace', phone_number: '+44 20 1234', job_title: 'CTO' } });
    expect(mine.status).toBe(201);
    expect(mine.body.id).toMatch(/^con_/);
    const other = await newAccount(app, 'Other');
    expect((await sbx(app, other.key, `/contacts/${mine.body.id}`)).status).toBe(404);
    expect((await sbx(app, other.key, '/contacts')).body.data).toEqual([]);
  });
});

describe('Sandbox API: the change feed', () => {
  it('pages by (updated_at, id) with an opaque cursor, filters by updated_since, and keeps tombstones', async () => {
    const acct = await newAccount(app, 'Feed');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await sbx(app, acct.key, '/tasks', { method: 'POST', json: { name: `Task ${i}` } })).body.id);

    const p1 = await sbx(app, acct.key, '/tasks?limit=2');
    expect(p1.body.data.map((t: { id: string }) => t.id)).toEqual(ids.slice(0, 2));
    expect(p1.body.next_cursor).toEqual(expect.any(String));
    const p2 = await sbx(app, acct.key, `/tasks?limit=2&cursor=${p1.body.next_cursor}`);
    const p3 = await sbx(app, acct.key, `/tasks?limit=2&cursor=${p2.body.next_cursor}`);
    expect([...p2.body.data, ...p3.body.data].map((t: { id: string }) => t.id)).toEqual(ids.slice(2));
    expect(p3.body.next_cursor).toBeNull();

    const mark = p3.body.data[0].updated_at as string;
    await sbx(app, acct.key, `/tasks/${ids[0]}`, { method: 'PATCH', json: { name: 'Renamed' } });
    await sbx(app, acct.key, `/tasks/${ids[1]}`, { method: 'DELETE' });
    const since = await sbx(app, acct.key, `/tasks?updated_since=${encodeURIComponent(mark)}`);
    expect(since.body.data.map((t: { id: string }) => t.id)).toEqual([ids[4], ids[0], ids[1]]);
    expect(since.body.data[2]).toEqual({ id: ids[1], deleted: true, deleted_at: expect.any(String), updated_at: expect.any(String) });

    expect((await sbx(app, acct.key, '/tasks?cursor=bm9wZQ')).body.error.code).toBe('invalid_cursor');
    expect((await sbx(app, acct.key, '/tasks?limit=501')).status).toBe(400);
    expect((await sbx(app, acct.key, '/tasks?updated_since=yesterday')).status).toBe(400);
  });
});

describe('Sandbox API: idempotency keys', () => {
  it('replays the first record for the same key and body, and refuses another body with 422', async () => {
    const body = { name: 'Once only' };
    const first = await sbx(app, key, '/tasks', { method: 'POST', json: body, headers: { 'idempotency-key': 'intent-1' } });
    const again = await sbx(app, key, '/tasks', { method: 'POST', json: body, headers: { 'idempotency-key': 'intent-1' } });
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    const rows = await sql(app.dbUrl, `select id from sandbox.tasks where account_id = $1 and name = 'Once only'`, [accountId]);
    expect(rows).toHaveLength(1);

    const other = await sbx(app, key, '/tasks', { method: 'POST', json: { name: 'Something else' }, headers: { 'idempotency-key': 'intent-1' } });
    expect(other.status).toBe(422);
    expect(other.body.error.code).toBe('idempotency_key_reused');
  });
});

describe('Sandbox API: rate limits', () => {
  it('a throttled account answers 429 with Retry-After counting down the seconds asked for', async () => {
    const acct = await newAccount(app, 'Throttled');
    await throttleAccount(app.pb.rt.db.pool, acct.account.id, 600);
    const r = await sbx(app, acct.key, '/tasks');
    expect(r.status).toBe(429);
    expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(599);
    expect(Number(r.headers.get('retry-after'))).toBeLessThanOrEqual(600);
    await throttleAccount(app.pb.rt.db.pool, acct.account.id, 0);
    expect((await sbx(app, acct.key, '/tasks')).status).toBe(200);
  });

  it('SANDBOX_RATE_LIMIT requests per key per window, then 429 with Retry-After', async () => {
    const limited = await startSandboxApp({ SANDBOX_RATE_LIMIT: '3', SANDBOX_RATE_LIMIT_WINDOW_SECONDS: '2' });
    try {
      const { key: k } = await newAccount(limited);
      const statuses: number[] = [];
      let retryAfter: string | null = null;
      for (let i = 0; i < 4; i++) {
        const r = await sbx(limited, k, '/me');
        statuses.push(r.status);
        if (r.status === 429) retryAfter = r.headers.get('retry-after');
      }
      expect(statuses).toEqual([200, 200, 200, 429]);
      expect(['1', '2']).toContain(retryAfter);
      await new Promise((r) => setTimeout(r, Number(retryAfter) * 1000 + 50));
      expect((await sbx(limited, k, '/me')).status).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it('is not served when SANDBOX_ENABLED is false', async () => {
    const off = await startSandboxApp({ SANDBOX_ENABLED: 'false' });
    try {
      const r = await sbx(off, key, '/me');
      expect(r.status).toBe(404);
      expect(r.body.error.code).toBe('route_not_found');
    } finally {
      await off.close();
    }
  });
});
