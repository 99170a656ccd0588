import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, startTestApp, type TestApp } from '../helpers/app.ts';
import { eventually, sql } from '../helpers/sql.ts';

const KEY = 'lin_api_RateLimitKey000000000';
let app: TestApp;

beforeAll(async () => {
  app = await startTestApp({ workers: true });
});
afterAll(async () => {
  await app.close();
});

async function connect(displayName: string): Promise<string> {
  nock('https://api.linear.app').post('/graphql').reply(200, { data: { viewer: { id: 'u1', name: 'Ada', email: 'ada@example.com' } } });
  const res = await app.fetch('/api/v1/connections', { method: 'POST', json: { provider: 'linear', displayName, credentials: { apiKey: KEY } } });
  expect(res.status).toBe(201);
  return ((await json(res)) as { connection: { id: string } }).connection.id;
}

describe('provider rate limits pause a connection until the wait passes', () => {
  it('pauses on 429 Retry-After and a job resumes it at pausedUntil', async () => {
    const id = await connect('Linear RL');
    nock('https://api.linear.app').post('/graphql').reply(429, 'Too Many Requests', { 'Retry-After': '2' });
    const started = Date.now();
    const res = await app.json(`/api/v1/connections/${id}/test`, { method: 'POST' });
    expect(res).toMatchObject({ ok: false, error: { code: 'rate_limited' }, connection: { status: 'paused', pausedBy: 'rate_limit' } });
    const until = new Date(res.connection.pausedUntil).getTime();
    expect(until - started).toBeGreaterThanOrEqual(1500);
    expect(until - started).toBeLessThan(5000);

    const resumed = await eventually(async () => {
      const [row] = await sql<{ status: string }>(app.dbUrl, 'select status from connections where id = $1', [id]);
      return row!.status === 'connected' ? row : undefined;
    }, 20_000);
    expect(resumed.status).toBe('connected');
    expect(Date.now()).toBeGreaterThanOrEqual(until - 50);
    const logs = await sql<{ message: string }>(app.dbUrl, 'select message from connection_logs where connection_id = $1 order by id', [id]);
    expect(logs.map((l) => l.message)).toEqual(
      expect.arrayContaining([expect.stringMatching(/rate limit until/), expect.stringMatching(/^Resumed/)]),
    );
    const types = await sql<{ type: string; via: string }>(app.dbUrl, 'select type, via from domain_events where entity_id = $1 order by id', [id]);
    expect(types.map((t) => t.type)).toEqual(['connection_connected', 'connection_paused', 'connection_resumed']);
  });

  it('honours Retry-After: 120 — paused for 120 s, with its resume job scheduled for exactly then', async () => {
    const id = await connect('Linear RL 120');
    nock('https://api.linear.app').post('/graphql').reply(429, 'Too Many Requests', { 'Retry-After': '120' });
    const res = await app.json(`/api/v1/connections/${id}/test`, { method: 'POST' });
    expect(res.error.code).toBe('rate_limited');
    const until = new Date(res.connection.pausedUntil).getTime();
    expect(Math.abs(until - (Date.now() + 120_000))).toBeLessThan(3_000);
    const [job] = await sql<{ run_at: Date; key: string }>(app.dbUrl, `select run_at, key from graphile_worker.jobs where task_identifier = 'resume_connection' and key = $1`, [`resume_connection:${id}`]);
    expect(Math.abs(job!.run_at.getTime() - until)).toBeLessThan(1_000);
    // Let the two minutes pass: move the window and its job to now.
    await sql(app.dbUrl, `update connections set paused_until = now() - interval '1 second' where id = $1`, [id]);
    await sql(app.dbUrl, `update graphile_worker._private_jobs set run_at = now() where key = $1`, [`resume_connection:${id}`]);
    await eventually(async () => (await sql<{ status: string }>(app.dbUrl, 'select status from connections where id = $1', [id]))[0]!.status === 'connected', 15_000);
  });

  it('recognises Linear’s HTTP 400 RATELIMITED and allows an early manual resume with a warning', async () => {
    const id = await connect('Linear RL 2');
    nock('https://api.linear.app')
      .post('/graphql')
      .reply(400, { errors: [{ message: 'Rate limit exceeded', extensions: { code: 'RATELIMITED' } }] }, { 'X-RateLimit-Requests-Reset': String(Date.now() + 3_600_000) });
    const res = await app.json(`/api/v1/connections/${id}/test`, { method: 'POST' });
    expect(res.connection).toMatchObject({ status: 'paused', pausedBy: 'rate_limit' });
    expect(new Date(res.connection.pausedUntil).getTime() - Date.now()).toBeGreaterThan(3_000_000);
    const resume = await app.fetch(`/api/v1/connections/${id}/resume`, { method: 'POST' });
    expect(resume.status).toBe(200);
    const body = await json(resume);
    expect(body.connection.status).toBe('connected');
    expect(body.warning).toMatch(/rate limit.*still applies/);
  });
});
