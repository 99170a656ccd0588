/**
 * Issue 9, API side: per-token and per-address limits answer 429 rate_limited with Retry-After,
 * counted in PostgreSQL, with the address taken from X-Forwarded-For only from trusted proxies.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorBody, startTestApp, type TestApp } from '../helpers/app.ts';
import { memberWithToken } from '../helpers/members.ts';
import { sql } from '../helpers/sql.ts';

let app: TestApp;

beforeAll(async () => {
  // Tests reach the server from 127.0.0.1, a trusted proxy by default: each test picks its client address.
  app = await startTestApp({ env: { API_RATE_LIMIT_PER_TOKEN: '5', API_RATE_LIMIT_PER_IP: '8', API_RATE_LIMIT_WINDOW_SECONDS: '600' } });
});
afterAll(async () => {
  await app.close();
});

let n = 0;
const from = (ip?: string) => ({ 'x-forwarded-for': ip ?? `10.9.0.${++n}` });

describe('API rate limits', () => {
  it('per token: the 6th request with one token gets 429 with Retry-After; other tokens are unaffected; audited once with a count', async () => {
    const { token, member } = await memberWithToken(app, 'admin');
    for (let i = 0; i < 5; i++) expect((await app.fetch('/api/v1/workspace', { token, headers: from() })).status).toBe(200);
    const refused: Response[] = [];
    for (let i = 0; i < 3; i++) refused.push(await app.fetch('/api/v1/workspace', { token, headers: from() }));
    for (const res of refused) {
      expect(res.status).toBe(429);
      const retryAfter = Number(res.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(600);
      const err = await errorBody(res);
      expect(err).toMatchObject({ code: 'rate_limited', message: expect.stringMatching(/with this API token: at most 5 every 600 s/), details: { scope: 'token', limit: 5 } });
    }
    // The Owner's token has its own budget.
    expect((await app.fetch('/api/v1/workspace', { headers: from() })).status).toBe(200);

    const audits = await sql<{ actor_member_id: string; via: string; details: Record<string, unknown> }>(
      app.dbUrl,
      `select actor_member_id, via, details from audit_logs where action = 'api.rate_limited'`,
    );
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({ actor_member_id: member.id, via: 'api', details: { reason: 'rate_limited', scope: 'token', count: 3 } });
    expect(JSON.stringify(audits)).not.toContain(token);
    const keys = await sql<{ key: string }>(app.dbUrl, `select key from rate_limit_counters where key like 'api:token:%'`);
    expect(keys.map((k) => k.key).join()).not.toContain(token.slice(3));
  });

  it('per address: random tokens from one address get 429 after 8 requests; another address still gets 401', async () => {
    const ip = '203.0.113.7';
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      const res = await app.fetch('/api/v1/workspace', { token: `pb_random${i}${'x'.repeat(30)}`, headers: from(ip) });
      statuses.push(res.status);
      if (res.status === 429) {
        expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
        expect(await errorBody(res)).toMatchObject({ code: 'rate_limited', details: { scope: 'ip', limit: 8 } });
      }
    }
    expect(statuses).toEqual([...Array(8).fill(401), 429, 429, 429]);
    expect((await app.fetch('/api/v1/workspace', { token: 'pb_random-elsewhere-xxxxxxxxxxxxxxxxxxxx', headers: from() })).status).toBe(401);
    // Unauthenticated and valid requests from that address are refused alike.
    expect((await app.fetch('/api/v1/workspace', { headers: from(ip) })).status).toBe(429);
    const [row] = await sql<{ count: number }>(app.dbUrl, `select count from rate_limit_counters where key = $1`, [`api:ip:${ip}`]);
    expect(row!.count).toBe(12);
    // Made-up tokens belong to no workspace: nothing is audited for them, the log says it once.
    expect(await sql(app.dbUrl, `select 1 from audit_logs where action = 'api.rate_limited' and details->>'scope' = 'ip'`)).toHaveLength(0);
    expect(app.logs.filter((l) => l.includes('API rate limit reached (ip)'))).toHaveLength(1);
  });

  it('does not limit health, readiness or metrics', async () => {
    for (let i = 0; i < 10; i++) expect((await fetch(`${app.url}/healthz`, { headers: from('203.0.113.7') })).status).toBe(200);
  });
});

describe('TRUST_PROXY', () => {
  it('with false, X-Forwarded-For is ignored: the socket address is the client', async () => {
    const other = await startTestApp({ env: { TRUST_PROXY: 'false', API_RATE_LIMIT_PER_IP: '3', API_RATE_LIMIT_PER_TOKEN: '0' } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await other.fetch('/api/v1/workspace', { headers: from() })).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
      expect(await sql(other.dbUrl, `select key from rate_limit_counters`)).toEqual([{ key: 'api:ip:127.0.0.1' }]);
    } finally {
      await other.close();
    }
  });
});
