import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REFUSAL_WINDOW_SECONDS } from '../../src/audit/refusals.ts';
import { errorBody, startTestApp, type TestApp } from '../helpers/app.ts';
import { memberWithToken } from '../helpers/members.ts';
import { sql } from '../helpers/sql.ts';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app.close();
});

type Row = { id: string; action: string; actor_member_id: string; correlation_id: string; count: number | null; last_at: string | null; reason: string };
const refused = (memberId: string) =>
  sql<Row>(
    app.dbUrl,
    `select id, action, actor_member_id, correlation_id, (details->>'count')::int as count, details->>'lastAt' as last_at, details->>'reason' as reason
       from audit_logs where outcome = 'refused' and actor_member_id = $1 order by id`,
    [memberId],
  );

/** Windows are fixed on the database clock: start a burst early in one, so it cannot straddle two. */
async function awaitFreshWindow(): Promise<void> {
  const [{ left }] = (await sql<{ left: number }>(app.dbUrl, `select $1::int - mod(extract(epoch from now())::numeric, $1::int)::float8 as left`, [REFUSAL_WINDOW_SECONDS])) as [{ left: number }];
  if (left < 10) await new Promise((r) => setTimeout(r, left * 1000 + 200));
}

describe('repeated identical refusals are audited once per window with a count', () => {
  it('50 identical forbidden API requests from one Member: all refused, one refused entry counting 50; another action gets its own', async () => {
    const { member, token } = await memberWithToken(app, 'member');
    await awaitFreshWindow();
    // Concurrent, as a flood is: the count must not lose any.
    const responses = await Promise.all(Array.from({ length: 50 }, () => app.fetch('/api/v1/tokens', { token })));
    expect(responses.map((r) => r.status)).toEqual(Array(50).fill(403));
    const correlationIds = await Promise.all(responses.map(async (r) => (await errorBody(r)).correlationId));

    const rows = await refused(member.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ action: 'tokens.read', reason: 'forbidden', count: 50, last_at: expect.any(String) });
    // The entry is the first refusal's, with that request's correlation id.
    expect(correlationIds).toContain(rows[0]!.correlation_id);

    const pause = await app.fetch('/api/v1/connections/6f1c1a43-1111-4111-8111-111111111111/pause', { method: 'POST', token });
    expect(pause.status).toBe(403);
    const after = await refused(member.id);
    expect(after).toHaveLength(2);
    expect(after[0]).toMatchObject({ action: 'tokens.read', count: 50 });
    expect(after[1]).toMatchObject({ action: 'connections.pause', count: 1, last_at: null, correlation_id: (await errorBody(pause)).correlationId });
  });

  it('the same refusal by another member is theirs, not counted on the first', async () => {
    const a = await memberWithToken(app, 'member');
    const b = await memberWithToken(app, 'member');
    await awaitFreshWindow();
    for (const t of [a.token, a.token, b.token]) expect((await app.fetch('/api/v1/tokens', { token: t })).status).toBe(403);
    expect((await refused(a.member.id)).map((r) => r.count)).toEqual([2]);
    expect((await refused(b.member.id)).map((r) => r.count)).toEqual([1]);
  });
});
