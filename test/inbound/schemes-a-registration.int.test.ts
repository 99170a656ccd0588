/**
 * Registration at GitHub, Linear and Trello, called directly through a provider session against
 * nock fakes (no GitHub sync adapter exists yet to drive it from a rule), asserting exactly what
 * each provider received; and the admin-stored webhook secret API (Jira now, Stripe later).
 */
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSession } from '../../src/connections/provider-session.ts';
import { github } from '../../src/providers/github/index.ts';
import { linear } from '../../src/providers/linear/index.ts';
import { trello } from '../../src/providers/trello/index.ts';
import type { RegistrationInput } from '../../src/inbound/scheme.ts';
import { memberWithToken } from '../helpers/members.ts';
import { sql } from '../helpers/sql.ts';
import { received } from '../providers-e2e/support.ts';
import { GITHUB, LINEAR_KEY, PUBLIC_URL, startSchemesEnv, TRELLO, TWILIO, type Env } from './schemes-a-support.ts';

let env: Env;
beforeAll(async () => {
  env = await startSchemesEnv();
}, 60_000);
afterAll(async () => {
  await env?.e2e.close();
});

const REG = 'b2c4d6e8-1a3c-4e5f-8a7b-9c0d1e2f3a4b';
const input = (provider: string, resource: string): RegistrationInput => ({
  url: `${PUBLIC_URL}/webhooks/${provider}/${env.ids[provider as keyof Env['ids']]}/${REG}`,
  resource,
  registrationId: REG,
  secret: 'generated-secret-5e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b',
});
const session = (provider: keyof Env['ids']) => openSession(env.e2e.app.pb.rt, env.workspaceId, env.ids[provider]);

describe('GitHub repository hooks', () => {
  it('resourcesFor: the repository of an issues rule', () => {
    expect(github.webhooks!.resourcesFor!({ remoteObject: 'issues', scope: { repo: 'acme/api' } })).toEqual(['acme/api']);
    expect(github.webhooks!.resourcesFor!({ remoteObject: 'issues', scope: {} })).toEqual([]);
    expect(github.webhooks!.resourcesFor!({ remoteObject: 'issues', scope: { repo: '../../etc' } })).toEqual([]);
  });

  it('register: POST /repos/{owner}/{repo}/hooks with the URL, the secret, json and issues', async () => {
    const seen = received(nock('https://api.github.com').post('/repos/acme/api/hooks').reply(201, { id: 12345678, type: 'Repository', name: 'web', active: true, events: ['issues'] }));
    const r = await (await session('github')).call((ctx) => github.webhooks!.register!(ctx, input('github', 'acme/api')));
    expect(r).toEqual({ remoteId: '12345678' });
    expect(seen).toHaveLength(1);
    expect(seen[0]!.headers.get('authorization')).toBe(`Bearer ${GITHUB.token}`);
    expect(JSON.parse(seen[0]!.body)).toEqual({
      name: 'web',
      active: true,
      events: ['issues'],
      config: { url: input('github', 'acme/api').url, content_type: 'json', secret: 'generated-secret-5e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b', insecure_ssl: '0' },
    });
  });

  it('unregister: DELETE /repos/{owner}/{repo}/hooks/{id}; a hook already gone (404) is not an error', async () => {
    const seen = received(nock('https://api.github.com').delete('/repos/acme/api/hooks/12345678').reply(204).delete('/repos/acme/api/hooks/999').reply(404, { message: 'Not Found' }));
    const s = await session('github');
    await s.call((ctx) => github.webhooks!.unregister!(ctx, { remoteId: '12345678', resource: 'acme/api', secret: null }));
    await s.call((ctx) => github.webhooks!.unregister!(ctx, { remoteId: '999', resource: 'acme/api', secret: null }));
    expect(seen.map((r) => `${r.method} ${r.url.pathname}`)).toEqual(['DELETE /repos/acme/api/hooks/12345678', 'DELETE /repos/acme/api/hooks/999']);
  });
});

