/**
 * Remote deletes under each policy (found by mark-and-sweep: the fake's feed reports no deletes),
 * sweeping only after a complete full pull, an expired cursor, and one change flowing to a second
 * connection's `out` rule but never back to its source.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startFeedServer, type FeedServer } from '../fakes/feed-provider.ts';
import { sql } from '../helpers/sql.ts';
import { addRule, FEED_MAPPING, runRule, startFeedEnv, type FeedEnv } from './support.ts';

vi.mock('../../src/providers/registry.ts', async (orig) => (await import('../fakes/registry.ts')).withTestProviders(await orig()));

let e: FeedEnv;
let feed2: FeedServer;
beforeAll(async () => {
  feed2 = await startFeedServer();
  e = await startFeedEnv({ PROVIDER_FEEDFAKE2_BASE_URL: feed2.url });
}, 60_000);
afterAll(async () => {
  await e?.close();
  await feed2?.close();
});

const task = async (id: string) =>
  (await sql<{ title: string; deleted_at: Date | null; removed_remotely_at: Date | null }>(e.app.dbUrl, 'select title, deleted_at, removed_remotely_at from tasks where id = $1', [id]))[0]!;
const localIdOf = async (ruleId: string, remoteId: string) =>
  (await sql<{ local_id: string }>(e.app.dbUrl, 'select local_id from sync_links where rule_id = $1 and remote_id = $2', [ruleId, remoteId]))[0]!.local_id;
/** The next run reconciles in full, as it does every SYNC_RECONCILE_HOURS. */
const reconcileDue = (ruleId: string) => sql(e.app.dbUrl, 'update sync_rules set last_full_pull_at = null where id = $1', [ruleId]);

describe('remote deletes', () => {
  for (const policy of ['mark', 'propagate', 'ignore'] as const) {
    it(`policy ${policy}: a record that vanished from the provider is found by the full reconciliation`, async () => {
      const ruleId = await addRule(e, { deletePolicy: policy });
      const keep = e.feed.add({ title: `Keep ${policy}` });
      const gone = e.feed.add({ title: `Gone ${policy}` });
      expect(await runRule(e, ruleId)).toMatchObject({ status: 'succeeded' });
      const goneLocal = await localIdOf(ruleId, gone.id);
      const keepLocal = await localIdOf(ruleId, keep.id);
      e.feed.remove(gone.id);
      // An incremental run cannot see a delete in this feed.
      expect(await runRule(e, ruleId)).toMatchObject({ status: 'succeeded', deleted: 0 });
      await reconcileDue(ruleId);
      const run = await runRule(e, ruleId);
      expect(run).toMatchObject({ status: 'succeeded', mode: 'full', deleted: 1 });
      const t = await task(goneLocal);
      expect(t.deleted_at !== null).toBe(policy === 'propagate');
      expect(t.removed_remotely_at !== null).toBe(policy === 'mark');
      expect(await task(keepLocal)).toMatchObject({ deleted_at: null, removed_remotely_at: null });
      const deletedEvents = await sql(e.app.dbUrl, `select 1 from domain_events where type = 'task_deleted' and entity_id = $1`, [goneLocal]);
      expect(deletedEvents).toHaveLength(policy === 'propagate' ? 1 : 0);
      // Whatever the policy, the record is not created again at the provider.
      const posts = e.feed.requests.filter((r) => r.method === 'POST').length;
      await runRule(e, ruleId);
      expect(e.feed.requests.filter((r) => r.method === 'POST').length).toBe(posts);
      await sql(e.app.dbUrl, 'delete from sync_rules where id = $1', [ruleId]);
    });
  }

  it('sweeps only after a successful full run: a full pull that fails midway deletes nothing', async () => {
    const ruleId = await addRule(e, { deletePolicy: 'propagate' });
    const gone = e.feed.add({ title: 'Sweep victim' });
    for (let i = 0; i < 6; i++) e.feed.add({ title: `Filler ${i}` });
    await runRule(e, ruleId);
    const goneLocal = await localIdOf(ruleId, gone.id);
    e.feed.remove(gone.id);
    await reconcileDue(ruleId);
    // The second page of the full pull fails.
    e.feed.failNext(1, { status: 400, body: { error: 'bad page' } }, (m, p) => m === 'GET' && p === '/items' && e.feed.requests.at(-1)!.path.includes('offset=5'));
    const failed = await runRule(e, ruleId);
    expect(failed).toMatchObject({ status: 'failed', error_code: 'provider_error', deleted: 0 });
    expect((await task(goneLocal)).deleted_at).toBeNull();
    const ok = await runRule(e, ruleId);
    expect(ok).toMatchObject({ status: 'succeeded', mode: 'full', deleted: 1 });
    expect((await task(goneLocal)).deleted_at).not.toBeNull();
    await sql(e.app.dbUrl, 'delete from sync_rules where id = $1', [ruleId]);
  });
});

describe('cursors and fan-out', () => {
  it('an expired cursor falls back to a full resync that duplicates nothing', async () => {
    const ruleId = await addRule(e);
    e.feed.add({ title: 'Before expiry' });
    await runRule(e, ruleId);
    const links = async () => (await sql<{ n: number }>(e.app.dbUrl, 'select count(*)::int as n from sync_links where rule_id = $1', [ruleId]))[0]!.n;
    const before = await links();
    e.feed.expireBefore = '9999-01-01T00:00:00.000Z';
    const run = await runRule(e, ruleId);
    e.feed.expireBefore = null;
    expect(run).toMatchObject({ status: 'succeeded', mode: 'full', linked: 0 });
    expect(run.warnings.join(' ')).toContain('no longer accepts the sync cursor — starting a full resync');
    expect(await links()).toBe(before);
    await sql(e.app.dbUrl, 'delete from sync_rules where id = $1', [ruleId]);
  });

  it("a pulled change flows to another connection's out rule, but never back to its source", async () => {
    const res = await e.app.fetch('/api/v1/connections', { method: 'POST', json: { provider: 'feedfake2', displayName: 'Feed two', credentials: { apiKey: 'feed-key' } } });
    expect(res.status).toBe(201);
    const conn2 = ((await res.json()) as any).connection.id;
    const inRule = await addRule(e);
    const outRule = await addRule(e, { connectionId: conn2, direction: 'out', mapping: FEED_MAPPING });
    const item = e.feed.add({ title: 'Fan-out source' });
    await runRule(e, inRule);
    const pushedOut = await runRule(e, outRule);
    expect(pushedOut).toMatchObject({ status: 'succeeded', pulled: 0 });
    expect([...feed2.items.values()].map((i) => i.title)).toContain('Fan-out source');

    e.feed.edit(item.id, { title: 'Fan-out source, renamed at source' });
    const writesToSource = () => e.feed.requests.filter((r) => r.method !== 'GET').length;
    const w0 = writesToSource();
    expect(await runRule(e, inRule)).toMatchObject({ status: 'succeeded', pulled: 1, pushed: 0 });
    expect(writesToSource()).toBe(w0);
    expect(await runRule(e, outRule)).toMatchObject({ status: 'succeeded', pushed: 1 });
    expect([...feed2.items.values()].map((i) => i.title)).toContain('Fan-out source, renamed at source');
  });
});
