import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refreshConnectionToken } from '../../src/connections/tokens.ts';
import { errorBody, startTestApp, type TestApp } from '../helpers/app.ts';
import { memberWithToken } from '../helpers/members.ts';
import { sql } from '../helpers/sql.ts';
import { linearEnvFor, startFakeOAuthServer, type FakeOAuthServer } from '../fakes/oauth-server.ts';

let app: TestApp;
let fake: FakeOAuthServer;

beforeAll(async () => {
  fake = await startFakeOAuthServer();
  app = await startTestApp({ env: linearEnvFor(fake) });
});
afterAll(async () => {
  await app.close();
  await fake.close();
});

/** Starts an authorization and follows the fake provider's consent redirect; returns the callback query. */
async function authorize(body: Record<string, unknown> = { provider: 'linear' }): Promise<URLSearchParams> {
  const started = await app.fetch('/api/v1/connections/oauth', { method: 'POST', json: body });
  expect(started.status).toBe(201);
  const { authorizeUrl } = await started.json() as { authorizeUrl: string };
  const consent = await fetch(authorizeUrl, { redirect: 'manual' });
  expect(consent.status).toBe(302);
  const back = new URL(consent.headers.get('location')!);
  expect(back.pathname).toBe('/oauth/callback');
  return back.searchParams;
}

const connectionsCount = async () => Number((await sql<{ n: string }>(app.dbUrl, 'select count(*)::text as n from connections'))[0]!.n);

