/**
 * The chat hot path: once a user's team, workspace, identity and member are known, a command
 * reads none of them again — across commands, and even the Slack edge asks nothing twice. A
 * change committed by any process (a role changed with plain SQL here) is seen by the next command.
 */
import nock from 'nock';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json } from '../helpers/app.ts';
import { sql } from '../helpers/sql.ts';
import { OWNER, linkTeam, startSlackTest, textOf, type SlackTest, type SlackUser } from './support.ts';

const ADA: SlackUser = { id: 'U_ADA', name: 'ada', email: 'ada@acme.test' };

let t: SlackTest;
/** What a warm `list` sends to Postgres (see the first test). */
const WARM_LIST_STATEMENTS = 6;

/** Every SQL statement any pg client of this process sends while `fn` runs. */
async function queriesDuring(fn: () => Promise<unknown>): Promise<string[]> {
  const seen: string[] = [];
  const original = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const q = args[0] as string | { text?: string };
    seen.push(typeof q === 'string' ? q : (q?.text ?? '?'));
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof original;
  try {
    await fn();
  } finally {
    pg.Client.prototype.query = original;
  }
  return seen;
}

beforeAll(async () => {
  t = await startSlackTest();
  await linkTeam(t, OWNER);
  nock('https://api.linear.app').post('/graphql').reply(200, { data: { viewer: { id: 'lin-1', name: 'Ada Lovelace', email: 'ada@example.com' } } });
  const res = await t.app.fetch('/api/v1/connections', { method: 'POST', json: { provider: 'linear', displayName: 'Linear', credentials: { apiKey: 'lin_api_HotPathKey0000000000000' } } });
  expect(res.status).toBe(201);
  await json(res);
});
afterAll(async () => {
  await t?.close();
});

describe('chat hot path', () => {
  it('a warm `list` reads the cache version and the connections and writes the replay receipt — 6 statements in all — and calls no Slack API', async () => {
    // First contact (identity created, users.info read), then one that fills the cache after that write.
    const cold = await t.slash(ADA, 'list');
    expect(textOf(cold.body)).toContain('Connections (1)');
    await t.slash(ADA, 'list');
    const slackCalls = t.fake.calls.length;
    let warm: Awaited<ReturnType<SlackTest['slash']>> | undefined;
    const queries = await queriesDuring(async () => {
      warm = await t.slash(ADA, 'list');
    });
    expect(warm!.status).toBe(200);
    expect(textOf(warm!.body)).toContain('Connections (1)');
    // The trigger_id receipt is the price of refusing replays (ingress.ts), written in a short
    // transaction that does not wait for the WAL flush; nothing else about the user is read.
    expect(queries, queries.join('\n')).toEqual([
      'begin',
      'set local synchronous_commit to off',
      expect.stringMatching(/insert into inbound_receipts/),
      'commit',
      expect.stringMatching(/patchbay_chat_version/),
      expect.stringMatching(/from "connections"/),
    ]);
    expect(t.fake.calls.slice(slackCalls)).toEqual([]);
  });

  it('keeps the cache warm while other users make first contact, and right after a user’s own first command', async () => {
    const GRACE: SlackUser = { id: 'U_GRACE', name: 'grace', email: 'grace@acme.test' };
    const LIN: SlackUser = { id: 'U_LIN', name: 'lin', email: 'lin@acme.test' };
    await t.slash(ADA, 'list');
    // New identities and members are inserts: they cannot make a cached user stale.
    await t.slash(GRACE, 'list');
    let queries = await queriesDuring(() => t.slash(ADA, 'list'));
    expect(queries, queries.join('\n')).toHaveLength(WARM_LIST_STATEMENTS);
    // A first contact stores what users.info said; the user's next command is warm at once
    // (neither users.info nor a database read of the identity again).
    await t.slash(LIN, 'list');
    const slackCalls = t.fake.calls.length;
    queries = await queriesDuring(() => t.slash(LIN, 'list'));
    expect(queries, queries.join('\n')).toHaveLength(WARM_LIST_STATEMENTS);
    expect(t.fake.calls.slice(slackCalls)).toEqual([]);
  });

  it('sees a role changed by another process at the next command', async () => {
    const before = await t.slash(ADA, 'pause linear');
    expect(textOf(before.body)).toMatch(/needs the Admin role|Admin/);
    await sql(t.app.dbUrl, `update members set role = 'admin' where email = 'ada@acme.test'`);
    const after = await t.slash(ADA, 'pause linear');
    expect(after.status, textOf(after.body)).toBe(200);
    expect((await sql<{ status: string }>(t.app.dbUrl, `select status from connections`))[0]!.status).toBe('paused');
  });
});
