/** Shared by the engine tests: a connection to the fake feed, rules, runs and waiting for them. */
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'vitest';
import { SyncRule } from '../../src/entities/sync-rule.ts';
import { requestRun } from '../../src/sync/schedule.ts';
import type { MappingEntry } from '../../src/sync/types.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { sql } from '../helpers/sql.ts';
import { startFeedServer, type FeedServer } from '../fakes/feed-provider.ts';

export const FEED_MAPPING: MappingEntry[] = [
  { local: 'title', remote: 'title', direction: 'both' },
  { local: 'description', remote: 'description', direction: 'both' },
  { local: 'status', remote: 'status', direction: 'both' },
  { local: 'dueDate', remote: 'dueDate', direction: 'both' },
];

export type FeedEnv = { app: TestApp; feed: FeedServer; workspaceId: string; connectionId: string; close(): Promise<void> };

export async function startFeedEnv(env: Record<string, string> = {}, opts: { workers?: boolean } = {}): Promise<FeedEnv> {
  const feed = await startFeedServer();
  const app = await startTestApp({ workers: opts.workers ?? true, env: { PROVIDER_FEEDFAKE_BASE_URL: feed.url, SYNC_PAGE_SIZE: '5', ...env } });
  const res = await app.fetch('/api/v1/connections', { method: 'POST', json: { provider: 'feedfake', displayName: 'Feed', credentials: { apiKey: 'feed-key' } } });
  const body = (await res.json()) as any;
  expect(res.status, JSON.stringify(body)).toBe(201);
  return {
    app,
    feed,
    workspaceId: body.connection.workspaceId ?? (await sql<{ id: string }>(app.dbUrl, 'select workspace_id as id from connections where id = $1', [body.connection.id]))[0]!.id,
    connectionId: body.connection.id,
    async close() {
      await app.close();
      await feed.close();
    },
  };
}

/** A rule written straight to the table (disabled: runs only when a test asks), for the engine's own tests. */
export async function addRule(e: FeedEnv, over: Partial<{ direction: 'in' | 'out' | 'both'; deletePolicy: 'mark' | 'propagate' | 'ignore'; mapping: MappingEntry[]; connectionId: string }> = {}): Promise<string> {
  const em = e.app.pb.rt.em();
  const rule = em.create(SyncRule, {
    workspace: e.workspaceId,
    connection: over.connectionId ?? e.connectionId,
    localObject: 'tasks',
    remoteObject: 'tasks',
    direction: over.direction ?? 'both',
    deletePolicy: over.deletePolicy ?? 'mark',
    mapping: over.mapping ?? FEED_MAPPING,
    enabled: false,
    pullCursor: null,
  });
  await em.flush();
  return rule.id;
}

export type RunRow = { id: string; status: string; mode: string; pulled: number; pushed: number; merged: number; linked: number; conflicts: number; errors: number; deleted: number; jobs: number; error_code: string | null; error_message: string | null; conflict_details: any[]; record_errors: any[]; warnings: string[] };

/** Starts a run now and waits until it finished; returns its row. */
export async function runRule(e: FeedEnv, ruleId: string, timeoutMs = 20_000): Promise<RunRow> {
  const { run } = await requestRun(e.app.pb.rt.em(), e.workspaceId, ruleId, { trigger: 'manual' });
  return await waitForRun(e, run.id, timeoutMs);
}

export async function waitForRun(e: FeedEnv, runId: string, timeoutMs = 20_000): Promise<RunRow> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [row] = await sql<RunRow>(e.app.dbUrl, 'select * from sync_runs where id = $1', [runId]);
    if (row && (row.status === 'succeeded' || row.status === 'failed')) return row;
    if (Date.now() > deadline) throw new Error(`run ${runId} did not finish: ${JSON.stringify(row)}`);
    await sleep(50);
  }
}

export const tasksOf = (e: FeedEnv) =>
  sql<{ id: string; title: string; status: string; description: string | null; due_date: string | null; deleted_at: Date | null; removed_remotely_at: Date | null; scheduled_minutes: number | null }>(
    e.app.dbUrl,
    `select id, title, status, description, due_date::text, deleted_at, removed_remotely_at, scheduled_minutes from tasks where workspace_id = $1 order by title`,
    [e.workspaceId],
  );

export const linksOf = (e: FeedEnv, ruleId: string) =>
  sql<{ local_id: string; remote_id: string | null; snapshot: any }>(e.app.dbUrl, 'select local_id, remote_id, snapshot from sync_links where rule_id = $1', [ruleId]);

/** Another connection to the same fake feed (a fresh status for tests that error or pause one). */
export async function newConnection(e: FeedEnv, displayName: string): Promise<string> {
  const res = await e.app.fetch('/api/v1/connections', { method: 'POST', json: { provider: 'feedfake', displayName, credentials: { apiKey: 'feed-key' } } });
  const body = (await res.json()) as any;
  expect(res.status, JSON.stringify(body)).toBe(201);
  return body.connection.id;
}

export const connectionRow = async (e: FeedEnv, id: string) =>
  (await sql<{ status: string; status_reason: string | null; paused_by: string | null; paused_until: Date | null; consecutive_failures: number }>(
    e.app.dbUrl,
    'select status, status_reason, paused_by, paused_until, consecutive_failures from connections where id = $1',
    [id],
  ))[0]!;

type ApiRule = { connectionId: string; ruleId: string; token: string };

/** Waits for a connection's first run to finish (a new enabled rule runs at once), read through the API. */
export async function firstRunOf(app: TestApp, e: ApiRule): Promise<any> {
  for (let i = 0; i < 400; i++) {
    const runs = await app.json(`/api/v1/connections/${e.connectionId}/sync-runs`, { token: e.token });
    const first = runs.data?.[0];
    if (first && (first.status === 'succeeded' || first.status === 'failed')) return first;
    await sleep(50);
  }
  throw new Error("the rule's first run did not finish");
}

/** Runs a rule now (POST …/run, as `sync` in chat does) and waits for its run, as a user polling GET …/sync-runs/{id} would. */
export async function runNow(app: TestApp, e: ApiRule): Promise<any> {
  const res = await app.fetch(`/api/v1/connections/${e.connectionId}/rules/${e.ruleId}/run`, { method: 'POST', token: e.token });
  const { run } = (await res.json()) as any;
  expect(res.status).toBe(202);
  for (let i = 0; i < 400; i++) {
    const r = await app.json(`/api/v1/connections/${e.connectionId}/sync-runs/${run.id}`, { token: e.token });
    if (r.status === 'succeeded' || r.status === 'failed') return r;
    await sleep(50);
  }
  throw new Error('run did not finish');
}
