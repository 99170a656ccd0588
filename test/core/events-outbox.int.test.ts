import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IDomainEvent } from '../../src/entities/domain-event.ts';
import { recordEvent } from '../../src/events/record.ts';
import type { Subscriber } from '../../src/events/subscribers.ts';
import { startWorkers, type Workers } from '../../src/jobs/runner.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { eventually, sql } from '../helpers/sql.ts';

let app: TestApp;
let workers: Workers | undefined;
let workspaceId: string;
const seen: Array<{ sub: string; type: string; committed: boolean }> = [];
let failOnce = true;

const recorder = (name: string): Subscriber => ({
  name,
  types: '*',
  async handle(event: IDomainEvent) {
    // The change is visible from another connection: the subscriber runs after commit.
    const rows = await sql(app.dbUrl, 'select 1 from domain_events where id = $1', [event.id]);
    if (name === 'flaky' && event.type === 'thing_two' && failOnce) {
      failOnce = false;
      throw new Error('flaky subscriber fails once');
    }
    seen.push({ sub: name, type: event.type, committed: rows.length === 1 });
  },
});

beforeAll(async () => {
  app = await startTestApp({ workers: false });
  app.pb.rt.subscribers.push(recorder('steady'), recorder('flaky'));
  workspaceId = (await sql<{ id: string }>(app.dbUrl, `select id from workspaces where slug = 'default'`))[0]!.id;
});
afterAll(async () => {
  await workers?.stop();
  await app.close();
});

const emit = (type: string, entityId = 'e1') => ({ workspaceId, type, entityType: 'thing', entityId, snapshot: { id: entityId } });

describe('domain-event outbox', () => {
  it('refuses to record an event outside a transaction (it could outlive a rolled-back change)', async () => {
    await expect(recordEvent(app.pb.rt.em(), emit('thing_orphan'))).rejects.toThrow(/inside em.transactional/);
  });

  it('queues one dispatcher job per transaction, none for a rolled-back one', async () => {
    await app.pb.rt.em().transactional(async (tx) => {
      await recordEvent(tx, emit('thing_one'));
      await recordEvent(tx, emit('thing_two'));
      await recordEvent(tx, emit('thing_three'));
    });
    await expect(
      app.pb.rt.em().transactional(async (tx) => {
        await recordEvent(tx, emit('thing_rolled_back'));
        throw new Error('the change fails');
      }),
    ).rejects.toThrow('the change fails');
    const jobs = await sql<{ task_identifier: string }>(app.dbUrl, 'select task_identifier from graphile_worker.jobs');
    expect(jobs.map((j) => j.task_identifier)).toEqual(['dispatch_events']);
    expect(await sql(app.dbUrl, `select 1 from domain_events where type = 'thing_rolled_back'`)).toHaveLength(0);
  });

  it('hands the events to every subscriber in order after commit; a failing subscriber is retried without re-delivering to the others', async () => {
    workers = await startWorkers(app.pb.rt, { crontab: false });
    await eventually(async () => seen.filter((s) => s.sub === 'flaky').length === 3, 20_000);
    expect(seen.filter((s) => s.sub === 'steady').map((s) => s.type)).toEqual(['thing_one', 'thing_two', 'thing_three']);
    expect(seen.filter((s) => s.sub === 'flaky').map((s) => s.type)).toEqual(['thing_one', 'thing_two', 'thing_three']);
    expect(seen.every((s) => s.committed)).toBe(true);
    expect(seen.some((s) => s.type === 'thing_rolled_back')).toBe(false);
    const deliveries = await sql<{ n: string }>(app.dbUrl, 'select count(*)::text as n from event_deliveries');
    expect(deliveries[0]!.n).toBe('6');
  });

  it('pages through events with GET /api/v1/events', async () => {
    const first = await app.json('/api/v1/events?limit=2');
    expect(first.data.map((e: { type: string }) => e.type)).toEqual(['thing_three', 'thing_two']);
    expect(first.data[0]).toMatchObject({ entityType: 'thing', snapshot: { id: 'e1' }, triggeredBy: { via: 'system' } });
    const second = await app.json(`/api/v1/events?limit=2&cursor=${first.nextCursor}`);
    expect(second.data.map((e: { type: string }) => e.type)).toEqual(['thing_one']);
    expect(second.nextCursor).toBeNull();
  });
});