describe('Linear webhooks (GraphQL)', () => {
  it('resourcesFor: the team of an issues rule, else every public team', () => {
    expect(linear.webhooks!.resourcesFor!({ remoteObject: 'issues', scope: { team: 'ENG' } })).toEqual(['ENG']);
    expect(linear.webhooks!.resourcesFor!({ remoteObject: 'issues', scope: {} })).toEqual(['all-public-teams']);
  });

  it('register: webhookCreate with url, Issue, the team and the secret', async () => {
    const seen = received(
      nock('https://api.linear.app')
        .post('/graphql')
        .reply(200, { data: { webhookCreate: { success: true, webhook: { id: 'wh-9f8e7d6c', secret: 'generated-secret-5e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b' } } } }),
    );
    const r = await (await session('linear')).call((ctx) => linear.webhooks!.register!(ctx, input('linear', 'ENG')));
    expect(r).toEqual({ remoteId: 'wh-9f8e7d6c', secret: 'generated-secret-5e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b' });
    expect(seen[0]!.headers.get('authorization')).toBe(LINEAR_KEY);
    const body = JSON.parse(seen[0]!.body);
    expect(body.query).toMatch(/webhookCreate\(input: \$input\)/);
    expect(body.variables).toEqual({ input: { url: input('linear', 'ENG').url, resourceTypes: ['Issue'], secret: 'generated-secret-5e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b', label: 'Patchbay', teamId: 'ENG' } });
  });

  it('register for every public team: allPublicTeams; a refusal (not an admin) says so and leaves the connection connected', async () => {
    const seen = received(
      nock('https://api.linear.app')
        .post('/graphql')
        .reply(400, { errors: [{ message: 'Forbidden', extensions: { type: 'forbidden', userPresentableMessage: 'You need to be an admin to manage webhooks.' } }] }),
    );
    const err = await (await session('linear')).call((ctx) => linear.webhooks!.register!(ctx, input('linear', 'all-public-teams'))).catch((e: unknown) => e);
    // Not an auth failure of the key (that would mark the connection errored): syncing still works.
    expect(err).toMatchObject({ code: 'provider_error', message: expect.stringContaining('needs a Linear admin') });
    expect((await sql<{ status: string }>(env.e2e.app.dbUrl, 'select status from connections where id = $1', [env.ids.linear]))[0]!.status).toBe('connected');
    expect(JSON.parse(seen[0]!.body).variables.input).toMatchObject({ allPublicTeams: true });
    expect(JSON.parse(seen[0]!.body).variables.input.teamId).toBeUndefined();
  });

  it('unregister: webhookDelete(id)', async () => {
    const seen = received(nock('https://api.linear.app').post('/graphql').reply(200, { data: { webhookDelete: { success: true } } }));
    await (await session('linear')).call((ctx) => linear.webhooks!.unregister!(ctx, { remoteId: 'wh-9f8e7d6c', resource: 'ENG', secret: null }));
    const body = JSON.parse(seen[0]!.body);
    expect(body.query).toMatch(/webhookDelete\(id: \$id\)/);
    expect(body.variables).toEqual({ id: 'wh-9f8e7d6c' });
  });
});

describe('Trello webhooks', () => {
  const BOARD = '5a6b7c8d9e0f1a2b3c4d5e6f';

  it('resourcesFor: the board of a tasks rule', () => {
    expect(trello.webhooks!.resourcesFor!({ remoteObject: 'tasks', scope: { board: BOARD } })).toEqual([BOARD]);
    expect(trello.webhooks!.resourcesFor!({ remoteObject: 'tasks', scope: {} })).toEqual([]);
  });

  it('register: POST /1/webhooks {callbackURL, idModel, description} with key and token', async () => {
    const seen = received(nock('https://api.trello.com').post('/1/webhooks').query(true).reply(200, { id: '61f2a3b4c5d6e7f8a9b0c1d2', idModel: BOARD, active: true }));
    const r = await (await session('trello')).call((ctx) => trello.webhooks!.register!(ctx, input('trello', BOARD)));
    expect(r).toEqual({ remoteId: '61f2a3b4c5d6e7f8a9b0c1d2' });
    expect(Object.fromEntries(seen[0]!.url.searchParams)).toEqual({ key: TRELLO.key, token: TRELLO.token });
    expect(JSON.parse(seen[0]!.body)).toEqual({ callbackURL: input('trello', BOARD).url, idModel: BOARD, description: 'Patchbay realtime sync' });
  });

  it('unregister: DELETE /1/webhooks/{id}', async () => {
    const seen = received(nock('https://api.trello.com').delete('/1/webhooks/61f2a3b4c5d6e7f8a9b0c1d2').query(true).reply(200, {}));
    await (await session('trello')).call((ctx) => trello.webhooks!.unregister!(ctx, { remoteId: '61f2a3b4c5d6e7f8a9b0c1d2', resource: BOARD, secret: null }));
    expect(seen).toHaveLength(1);
  });

  it('register without the Power-Up secret: refused before calling Trello, saying what to add', async () => {
    nock('https://api.trello.com').get('/1/members/me').query(true).reply(200, { id: '5abbe4b7ddc1b351ef961415', username: 'nosecret', fullName: null });
    const res = await env.e2e.call('/api/v1/connections', { method: 'POST', json: { provider: 'trello', displayName: 'Trello (no secret)', credentials: { apiKey: TRELLO.key, token: TRELLO.token } } });
    expect(res.status, res.text).toBe(201);
    const s = await openSession(env.e2e.app.pb.rt, env.workspaceId, res.body.connection.id);
    const err = await s.call((ctx) => trello.webhooks!.register!(ctx, input('trello', BOARD))).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'provider_not_configured', message: expect.stringContaining('Secret') });
  });
});

