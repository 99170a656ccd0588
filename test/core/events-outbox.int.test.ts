import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.ts';
import { eventCatalog, type EventType } from '../../src/events/catalog/index.ts';
import { recordEvent, type EventInput } from '../../src/events/record.ts';
import { defineSubscriber, type Subscriber } from '../../src/events/subscribers.ts';
import { startWorkers, type Workers } from '../../src/jobs/runner.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { eventually, sql } from '../helpers/sql.ts';

let app: TestApp;
let workers: Workers | undefined;
let workspaceId: string;

type Batch = { sub: string; types: string[]; ids: number[]; committed: boolean };
const batches: Batch[] = [];
let failOnce = true;

/** Records each batch it is handed; 'flaky' fails its first batch, after handling part of it. */
const recorder = (name: string): Subscriber => ({
  name,
  types: '*',
  async handle(events) {
    const ids = events.map((e) => e.id);
    // The events are visible from another connection: the subscriber runs after commit.
    const rows = await sql(app.dbUrl, 'select 1 from domain_events where id = any($1::bigint[])', [ids]);
    if (name === 'flaky' && failOnce) {
      failOnce = false;
      throw new Error('flaky subscriber fails once');
    }
    batches.push({ sub: name, types: events.map((e) => e.type), ids, committed: rows.length === events.length });
  },
});

/** Typed by the catalog: a connection_paused subscriber reads `data.pausedBy` and the snapshot with no casts. */
const pausedSeen: Array<{ pausedBy: 'member' | 'rate_limit'; pausedUntil: string | null; status: string; displayName: string }> = [];
const pausedOnly = defineSubscriber({
  name: 'paused-only',
  types: ['connection_paused'],
  async handle(events) {
    for (const e of events) pausedSeen.push({ pausedBy: e.data.pausedBy, pausedUntil: e.data.pausedUntil, status: e.snapshot.status, displayName: e.snapshot.displayName });
  },
});

beforeAll(async () => {
  app = await startTestApp({ workers: false });
  app.pb.rt.subscribers.push(recorder('steady'), recorder('flaky'), pausedOnly);
  workspaceId = (await sql<{ id: string }>(app.dbUrl, `select id from workspaces where slug = 'default'`))[0]!.id;
});
afterAll(async () => {
  await workers?.stop();
  await app.close();
});

const base = eventCatalog.connection_paused.example.snapshot;
const snap = (entityId: string, overrides: Partial<typeof base> = {}) => ({ ...base, id: entityId, ...overrides });
const connectionId = randomUUID();
const emit = {
  connected: (id = connectionId): EventInput<'connection_connected'> => ({ workspaceId, type: 'connection_connected', entityId: id, snapshot: snap(id, { status: 'connected', pausedBy: null, pausedUntil: null }), data: { previousStatus: null } }),
  paused: (id = connectionId): EventInput<'connection_paused'> => ({
    workspaceId,
    type: 'connection_paused',
    entityId: id,
    snapshot: snap(id, { status: 'paused', pausedBy: 'member', pausedUntil: null, displayName: 'Linear (paused)' }),
    data: { previousStatus: 'connected', pausedBy: 'member', reason: 'Paused by Ada.' },
  }),
  renamed: (id: string, n: number): EventInput<'connection_renamed'> => ({ workspaceId, type: 'connection_renamed', entityId: id, snapshot: snap(id, { displayName: `Linear ${n}` }), data: { previousDisplayName: `Linear ${n - 1}` } }),
};
const deliveries = async (txid: string) =>
  await sql<{ subscriber: string; event_count: number }>(app.dbUrl, 'select subscriber, event_count from event_deliveries where txid = $1 order by subscriber', [txid]);

