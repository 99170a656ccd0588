/** The engine against the fake feed: full and incremental pulls, pushes, links, no echoes. */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { sql } from '../helpers/sql.ts';
import { addRule, linksOf, runRule, startFeedEnv, tasksOf, type FeedEnv } from './support.ts';

vi.mock('../../src/providers/registry.ts', async (orig) => (await import('../fakes/registry.ts')).withTestProviders(await orig()));

let e: FeedEnv;
beforeAll(async () => {
  e = await startFeedEnv();
}, 60_000);
afterAll(async () => e?.close());

describe('pull and push', () => {
  it('a first full pull imports every remote record over several pages, links each once, and records one sync_completed instead of per-record events', async () => {
    for (let i = 1; i <= 12; i++) e.feed.add({ title: `Remote ${String(i).padStart(2, '0')}`, dueDate: '2026-12-0' + ((i % 9) + 1) });
    const ruleId = await addRule(e);
    const run = await runRule(e, ruleId);
    expect(run).toMatchObject({ status: 'succeeded', mode: 'full', pulled: 12, linked: 12, pushed: 0, errors: 0 });
    const tasks = await tasksOf(e);
    expect(tasks.map((t) => t.title)).toEqual(Array.from({ length: 12 }, (_, i) => `Remote ${String(i + 1).padStart(2, '0')}`));
    expect(tasks[0]!.due_date).toBe('2026-12-02');
    const links = await linksOf(e, ruleId);
    expect(new Set(links.map((l) => l.remote_id)).size).toBe(12);
    const events = await sql<{ type: string; n: number }>(e.app.dbUrl, `select type, count(*)::int as n from domain_events where workspace_id = $1 and type in ('task_added', 'sync_completed') group by type`, [e.workspaceId]);
    expect(events).toEqual([{ type: 'sync_completed', n: 1 }]);
    const [log] = await sql<{ message: string }>(e.app.dbUrl, `select message from connection_logs where connection_id = $1 and kind = 'sync' order by id desc limit 1`, [e.connectionId]);
    expect(log!.message).toContain('12 pulled, 0 pushed');

    // Incremental: only the changed record is applied, with its own event and origin.
    const changed = [...e.feed.items.values()].find((i) => i.title === 'Remote 03')!;
    e.feed.edit(changed.id, { title: 'Remote 03 (renamed)', status: 'done' });
    const before = e.feed.requests.length;
    const second = await runRule(e, ruleId);
    expect(second).toMatchObject({ status: 'succeeded', mode: 'incremental', pulled: 1, pushed: 0, linked: 0 });
    expect((await tasksOf(e)).find((t) => t.title === 'Remote 03 (renamed)')?.status).toBe('done');
    // One feed page (the overlap record skipped) and no writes back to the provider.
    const calls = e.feed.requests.slice(before);
    expect(calls.filter((c) => c.method !== 'GET')).toEqual([]);
    const updated = await sql<{ type: string; data: any; via: string }>(e.app.dbUrl, `select type, data, via from domain_events where workspace_id = $1 and type in ('task_updated', 'task_status_changed') order by id`, [e.workspaceId]);
    expect(updated.map((u) => u.type)).toEqual(['task_updated', 'task_status_changed']);
    expect(updated[0]!.data).toMatchObject({ changedFields: ['title', 'status'], origin: { connectionId: e.connectionId, syncRuleId: ruleId } });
    expect(updated[0]!.via).toBe('sync');
  });

  it('pushes local creates and updates, and never pushes a pulled change back to its source', async () => {
    const ruleId = (await sql<{ id: string }>(e.app.dbUrl, 'select id from sync_rules where connection_id = $1', [e.connectionId]))[0]!.id;
    const created = await e.app.json('/api/v1/tasks', { method: 'POST', json: { title: 'Written here', dueDate: '2026-12-24' } });
    const run = await runRule(e, ruleId);
    expect(run).toMatchObject({ status: 'succeeded', pushed: 1, linked: 1, pulled: 0 });
    const remote = [...e.feed.items.values()].find((i) => i.title === 'Written here');
    expect(remote).toMatchObject({ dueDate: '2026-12-24', status: 'open' });
    expect((await linksOf(e, ruleId)).find((l) => l.local_id === created.id)?.remote_id).toBe(remote!.id);

    await e.app.fetch(`/api/v1/tasks/${created.id}`, { method: 'PATCH', json: { title: 'Written here, edited' } });
    const patches = () => e.feed.requests.filter((r) => r.method === 'PATCH').length;
    const p0 = patches();
    const upd = await runRule(e, ruleId);
    expect(upd).toMatchObject({ status: 'succeeded', pushed: 1 });
    expect(patches()).toBe(p0 + 1);
    expect(e.feed.items.get(remote!.id)!.title).toBe('Written here, edited');

    // The next run pulls back its own write (remote updated_at moved) but pushes nothing.
    const quiet = await runRule(e, ruleId);
    expect(quiet).toMatchObject({ status: 'succeeded', pushed: 0 });
    expect(patches()).toBe(p0 + 1);
  });
});
