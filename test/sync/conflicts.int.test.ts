/** Three-way field decisions: merge without conflict, last write wins, and the 5-minute grace window. */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { sql } from '../helpers/sql.ts';
import { addRule, runRule, startFeedEnv, tasksOf, type FeedEnv } from './support.ts';

vi.mock('../../src/providers/registry.ts', async (orig) => (await import('../fakes/registry.ts')).withTestProviders(await orig()));

let e: FeedEnv;
let ruleId: string;
let remoteId: string;
let localId: string;

beforeAll(async () => {
  e = await startFeedEnv();
  ruleId = await addRule(e);
}, 60_000);
afterAll(async () => e?.close());

beforeEach(async () => {
  // One freshly synced pair per test.
  const item = e.feed.add({ title: `Pair ${Math.random().toString(36).slice(2, 8)}`, dueDate: '2026-12-01' });
  remoteId = item.id;
  await runRule(e, ruleId);
  const [link] = await sql<{ local_id: string }>(e.app.dbUrl, 'select local_id from sync_links where rule_id = $1 and remote_id = $2', [ruleId, remoteId]);
  localId = link!.local_id;
});

const localTask = async () => (await sql<{ title: string; due_date: string; status: string }>(e.app.dbUrl, 'select title, due_date::text, status from tasks where id = $1', [localId]))[0]!;
const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();
const conflictEvents = () => sql<{ data: any }>(e.app.dbUrl, `select data from domain_events where type = 'sync_conflict' and data->>'localId' = $1`, [localId]);

describe('field-level conflicts', () => {
  it('different fields changed on the two sides are merged: no conflict, both changes on both sides', async () => {
    await e.app.fetch(`/api/v1/tasks/${localId}`, { method: 'PATCH', json: { dueDate: '2026-12-31' } });
    e.feed.edit(remoteId, { title: 'Renamed remotely' });
    const run = await runRule(e, ruleId);
    expect(run).toMatchObject({ status: 'succeeded', merged: 1, conflicts: 0, pushed: 1 });
    expect(await localTask()).toMatchObject({ title: 'Renamed remotely', due_date: '2026-12-31' });
    expect(e.feed.items.get(remoteId)).toMatchObject({ title: 'Renamed remotely', dueDate: '2026-12-31' });
    expect(await conflictEvents()).toEqual([]);
  });

  it('the same field changed on both sides within the grace window: the later write wins and a conflict is recorded with both values', async () => {
    await e.app.fetch(`/api/v1/tasks/${localId}`, { method: 'PATCH', json: { title: 'Local title' } });
    e.feed.edit(remoteId, { title: 'Remote title' }); // later than the local write
    const run = await runRule(e, ruleId);
    expect(run).toMatchObject({ status: 'succeeded', conflicts: 1 });
    expect(run.conflict_details[0]).toMatchObject({ field: 'title', localValue: 'Local title', remoteValue: 'Remote title', winner: 'remote' });
    expect((await localTask()).title).toBe('Remote title');
    expect(e.feed.items.get(remoteId)!.title).toBe('Remote title');
    const events = await conflictEvents();
    expect(events).toHaveLength(1);
    expect(events[0]!.data).toMatchObject({ field: 'title', winner: 'remote', localValue: 'Local title', remoteValue: 'Remote title', remoteId });
  });

  it('within the window, a later local write wins: it is pushed, and the conflict is still reported', async () => {
    e.feed.edit(remoteId, { title: 'Remote first' });
    await e.app.fetch(`/api/v1/tasks/${localId}`, { method: 'PATCH', json: { title: 'Local later' } });
    const run = await runRule(e, ruleId);
    expect(run).toMatchObject({ status: 'succeeded', conflicts: 1, pushed: 1 });
    expect(run.conflict_details[0]).toMatchObject({ field: 'title', winner: 'local' });
    expect(e.feed.items.get(remoteId)!.title).toBe('Local later');
    expect((await localTask()).title).toBe('Local later');
  });

  it('outside the grace window the later write wins silently: no conflict warning', async () => {
    await e.app.fetch(`/api/v1/tasks/${localId}`, { method: 'PATCH', json: { title: 'Local long ago' } });
    // The local write happened ten minutes before the remote one.
    await sql(e.app.dbUrl, `update tasks set updated_at = $2 where id = $1`, [localId, minutesAgo(10)]);
    e.feed.edit(remoteId, { title: 'Remote now' });
    const run = await runRule(e, ruleId);
    expect(run).toMatchObject({ status: 'succeeded', conflicts: 0, pushed: 0 });
    expect((await localTask()).title).toBe('Remote now');
    expect(e.feed.items.get(remoteId)!.title).toBe('Remote now');
    expect(await conflictEvents()).toEqual([]);
  });

  it('the same value written on both sides is no conflict', async () => {
    await e.app.fetch(`/api/v1/tasks/${localId}`, { method: 'PATCH', json: { status: 'done' } });
    e.feed.edit(remoteId, { status: 'done' });
    const run = await runRule(e, ruleId);
    expect(run).toMatchObject({ status: 'succeeded', conflicts: 0 });
    expect((await tasksOf(e)).find((t) => t.id === localId)?.status).toBe('done');
  });
});
