/** How runs fail: short and long rate limits, a rejected key, and five failed runs in a row. */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { sql } from '../helpers/sql.ts';
import { addRule, connectionRow, newConnection, runRule, startFeedEnv, type FeedEnv } from './support.ts';

vi.mock('../../src/providers/registry.ts', async (orig) => (await import('../fakes/registry.ts')).withTestProviders(await orig()));

let e: FeedEnv;
beforeAll(async () => {
  e = await startFeedEnv();
  e.feed.add({ title: 'Failure fodder' });
}, 60_000);
afterAll(async () => e?.close());

const feedGet = (m: string, p: string) => m === 'GET' && p === '/items';
const logsOf = (id: string) => sql<{ level: string; kind: string; message: string }>(e.app.dbUrl, 'select level, kind, message from connection_logs where connection_id = $1 order by id', [id]);

describe('failures', () => {
  it('429 with Retry-After: 2 is waited out inside the run, which then succeeds', async () => {
    const conn = await newConnection(e, 'Short limit');
    const ruleId = await addRule(e, { connectionId: conn });
    e.feed.failNext(1, { status: 429, headers: { 'retry-after': '2' } }, feedGet);
    const started = Date.now();
    const run = await runRule(e, ruleId);
    expect(run).toMatchObject({ status: 'succeeded', pulled: 1 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
    expect((await connectionRow(e, conn)).status).toBe('connected');
    expect((await logsOf(conn)).map((l) => l.message)).toContainEqual(expect.stringContaining('rate-limited the sync; waited 2 s inside the run'));
  });

  it('429 with Retry-After: 600 pauses the connection (one connection_paused event for alerts) and the resume job brings it back', async () => {
    const conn = await newConnection(e, 'Long limit');
    const ruleId = await addRule(e, { connectionId: conn });
    e.feed.failNext(1, { status: 429, headers: { 'retry-after': '600' } }, feedGet);
    const run = await runRule(e, ruleId);
    expect(run).toMatchObject({ status: 'failed', error_code: 'rate_limited' });
    const paused = await connectionRow(e, conn);
    expect(paused).toMatchObject({ status: 'paused', paused_by: 'rate_limit' });
    expect(paused.paused_until!.getTime() - Date.now()).toBeGreaterThan(590_000);
    const pausedEvents = await sql(e.app.dbUrl, `select 1 from domain_events where type = 'connection_paused' and entity_id = $1`, [conn]);
    expect(pausedEvents).toHaveLength(1);
    expect(await sql(e.app.dbUrl, `select 1 from sync_rules where id = $1 and consecutive_failures = 0`, [ruleId])).toHaveLength(1);
    // The window passes: the resume job (queued for pausedUntil) runs and the connection is back.
    await sql(e.app.dbUrl, `update graphile_worker._private_jobs set run_at = now() where key = $1`, [`resume_connection:${conn}`]);
    await sql(e.app.dbUrl, `update connections set paused_until = now() - interval '1 second' where id = $1`, [conn]);
    for (let i = 0; i < 100 && (await connectionRow(e, conn)).status !== 'connected'; i++) await sleep(50);
    expect((await connectionRow(e, conn)).status).toBe('connected');
    expect(await runRule(e, ruleId)).toMatchObject({ status: 'succeeded', pulled: 1 });
  });

  it('401 moves the connection to errored with the reason, and nothing is scheduled', async () => {
    const conn = await newConnection(e, 'Revoked key');
    const ruleId = await addRule(e, { connectionId: conn });
    e.feed.failNext(1, { status: 401, body: { error: 'key revoked' } }, feedGet);
    const run = await runRule(e, ruleId);
    expect(run).toMatchObject({ status: 'failed', error_code: 'provider_auth_failed' });
    const row = await connectionRow(e, conn);
    expect(row.status).toBe('errored');
    expect(row.status_reason).toMatch(/Authentication failed.*Reconnect/);
    expect((await logsOf(conn)).at(-1)).toMatchObject({ level: 'error', kind: 'sync' });
    expect(await sql(e.app.dbUrl, `select 1 from graphile_worker._private_jobs where key = $1`, [`sync_run:${ruleId}`])).toHaveLength(0);
  });

  it('five failed runs in a row move the connection to errored with the last error as the reason', async () => {
    const conn = await newConnection(e, 'Flaky');
    const ruleId = await addRule(e, { connectionId: conn });
    e.feed.failNext(5, { status: 400, body: { error: 'feed is broken' } }, feedGet);
    for (let i = 1; i <= 5; i++) {
      const run = await runRule(e, ruleId);
      expect(run).toMatchObject({ status: 'failed', error_code: 'provider_error' });
      expect((await connectionRow(e, conn)).status).toBe(i < 5 ? 'connected' : 'errored');
    }
    expect((await connectionRow(e, conn)).status_reason).toMatch(/^5 sync runs in a row failed; the last: Feed Fake answered HTTP 400/);
    const failed = (await logsOf(conn)).filter((l) => l.kind === 'sync' && l.level === 'error');
    expect(failed).toHaveLength(5);
    // An errored connection is not synced: a run asked for now fails without calling the provider.
    const before = e.feed.requests.length;
    expect(await runRule(e, ruleId)).toMatchObject({ status: 'failed' });
    expect(e.feed.requests.length).toBe(before);
  });
});

describe('/metrics', () => {
  it('counts runs by provider and outcome, records by direction, and conflicts — from Postgres, whatever process ran them', async () => {
    const totals = await sql<{ metric: string; value: string }>(e.app.dbUrl, `select metric, value::text from sync_totals where provider_slug = 'feedfake'`);
    const byMetric = Object.fromEntries(totals.map((t) => [t.metric, Number(t.value)]));
    // The runs of the tests above: some succeeded, some failed.
    expect(byMetric.runs_succeeded).toBeGreaterThan(0);
    expect(byMetric.runs_failed).toBeGreaterThanOrEqual(7);
    const text = await (await e.app.fetch('/metrics', { token: null })).text();
    expect(text).toContain(`patchbay_sync_runs_total{provider="feedfake",outcome="succeeded"} ${byMetric.runs_succeeded}`);
    expect(text).toContain(`patchbay_sync_runs_total{provider="feedfake",outcome="failed"} ${byMetric.runs_failed}`);
    expect(text).toContain(`patchbay_sync_records_total{provider="feedfake",direction="pulled"} ${byMetric.records_pulled}`);
    expect(text).toMatch(/# TYPE patchbay_sync_conflicts_total counter/);
  });
});
