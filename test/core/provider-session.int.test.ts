/**
 * Provider sessions on their own — no lifecycle service: what a sync engine or a webhook
 * registration sees when it calls a provider for a connection. Real HTTP to a fake OAuth
 * provider (rotating refresh tokens, 401 on a revoked access token), real Postgres.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openSession } from '../../src/connections/provider-session.ts';
import { AppError } from '../../src/errors.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { sql } from '../helpers/sql.ts';
import { linearEnvFor, startFakeOAuthServer, type FakeOAuthServer } from '../fakes/oauth-server.ts';

let app: TestApp;
let fake: FakeOAuthServer;
let n = 0;

beforeAll(async () => {
  fake = await startFakeOAuthServer();
  app = await startTestApp({ env: linearEnvFor(fake) });
});
afterAll(async () => {
  await app.close();
  await fake.close();
});
beforeEach(() => {
  fake.failRefresh = false;
  fake.tokenRequests.length = 0;
});

/** Connects Linear through the real OAuth dance; returns the connection's ids. */
async function connectOAuth(): Promise<{ id: string; workspaceId: string }> {
  const started = await app.json('/api/v1/connections/oauth', { method: 'POST', json: { provider: 'linear', displayName: `Linear session ${++n}` } });
  const consent = await fetch(started.authorizeUrl, { redirect: 'manual' });
  const back = new URL(consent.headers.get('location')!);
  expect((await app.fetch(`/oauth/callback?${back.searchParams}`, { token: null })).status).toBe(200);
  const [row] = await sql<{ id: string; workspace_id: string }>(app.dbUrl, 'select id, workspace_id from connections order by created_at desc limit 1');
  fake.tokenRequests.length = 0;
  return { id: row!.id, workspaceId: row!.workspace_id };
}

const status = async (id: string) =>
  (await sql<{ status: string; status_reason: string | null; paused_by: string | null }>(app.dbUrl, 'select status, status_reason, paused_by from connections where id = $1', [id]))[0]!;
const eventTypes = async (id: string) => (await sql<{ type: string }>(app.dbUrl, 'select type from domain_events where entity_id = $1 order by id', [id])).map((e) => e.type);
const logKinds = async (id: string) =>
  (await sql<{ kind: string; message: string }>(app.dbUrl, 'select kind, message from connection_logs where connection_id = $1 order by id', [id])).map((l) => `${l.kind}: ${l.message}`);

describe('provider sessions', () => {
  it('refreshes a token that is about to expire before calling, and stores the rotated one', async () => {
    const { id, workspaceId } = await connectOAuth();
    // A one-hour token issued 59 minutes ago (refresh timing follows the token's lifetime).
    await sql(app.dbUrl, `update connections set token_expires_at = now() + interval '1 minute', token_refreshed_at = now() - interval '59 minutes' where id = $1`, [id]);
    const session = await openSession(app.pb.rt, workspaceId, id);
    const account = await session.call((ctx) => session.provider.connector.test(ctx));
    expect(account.accountName).toBe('Octo Admin');
    expect(fake.tokenRequests).toEqual(['refresh_token']);
    const [row] = await sql<{ token_expires_at: Date }>(app.dbUrl, 'select token_expires_at from connections where id = $1', [id]);
    expect(row!.token_expires_at.getTime()).toBeGreaterThan(Date.now() + 3_000_000);
    expect(await logKinds(id)).toContain('refresh: Access token refreshed (expiring).');
  });

  it('retries exactly once after a 401, with a refreshed token', async () => {
    const { id, workspaceId } = await connectOAuth();
    fake.revokeAllAccess(); // the provider now answers 401 to the stored access token
    const session = await openSession(app.pb.rt, workspaceId, id);
    let calls = 0;
    const account = await session.call(async (ctx) => {
      calls++;
      return await session.provider.connector.test(ctx);
    });
    expect(account.accountName).toBe('Octo Admin');
    expect(calls).toBe(2);
    expect(fake.tokenRequests).toEqual(['refresh_token']);
    expect((await status(id)).status).toBe('connected');
  });

  it('pauses the connection on a rate limit, through the lifecycle writer, and rethrows', async () => {
    const { id, workspaceId } = await connectOAuth();
    const session = await openSession(app.pb.rt, workspaceId, id);
    const err = await session
      .call(async () => {
        throw new AppError('rate_limited', 'Linear asked to wait', { retryAfterSeconds: 90 });
      })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'rate_limited' });
    expect(await status(id)).toMatchObject({ status: 'paused', paused_by: 'rate_limit' });
    expect(await eventTypes(id)).toEqual(['connection_connected', 'connection_paused']);
    const [audit] = await sql<{ action: string; via: string; details: { by: string } }>(
      app.dbUrl,
      `select action, via, details from audit_logs where target_id = $1 and action = 'connection.pause'`,
      [id],
    );
    expect(audit).toMatchObject({ action: 'connection.pause', via: 'system', details: { by: 'provider call' } });
    const [job] = await sql<{ run_at: Date }>(app.dbUrl, `select run_at from graphile_worker.jobs where key = $1`, [`resume_connection:${id}`]);
    expect(Math.abs(job!.run_at.getTime() - (Date.now() + 90_000))).toBeLessThan(5_000);
  });

  it('errors the connection when the grant is gone (401, then the refresh is refused)', async () => {
    const { id, workspaceId } = await connectOAuth();
    fake.revokeAllAccess();
    fake.failRefresh = true;
    const session = await openSession(app.pb.rt, workspaceId, id);
    let calls = 0;
    const err = await session
      .call(async (ctx) => {
        calls++;
        return await session.provider.connector.test(ctx);
      })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'provider_auth_failed' });
    expect(calls).toBe(1); // no retry without a fresh token
    expect(await status(id)).toMatchObject({ status: 'errored', status_reason: 'Authorization revoked — Reconnect.' });
    expect(await eventTypes(id)).toEqual(['connection_connected', 'connection_errored']);
    const logs = await logKinds(id);
    expect(logs.some((l) => l.startsWith('refresh: Token refresh failed'))).toBe(true);
    expect(logs).toContain('status: Errored: Authorization revoked — Reconnect.');
  });

  it('refuses a connection of another workspace', async () => {
    const { id } = await connectOAuth();
    await expect(openSession(app.pb.rt, '00000000-0000-4000-8000-000000000000', id)).rejects.toMatchObject({ code: 'not_found' });
  });
});