describe('admin-stored webhook secrets API', () => {
  const SECRET = 'jira-admin-secret-Zx8Yw7Vu6Ts5Rq4P';

  it('PUT stores a Jira secret encrypted (204), never echoed; PUT again replaces it', async () => {
    const res = await env.e2e.call(`/api/v1/connections/${env.ids.jira}/webhook-secret`, { method: 'PUT', json: { secret: SECRET } });
    expect(res.status, res.text).toBe(204);
    expect(res.text).toBe('');
    const rows = await sql<{ origin: string; resource: string; status: string; secret: string }>(env.e2e.app.dbUrl, 'select origin, resource, status, secret from provider_webhooks where connection_id = $1', [env.ids.jira]);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ origin: 'admin', resource: 'admin', status: 'active' });
    expect(rows[0]!.secret).not.toContain(SECRET);
    expect(env.e2e.app.pb.rt.vault.decrypt(rows[0]!.secret)).toBe(SECRET);
    expect((await env.e2e.call(`/api/v1/connections/${env.ids.jira}/webhook-secret`, { method: 'PUT', json: { secret: `${SECRET}-2` } })).status).toBe(204);
    const after = await sql<{ secret: string }>(env.e2e.app.dbUrl, 'select secret from provider_webhooks where connection_id = $1', [env.ids.jira]);
    expect(after.map((r) => env.e2e.app.pb.rt.vault.decrypt(r.secret))).toEqual([`${SECRET}-2`]);
  });

  it('GET /webhooks lists the provider webhooks and the receiving URL, never the secret', async () => {
    const res = await env.e2e.call(`/api/v1/connections/${env.ids.jira}/webhooks`);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({
      provider: 'jira',
      receivingUrl: `${PUBLIC_URL}/webhooks/jira/${env.ids.jira}`,
      secretSource: 'admin',
      setup: expect.stringContaining('WebHooks'),
      data: [{ resource: 'admin', origin: 'admin', status: 'active', expiresAt: null, lastReceivedAt: null, error: null }],
    });
    expect(res.text).not.toContain(SECRET);
    expect(res.body.data[0]).not.toHaveProperty('secret');
  });

  it('a short secret → 400 with the issue', async () => {
    const res = await env.e2e.call(`/api/v1/connections/${env.ids.jira}/webhook-secret`, { method: 'PUT', json: { secret: 'short' } });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'validation_failed', details: [expect.objectContaining({ path: 'secret' })] });
  });

  it('a provider whose secret is not admin-stored → 409 saying where it comes from', async () => {
    const gh = await env.e2e.call(`/api/v1/connections/${env.ids.github}/webhook-secret`, { method: 'PUT', json: { secret: SECRET } });
    expect(gh.status).toBe(409);
    expect(gh.body.error.message).toMatch(/set by Patchbay itself when a realtime rule registers/);
    const tw = await env.e2e.call(`/api/v1/connections/${env.ids.twilio}/webhook-secret`, { method: 'PUT', json: { secret: SECRET } });
    expect(tw.status).toBe(409);
    expect(tw.body.error.message).toMatch(/authToken/);
    expect(await sql(env.e2e.app.dbUrl, 'select 1 from provider_webhooks where connection_id = any($1::uuid[])', [[env.ids.github, env.ids.twilio]])).toEqual([]);
  });

  it('a Member may list but not store or remove a secret', async () => {
    const { token } = await memberWithToken(env.e2e.app, 'member');
    expect((await env.e2e.app.fetch(`/api/v1/connections/${env.ids.jira}/webhooks`, { token })).status).toBe(200);
    expect((await env.e2e.app.fetch(`/api/v1/connections/${env.ids.jira}/webhook-secret`, { token, method: 'PUT', json: { secret: SECRET } })).status).toBe(403);
    expect((await env.e2e.app.fetch(`/api/v1/connections/${env.ids.jira}/webhook-secret`, { token, method: 'DELETE' })).status).toBe(403);
  });

  it('DELETE removes it (204), then 404; the secret never reached a log, event or audit row', async () => {
    expect((await env.e2e.call(`/api/v1/connections/${env.ids.jira}/webhook-secret`, { method: 'DELETE' })).status).toBe(204);
    expect(await sql(env.e2e.app.dbUrl, 'select 1 from provider_webhooks where connection_id = $1', [env.ids.jira])).toEqual([]);
    expect((await env.e2e.call(`/api/v1/connections/${env.ids.jira}/webhook-secret`, { method: 'DELETE' })).status).toBe(404);
    const audit = await sql<{ action: string; details: unknown }>(env.e2e.app.dbUrl, `select action, details from audit_logs where action = 'connection.webhook_secret' order by id`);
    expect(audit.map((a) => a.details)).toEqual([{ change: 'stored' }, { change: 'replaced' }, { change: 'removed' }]);
    await env.e2e.expectNoSecrets([SECRET, TWILIO.authToken, TRELLO.appSecret]);
  });
});