describe('domain-event outbox', () => {
  it('refuses to record an event outside a transaction (it could outlive a rolled-back change)', async () => {
    await expect(recordEvent(app.pb.rt.em(), emit.connected())).rejects.toThrow(/inside em.transactional/);
  });

  it('refuses an event that does not match its schema with event_invalid, and writes nothing', async () => {
    const refused: AppError[] = [];
    const attempt = async (fn: () => Promise<unknown>) => {
      try {
        await fn();
      } catch (err) {
        refused.push(err as AppError);
      }
    };
    await app.pb.rt.em().transactional(async (tx) => {
      // The caller catches and commits: still nothing may have been written.
      await attempt(() => recordEvent(tx, { ...emit.paused(), data: { previousStatus: 'connected', pausedBy: 'nobody' as 'member', reason: 'x' } }));
      await attempt(() => recordEvent(tx, { ...emit.paused(), snapshot: { ...emit.paused().snapshot, pausedUntil: 'tomorrow' } }));
      // @ts-expect-error an undeclared type does not compile either
      await attempt(() => recordEvent(tx, { workspaceId, type: 'thing_happened', entityId: 'x', snapshot: {}, data: {} }));
    });
    expect(refused).toHaveLength(3);
    for (const err of refused) {
      expect(err).toBeInstanceOf(AppError);
      expect(err.code).toBe('event_invalid');
      expect(err.status).toBe(500);
    }
    expect(refused[0]!.details).toMatchObject({ type: 'connection_paused', issues: [{ path: 'data.pausedBy' }] });
    expect(refused[1]!.details).toMatchObject({ type: 'connection_paused', issues: [{ path: 'snapshot.pausedUntil' }] });
    expect(refused[2]!.message).toMatch(/Unknown event type 'thing_happened'/);
    expect(await sql(app.dbUrl, 'select 1 from domain_events')).toHaveLength(0);
    expect(await sql(app.dbUrl, 'select 1 from graphile_worker.jobs')).toHaveLength(0);
  });

  it('queues one dispatcher job per transaction, none for a rolled-back one', async () => {
    await app.pb.rt.em().transactional(async (tx) => {
      await recordEvent(tx, emit.connected());
      await recordEvent(tx, emit.paused());
      await recordEvent(tx, { workspaceId, type: 'connection_resumed', entityId: connectionId, snapshot: snap(connectionId, { status: 'connected', pausedBy: null, pausedUntil: null }), data: { previousStatus: 'paused', previousPausedBy: 'member', resumedEarly: false } });
    });
    await expect(
      app.pb.rt.em().transactional(async (tx) => {
        await recordEvent(tx, emit.renamed(connectionId, 1));
        throw new Error('the change fails');
      }),
    ).rejects.toThrow('the change fails');
    const jobs = await sql<{ task_identifier: string }>(app.dbUrl, 'select task_identifier from graphile_worker.jobs');
    expect(jobs.map((j) => j.task_identifier)).toEqual(['dispatch_events']);
    expect(await sql(app.dbUrl, `select 1 from domain_events where type = 'connection_renamed'`)).toHaveLength(0);
    // What is stored is the parsed event: defaults filled in, catalog version recorded.
    const [paused] = await sql<{ version: number; data: Record<string, unknown> }>(app.dbUrl, `select version, data from domain_events where type = 'connection_paused'`);
    expect(paused).toEqual({ version: 1, data: { previousStatus: 'connected', pausedBy: 'member', pausedUntil: null, reason: 'Paused by Ada.' } });
  });

  it('hands a transaction’s events to each subscriber as one ordered batch after commit; a failing subscriber is retried without re-delivering to the others', async () => {
    workers = await startWorkers(app.pb.rt, { crontab: false });
    await eventually(async () => batches.some((b) => b.sub === 'flaky'), 20_000);
    const types = ['connection_connected', 'connection_paused', 'connection_resumed'];
    expect(batches.filter((b) => b.sub === 'steady').map((b) => b.types)).toEqual([types]);
    expect(batches.filter((b) => b.sub === 'flaky').map((b) => b.types)).toEqual([types]);
    expect(batches.every((b) => b.committed)).toBe(true);
    // Typed subscriber: only its type, parsed.
    expect(pausedSeen).toEqual([{ pausedBy: 'member', pausedUntil: null, status: 'paused', displayName: 'Linear (paused)' }]);
    const [{ txid }] = (await sql<{ txid: string }>(app.dbUrl, `select distinct txid::text as txid from domain_events`)) as [{ txid: string }];
    await eventually(async () => (await deliveries(txid)).length === 5);
    expect(await deliveries(txid)).toEqual([
      { subscriber: 'alerts', event_count: 3 },
      { subscriber: 'flaky', event_count: 3 },
      { subscriber: 'paused-only', event_count: 1 },
      { subscriber: 'steady', event_count: 3 },
      { subscriber: 'webhooks', event_count: 3 },
    ]);
    expect(app.logs.some((l) => l.includes('event subscriber failed; will retry') && l.includes('"subscriber":"flaky"'))).toBe(true);
  });

  it('pages through typed events with GET /api/v1/events', async () => {
    const first = await app.json(`/api/v1/events?limit=2&entityId=${connectionId}`);
    expect(first.data.map((e: { type: string }) => e.type)).toEqual(['connection_resumed', 'connection_paused']);
    expect(first.data[0]).toMatchObject({
      type: 'connection_resumed',
      version: 1,
      entityType: 'connection',
      entityId: connectionId,
      snapshot: { id: connectionId, status: 'connected' },
      data: { previousStatus: 'paused', previousPausedBy: 'member', resumedEarly: false },
      triggeredBy: { via: 'system' },
    });
    const second = await app.json(`/api/v1/events?limit=2&entityId=${connectionId}&cursor=${first.nextCursor}`);
    expect(second.data.map((e: { type: string }) => e.type)).toEqual(['connection_connected']);
    expect(second.data[0].data).toEqual({ previousStatus: null, reconnected: false, recovered: false, chatContext: null });
    expect(second.nextCursor).toBeNull();
  });

  it('delivers a 500-change transaction as one batch per subscriber, in order, with one delivery row each', async () => {
    const ids = Array.from({ length: 100 }, () => randomUUID());
    const inputs: Array<EventInput<EventType>> = [];
    for (let n = 0; n < 500; n++) inputs.push(n % 5 === 4 ? emit.paused(ids[n % 100]) : emit.renamed(ids[n % 100]!, n));
    const before = batches.length;
    await app.pb.rt.em().transactional(async (tx) => {
      for (const input of inputs) await recordEvent(tx, input);
    });
    await eventually(async () => batches.filter((b) => b.sub === 'steady').length === 2 && batches.filter((b) => b.sub === 'flaky').length === 2, 30_000);
    const big = batches.slice(before);
    for (const sub of ['steady', 'flaky']) {
      const mine = big.filter((b) => b.sub === sub);
      expect(mine).toHaveLength(1);
      expect(mine[0]!.types).toEqual(inputs.map((i) => i.type));
      expect(mine[0]!.ids).toEqual([...mine[0]!.ids].sort((a, b) => a - b));
    }
    // Subscribers are independent: the paused-only one may finish after the two above.
    await eventually(async () => pausedSeen.length >= 1 + 100, 30_000);
    expect(pausedSeen).toHaveLength(1 + 100);
    const [{ txid }] = (await sql<{ txid: string }>(app.dbUrl, `select txid::text as txid from domain_events order by id desc limit 1`)) as [{ txid: string }];
    await eventually(async () => (await deliveries(txid)).length === 5);
    expect(await deliveries(txid)).toEqual([
      { subscriber: 'alerts', event_count: 100 },
      { subscriber: 'flaky', event_count: 500 },
      { subscriber: 'paused-only', event_count: 100 },
      { subscriber: 'steady', event_count: 500 },
      { subscriber: 'webhooks', event_count: 500 },
    ]);
    expect(await sql(app.dbUrl, 'select 1 from event_deliveries')).toHaveLength(10);
  });
});
