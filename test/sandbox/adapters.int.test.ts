/**
 * The Sandbox provider end to end: a `sandbox` connection made through the admin API with a key
 * (tested with GET /me against the app's own Sandbox on its ephemeral port), then the adapters
 * called through a provider session, as the sync engine will.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSession, type ProviderSession } from '../../src/connections/provider-session.ts';
import { getProvider } from '../../src/providers/registry.ts';
import { contactsAdapter } from '../../src/providers/sandbox/adapters/contacts.ts';
import { OVERLAP_MS, type SandboxCursor } from '../../src/providers/sandbox/adapters/feed.ts';
import { tasksAdapter } from '../../src/providers/sandbox/adapters/tasks.ts';
import { throttleAccount } from '../../src/sandbox/store.ts';
import type { PullPage } from '../../src/sync/types.ts';
import { errorBody, type TestApp } from '../helpers/app.ts';
import { otherWorkspace } from '../work-data/support.ts';
import { sql } from '../helpers/sql.ts';
import { newAccount, sbx, startSandboxApp } from './support.ts';

let app: TestApp;
let key: string;
let accountId: string;
let session: ProviderSession;
let connectionId: string;

beforeAll(async () => {
  app = await startSandboxApp();
  ({ key, account: { id: accountId } } = await newAccount(app, 'Adapter Co'));
  const res = await app.fetch('/api/v1/connections', { method: 'POST', json: { provider: 'sandbox', credentials: { apiKey: key } } });
  const body = (await res.json()) as { connection: { id: string } };
  expect(res.status, JSON.stringify(body)).toBe(201);
  connectionId = body.connection.id;
  const [row] = await sql<{ workspace_id: string }>(app.dbUrl, 'select workspace_id from connections where id = $1', [connectionId]);
  session = await openSession(app.pb.rt, row!.workspace_id, connectionId);
});
afterAll(async () => {
  await app?.close();
});

async function pullAll(cursor: unknown, pageSize: number): Promise<{ pages: PullPage[]; cursor: unknown }> {
  const pages: PullPage[] = [];
  for (;;) {
    const page = await session.call((ctx) => tasksAdapter.listChanged(ctx, { cursor, scope: {}, pageSize }));
    pages.push(page);
    cursor = page.cursor;
    if (!page.hasMore) return { pages, cursor };
  }
}

describe('Sandbox provider', () => {
  it('connects with an sbx_ key: the test is GET /me, the account is the sandbox account', async () => {
    const res = await app.json(`/api/v1/connections/${connectionId}`);
    expect(res).toMatchObject({ provider: 'sandbox', status: 'connected', authKind: 'api_key', account: { id: accountId, name: 'Adapter Co' } });
    // In another workspace (one Sandbox connection per workspace here): a wrong key is refused by the test.
    const other = await otherWorkspace(app, 'second');
    const bad = await app.fetch('/api/v1/connections', { method: 'POST', token: other.token, json: { provider: 'sandbox', credentials: { apiKey: 'sbx_not_a_key' } } });
    expect(bad.status).toBe(422);
    expect((await errorBody(bad)).code).toBe('provider_auth_failed');
    expect(getProvider('sandbox').adapters.map((a) => a.remoteObject)).toEqual(['tasks', 'contacts']);
  });

  it('pulls the whole feed page by page, then only what changed (with a few seconds of overlap), tombstones included', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await sbx(app, key, '/tasks', { method: 'POST', json: { name: `Pull ${i} [30m]`, tags: ['x'] } })).body.id);

    const full = await pullAll(null, 2);
    expect(full.pages.map((p) => p.records.length)).toEqual([2, 2, 1]);
    expect(full.pages.flatMap((p) => p.records.map((r) => r.id))).toEqual(ids);
    const first = full.pages[0]!.records[0]!;
    expect(first).toEqual({ id: ids[0], updatedAt: expect.any(String), fields: expect.objectContaining({ name: 'Pull 0 [30m]', status: 'todo', tags: ['x'], due_on: null }) });
    const cursor = full.cursor as SandboxCursor;
    expect(cursor).toEqual({ since: full.pages[2]!.records[0]!.updatedAt, next: null, readAt: expect.any(String) });

    // Nothing changed: only the overlap window comes back (the engine drops what it already has).
    const idle = await pullAll(cursor, 100);
    expect(idle.pages[0]!.records.every((r) => Date.parse(r.updatedAt) >= Date.parse(cursor.since!) - OVERLAP_MS)).toBe(true);

    // Move the feed an hour into the past (as if pulled long ago), then change one and delete another.
    await sql(app.dbUrl, `update sandbox.tasks set updated_at = updated_at - interval '1 hour' where account_id = $1`, [accountId]);
    // Changes made long before the last read are not re-read: the overlap is counted back from when
    // the Sandbox answered (readAt), not from the newest record — a bulk import is read once.
    const longAgo = new Date(Date.parse(cursor.since!) - 3_600_000).toISOString();
    const quiet = (await pullAll({ since: longAgo, next: null, readAt: new Date().toISOString() }, 100)).pages.flatMap((p) => p.records);
    expect(quiet.map((r) => r.id)).toContain(ids[4]);
    expect(quiet.map((r) => r.id)).not.toContain(ids[0]);
    expect(quiet.every((r) => Date.parse(r.updatedAt) >= Date.parse(longAgo))).toBe(true);
    const since = new Date(Date.now() - 60_000).toISOString();
    await sbx(app, key, `/tasks/${ids[1]}`, { method: 'PATCH', json: { name: 'Changed' } });
    await sbx(app, key, `/tasks/${ids[2]}`, { method: 'DELETE' });
    const inc = await pullAll({ since, next: null }, 100);
    const records = inc.pages.flatMap((p) => p.records);
    expect(records.map((r) => r.id)).toEqual([ids[1], ids[2]]);
    expect(records[0]!.fields.name).toBe('Changed');
    expect(records[1]).toEqual({ id: ids[2], updatedAt: expect.any(String), deleted: true, fields: {} });
    expect((inc.cursor as SandboxCursor).since).toBe(records[1]!.updatedAt);
    expect(tasksAdapter.reportsDeletes).toBe(true);
  });

  it('a cursor the Sandbox does not know is sync_cursor_expired (the engine then pulls everything)', async () => {
    await expect(session.call((ctx) => tasksAdapter.listChanged(ctx, { cursor: { since: null, next: 'bm9wZQ' }, scope: {}, pageSize: 10 }))).rejects.toMatchObject({ code: 'sync_cursor_expired' });
    await expect(session.call((ctx) => tasksAdapter.listChanged(ctx, { cursor: 'garbage', scope: {}, pageSize: 10 }))).rejects.toMatchObject({ code: 'sync_cursor_expired' });
  });

  it('creates with the idempotency key (a retried create returns the same record), updates, gets and deletes', async () => {
    const create = () => session.call((ctx) => contactsAdapter.create(ctx, { first_name: 'Grace', last_name: 'Hopper', phone_number: '+1 555', created_at: 'ignored' }, { idempotencyKey: 'intent-42', scope: {} }));
    const a = await create();
    const b = await create();
    expect(b).toEqual(a);
    expect(a.fields).toMatchObject({ first_name: 'Grace', last_name: 'Hopper', phone_number: '+1 555' });
    expect(await sql(app.dbUrl, `select id from sandbox.contacts where account_id = $1 and last_name = 'Hopper'`, [accountId])).toHaveLength(1);

    const updated = await session.call((ctx) => contactsAdapter.update(ctx, a.id, { job_title: 'Rear Admiral' }, {}));
    expect(updated.fields.job_title).toBe('Rear Admiral');
    expect(Date.parse(updated.updatedAt)).toBeGreaterThan(Date.parse(a.updatedAt));
    expect((await session.call((ctx) => contactsAdapter.get(ctx, a.id, {})))!.fields.job_title).toBe('Rear Admiral');

    await session.call((ctx) => contactsAdapter.delete(ctx, a.id, {}));
    await session.call((ctx) => contactsAdapter.delete(ctx, a.id, {})); // already deleted: fine
    expect(await session.call((ctx) => contactsAdapter.get(ctx, a.id, {}))).toMatchObject({ id: a.id, deleted: true });
    expect(await session.call((ctx) => contactsAdapter.get(ctx, 'con_00000000000000000000', {}))).toBeNull();
  });

  it('a throttled Sandbox is a rate_limited error carrying its Retry-After', async () => {
    await throttleAccount(app.pb.rt.db.pool, accountId, 2);
    try {
      await expect(session.call((ctx) => tasksAdapter.listChanged(ctx, { cursor: null, scope: {}, pageSize: 10 }), { pauseOnRateLimit: false })).rejects.toMatchObject({
        code: 'rate_limited',
      });
    } finally {
      await throttleAccount(app.pb.rt.db.pool, accountId, 0);
    }
  });
});
