/**
 * Shared by the GitHub, Linear, Jira, Twilio and Trello webhook tests: the real app over HTTP
 * (PUBLIC_URL https://patchbay.example.test, as providers would call it), one connection per
 * provider created through the API against nock fakes, and what a delivery left in Postgres.
 * Signatures are computed here from each provider's documented scheme, never with Patchbay's code.
 */
import { createHmac } from 'node:crypto';
import nock from 'nock';
import { expect } from 'vitest';
import { sql } from '../helpers/sql.ts';
import { PUBLIC_URL, startE2E, type E2E } from '../providers-e2e/support.ts';

export { PUBLIC_URL };

export const GITHUB = { clientId: 'Iv1.8a61f9b3a7aba766', clientSecret: 'gh-client-secret-1234567890abcdef', token: 'gho_16C7e42F292c6912E7710c838347Ae178B4a' };
export const JIRA = { clientId: 'Xa1b2C3d4E5f6G7h8I9j0KlMnOpQrStU', clientSecret: 'ATOAjira-client-secret-0123456789abcdef', cloud: '1324a887-45db-1bf4-1e99-ef0ff456d421' };
export const LINEAR_KEY = 'lin_api_8fK2pQ7vN3xR9sT1wY5zB0cD4eG6hJ8k';
export const TWILIO = { sid: 'AC0123456789abcdef0123456789abcdef', authToken: 'twilio-auth-token-5f4dcc3b5aa765d61d83' };
export const TRELLO = { key: '0123456789abcdef0123456789abcdef', token: 'ATTA-trello-user-token-1234567890', appSecret: 'a9f3c2e1b8d7f6e5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1' };

export const hmacOf = (alg: 'sha1' | 'sha256', key: string, data: string, enc: 'hex' | 'base64') => createHmac(alg, key).update(data).digest(enc);

export type Env = { e2e: E2E; ids: Record<'github' | 'linear' | 'jira' | 'twilio' | 'trello', string>; workspaceId: string };

/** Connects GitHub or Jira through the OAuth flow against nock (the providers-e2e harness). */
export async function oauthConnect(e2e: E2E, provider: 'github' | 'jira'): Promise<string> {
  const { params } = await e2e.startOAuth({ provider });
  if (provider === 'github') {
    nock('https://github.com').post('/login/oauth/access_token').reply(200, { access_token: GITHUB.token, scope: 'repo', token_type: 'bearer' });
    nock('https://api.github.com').get('/user').reply(200, { login: 'octocat', id: 1 });
  } else {
    nock('https://auth.atlassian.com').post('/oauth/token').reply(200, { access_token: 'jira-access', refresh_token: 'jira-refresh', expires_in: 3600, scope: 'read:jira-user offline_access read:jira-work write:jira-work', token_type: 'Bearer' });
    nock('https://api.atlassian.com')
      .get('/oauth/token/accessible-resources')
      .reply(200, [{ id: JIRA.cloud, name: 'your-domain', url: 'https://your-domain.atlassian.net', scopes: ['read:jira-user'] }])
      .get(`/ex/jira/${JIRA.cloud}/rest/api/3/myself`)
      .reply(200, { accountId: '5b10a2844c20165700ede21g', displayName: 'Mia Krystof' });
  }
  const page = await e2e.callback({ code: `${provider}-code`, state: params.state! });
  expect(page.status, page.html).toBe(200);
  return (await e2e.rows(provider))[0]!.id;
}

async function credentialsConnect(e2e: E2E, provider: string, credentials: Record<string, string>): Promise<string> {
  const res = await e2e.call('/api/v1/connections', { method: 'POST', json: { provider, credentials } });
  expect(res.status, res.text).toBe(201);
  return res.body.connection.id as string;
}

/** The app with a connection to each of the five providers. */
export async function startSchemesEnv(): Promise<Env> {
  const e2e = await startE2E({
    PROVIDER_GITHUB_CLIENT_ID: GITHUB.clientId,
    PROVIDER_GITHUB_CLIENT_SECRET: GITHUB.clientSecret,
    PROVIDER_JIRA_CLIENT_ID: JIRA.clientId,
    PROVIDER_JIRA_CLIENT_SECRET: JIRA.clientSecret,
  });
  const github = await oauthConnect(e2e, 'github');
  const jira = await oauthConnect(e2e, 'jira');
  nock('https://api.linear.app').post('/graphql').reply(200, { data: { viewer: { id: 'lin-user-1', name: 'Ada Lovelace', email: 'ada@example.com' } } });
  const linear = await credentialsConnect(e2e, 'linear', { apiKey: LINEAR_KEY });
  nock('https://api.twilio.com').get(`/2010-04-01/Accounts/${TWILIO.sid}.json`).reply(200, { sid: TWILIO.sid, friendly_name: 'Acme', status: 'active', type: 'Full' });
  const twilio = await credentialsConnect(e2e, 'twilio', { accountSid: TWILIO.sid, authToken: TWILIO.authToken });
  nock('https://api.trello.com').get('/1/members/me').query(true).reply(200, { id: '5abbe4b7ddc1b351ef961414', username: 'bobloblaw', fullName: 'Bob Loblaw' });
  const trello = await credentialsConnect(e2e, 'trello', { apiKey: TRELLO.key, token: TRELLO.token, appSecret: TRELLO.appSecret });
  const [ws] = await sql<{ workspace_id: string }>(e2e.app.dbUrl, 'select workspace_id from connections where id = $1', [github]);
  return { e2e, ids: { github, linear, jira, twilio, trello }, workspaceId: ws!.workspace_id };
}

/** A registration row as Patchbay's registration leaves it (the secret vault-encrypted). */
export async function insertRegistration(env: Env, provider: 'github' | 'linear', resource: string, secret: string): Promise<string> {
  const [row] = await sql<{ id: string }>(
    env.e2e.app.dbUrl,
    `insert into provider_webhooks (id, workspace_id, connection_id, provider_slug, resource, remote_id, secret, origin, status, created_at, updated_at)
     values (gen_random_uuid(), $1, $2, $3, $4, 'remote-1', $5, 'registered', 'active', now(), now()) returning id`,
    [env.workspaceId, env.ids[provider], provider, resource, env.e2e.app.pb.rt.vault.encrypt(secret)],
  );
  return row!.id;
}

/** POSTs a delivery as the provider would (no API token). */
export async function deliver(env: Env, path: string, body: string, headers: Record<string, string>, method = 'POST'): Promise<{ status: number; body: any }> {
  const res = await env.e2e.app.fetch(path, { method, token: null, headers, ...(method === 'HEAD' ? {} : { body }) });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, body: parsed };
}

export type ReceiptRow = { delivery_id: string; kind: string; object: string | null; remote_id: string | null; processed_at: Date | null };

export const receipts = (env: Env, provider: keyof Env['ids'], deliveryId?: string) =>
  sql<ReceiptRow>(
    env.e2e.app.dbUrl,
    `select delivery_id, kind, object, remote_id, processed_at from inbound_receipts where source = $1 and connection_id = $2 and ($3::text is null or delivery_id = $3) order by received_at`,
    [`webhook:${provider}`, env.ids[provider], deliveryId ?? null],
  );

export async function applyJobs(env: Env, provider: keyof Env['ids']): Promise<number> {
  const rows = await sql<{ n: string }>(env.e2e.app.dbUrl, `select count(*) as n from graphile_worker.jobs where task_identifier = 'inbound_apply' and key = $1`, [`inbound_apply:${env.ids[provider]}`]);
  return Number(rows[0]!.n);
}