describe('OAuth 2.0 authorization code flow over real HTTP', () => {
  let connectionId: string;

  it('authorize → callback → token (PKCE verified by the server) → API call creates the connection', async () => {
    const q = await authorize();
    const res = await app.fetch(`/oauth/callback?${q}`, { token: null });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('Linear is connected as Octo Admin');
    expect(html).not.toMatch(/<script|https?:\/\/(?!127)/); // self-contained page
    expect(fake.tokenRequests).toEqual(['authorization_code']);
    const [row] = await sql<{ id: string; auth_kind: string; status: string; credentials: string; metadata: { accountName: string; scopes: string[] }; token_expires_at: Date }>(
      app.dbUrl,
      `select id, auth_kind, status, credentials, metadata, token_expires_at from connections`,
    );
    expect(row).toMatchObject({ auth_kind: 'oauth2', status: 'connected', metadata: { accountName: 'Octo Admin', scopes: ['read', 'write'] } });
    expect(row!.credentials).not.toMatch(/at_|rt_/);
    expect(row!.token_expires_at.getTime()).toBeGreaterThan(Date.now() + 3_000_000);
    connectionId = row!.id;
    const [event] = await sql<{ type: string; via: string }>(app.dbUrl, `select type, via from domain_events where entity_id = $1`, [connectionId]);
    expect(event).toEqual({ type: 'connection_connected', via: 'api' });
    // A refresh job is scheduled ahead of expiry.
    const jobs = await sql<{ key: string; run_at: Date }>(app.dbUrl, `select key, run_at from graphile_worker.jobs where task_identifier = 'refresh_token'`);
    expect(jobs[0]!.key).toBe(`refresh_token:${connectionId}`);
    expect(jobs[0]!.run_at.getTime()).toBeLessThan(row!.token_expires_at.getTime());
  });

  it('refuses a replayed, a tampered and an expired state, changing nothing', async () => {
    const q = await authorize({ provider: 'linear', displayName: 'Linear two' });
    expect((await app.fetch(`/oauth/callback?${q}`, { token: null })).status).toBe(200);
    const before = await connectionsCount();
    const replay = await app.fetch(`/oauth/callback?${q}`, { token: null });
    expect(replay.status).toBe(400);
    expect(await replay.text()).toContain('already used');

    const q2 = await authorize({ provider: 'linear', displayName: 'Linear three' });
    const tampered = new URLSearchParams(q2);
    const [id, sig] = q2.get('state')!.split('.');
    tampered.set('state', `${id}x.${sig}`);
    const bad = await app.fetch(`/oauth/callback?${tampered}`, { token: null });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('not valid');

    await sql(app.dbUrl, `update oauth_states set expires_at = now() - interval '1 second' where id = $1`, [id]);
    const expired = await app.fetch(`/oauth/callback?${q2}`, { token: null });
    expect(expired.status).toBe(400);
    expect(await expired.text()).toContain('expired');
    expect(await connectionsCount()).toBe(before);
  });

  it('a denied authorization shows what happened and records the failure for the chat that asked', async () => {
    const q = await authorize({ provider: 'linear', displayName: 'Denied' });
    const denied = new URLSearchParams({ state: q.get('state')!, error: 'access_denied' });
    const res = await app.fetch(`/oauth/callback?${denied}`, { token: null });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('cancelled at Linear');
    const [ev] = await sql<{ type: string; data: { code: string } }>(app.dbUrl, `select type, data from domain_events where type = 'connection_authorization_failed'`);
    expect(ev!.data.code).toBe('access_denied');
  });

  it('refreshes a token close to expiry before the API call, with a rotating refresh token', async () => {
    // A one-hour token issued 59 minutes ago (refresh timing follows the token's lifetime).
    await sql(app.dbUrl, `update connections set token_expires_at = now() + interval '1 minute', token_refreshed_at = now() - interval '59 minutes' where id = $1`, [connectionId]);
    const res = await app.json(`/api/v1/connections/${connectionId}/test`, { method: 'POST' });
    expect(res).toMatchObject({ ok: true, account: { name: 'Octo Admin' } });
    expect(fake.tokenRequests.filter((g) => g === 'refresh_token')).toHaveLength(1);
    const logs = await sql<{ kind: string; message: string }>(app.dbUrl, `select kind, message from connection_logs where connection_id = $1 and kind = 'refresh'`, [connectionId]);
    expect(logs[0]!.message).toMatch(/Access token refreshed/);
  });

  it('the daily keep-alive queues a refresh for idle OAuth connections, which the refresh job performs', async () => {
    await sql(app.dbUrl, `update connections set token_refreshed_at = now() - interval '2 days' where id = $1`, [connectionId]);
    const { buildTaskList } = await import('../../src/jobs/runner.ts');
    const tasks = buildTaskList(app.pb.rt);
    const helpers = (name: string) => ({ job: { id: '1', attempts: 1, max_attempts: 1, task_identifier: name } }) as never;
    await tasks.refresh_idle_tokens!({}, helpers('refresh_idle_tokens'));
    const [job] = await sql<{ payload: { connectionId: string; reason: string } }>(app.dbUrl, `select payload from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id where t.identifier = 'refresh_token' and j.key = $1`, [`refresh_token:${connectionId}`]);
    expect(job!.payload).toMatchObject({ connectionId, reason: 'keepalive' });
    const before = fake.tokenRequests.length;
    await tasks.refresh_token!(job!.payload, helpers('refresh_token'));
    expect(fake.tokenRequests.slice(before)).toEqual(['refresh_token']);
    const [row] = await sql<{ token_refreshed_at: Date }>(app.dbUrl, 'select token_refreshed_at from connections where id = $1', [connectionId]);
    expect(Date.now() - row!.token_refreshed_at.getTime()).toBeLessThan(10_000);
  });

  it('two concurrent refreshes of one connection make one token request', async () => {
    const before = fake.tokenRequests.length;
    const ws = (await sql<{ workspace_id: string }>(app.dbUrl, 'select workspace_id from connections where id = $1', [connectionId]))[0]!.workspace_id;
    const [a, b] = await Promise.all([
      refreshConnectionToken(app.pb.rt, ws, connectionId, { reason: 'unauthorized', force: true }),
      refreshConnectionToken(app.pb.rt, ws, connectionId, { reason: 'unauthorized', force: true }),
    ]);
    expect(fake.tokenRequests.length - before).toBe(1);
    expect(a && b && a.type === 'oauth2' && b.type === 'oauth2' && a.accessToken === b.accessToken).toBe(true);
  });

  it('a 401 triggers one refresh; when that refresh fails the connection is errored with the reason logged', async () => {
    fake.revokeAllAccess();
    fake.failRefresh = true;
    const res = await app.json(`/api/v1/connections/${connectionId}/test`, { method: 'POST' });
    expect(res.ok).toBe(false);
    expect(res.connection).toMatchObject({ status: 'errored', statusReason: 'Authorization revoked — Reconnect.' });
    const logs = await sql<{ kind: string; level: string; message: string }>(app.dbUrl, `select kind, level, message from connection_logs where connection_id = $1 order by id`, [connectionId]);
    expect(logs.some((l) => l.kind === 'refresh' && l.level === 'error' && /invalid_grant|revoked/.test(l.message))).toBe(true);
    expect(logs.some((l) => l.kind === 'status' && l.message.includes('Authorization revoked'))).toBe(true);
    fake.failRefresh = false;
  });

  it('reconnect re-authorizes in place (same id) and disconnect revokes at the provider', async () => {
    const q = await authorize({ provider: 'linear', connectionId });
    const res = await app.fetch(`/oauth/callback?${q}`, { token: null });
    expect(await res.text()).toContain('Linear is reconnected as Octo Admin');
    const conn = await app.json(`/api/v1/connections/${connectionId}`);
    expect(conn).toMatchObject({ id: connectionId, status: 'connected', statusReason: null });
    const [{ credentials }] = (await sql<{ credentials: string }>(app.dbUrl, 'select credentials from connections where id = $1', [connectionId])) as [{ credentials: string }];
    const accessToken = app.pb.rt.vault.decrypt<{ accessToken: string }>(credentials).accessToken;
    const disc = await app.json(`/api/v1/connections/${connectionId}/disconnect`, { method: 'POST' });
    expect(disc).toMatchObject({ revoke: 'revoked', connection: { status: 'disconnected' } });
    expect(fake.revoked).toContain(accessToken);
  });

  it('names exactly what to set when a provider has no OAuth app, and refuses a Member', async () => {
    const res = await app.fetch('/api/v1/connections/oauth', { method: 'POST', json: { provider: 'github' } });
    expect(res.status).toBe(422);
    const err = await errorBody(res);
    expect(err.code).toBe('provider_not_configured');
    expect(err.message).toContain('PROVIDER_GITHUB_CLIENT_ID');
    expect(err.message).toContain('PROVIDER_GITHUB_CLIENT_SECRET');
    const { token } = await memberWithToken(app, 'member');
    const denied = await app.fetch('/api/v1/connections/oauth', { method: 'POST', token, json: { provider: 'linear' } });
    expect(denied.status).toBe(403);
  });

  it('keeps tokens and secrets out of logs and API bodies', async () => {
    const all = app.logs.join('\n') + JSON.stringify(await app.json('/api/v1/connections?includeDisconnected=true'));
    expect(all).not.toMatch(/\bat_[A-Za-z0-9_-]{10,}|\brt_[A-Za-z0-9_-]{10,}/);
    expect(all).not.toContain(fake.clientSecret);
  });
});
