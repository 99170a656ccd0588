/**
 * A registration sync that runs while a disconnect is under way (after the webhooks were removed,
 * before the connection is marked disconnected — here, while Asana takes its time to revoke) must
 * not register a webhook again: it would be left at Asana with nobody to remove it. The sync
 * waits for the disconnect and then finds the connection gone.
 */
import nock from 'nock';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { syncRegistrations } from '../../src/inbound/registrations.ts';
import { FakeAsana } from '../fakes/asana-api.ts';
import { workspaceWithConnection } from '../helpers/connections.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { eventually, sql } from '../helpers/sql.ts';
import { firstRunOf } from '../sync/support.ts';

const PROJECT = '1207894561234567';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ workers: true, env: { PROVIDER_ASANA_CLIENT_ID: 'asana-client-id', PROVIDER_ASANA_CLIENT_SECRET: 'asana-client-secret-value' } });
}, 60_000);
afterAll(async () => app?.close());

it('never registers a webhook again while a disconnect is removing them', async () => {
  const ws = await workspaceWithConnection(app, { slug: 'race-co', name: 'Race Co', provider: 'asana', displayName: 'Asana Race', credentials: { type: 'oauth2', accessToken: 'asana-access-0123456789', refreshToken: 'asana-refresh-9876543210', scopes: ['tasks:read', 'tasks:write', 'webhooks:write', 'webhooks:delete'] } });
  const asana = new FakeAsana();
  asana.add(PROJECT, { name: 'Draft the plan' });
  asana.serve(['list', 'events']);
  asana.serveWebhooks({ remove: true });
  const res = await app.fetch(`/api/v1/connections/${ws.connectionId}/rules`, { method: 'POST', token: ws.token, json: { remoteObject: 'tasks', direction: 'both', scope: { project: PROJECT }, frequency: 'realtime' } });
  expect(res.status).toBe(201);
  const ruleId = ((await res.json()) as { rule: { id: string } }).rule.id;
  await eventually(async () => (await sql<{ status: string }>(app.dbUrl, 'select status from provider_webhooks where connection_id = $1', [ws.connectionId]))[0]?.status === 'active');
  await firstRunOf(app, { connectionId: ws.connectionId, token: ws.token, ruleId });
  expect(asana.webhooks.size).toBe(1);

  // Asana revokes slowly: the window between removing the webhooks and marking the connection disconnected.
  nock('https://app.asana.com').post('/-/oauth_revoke').delay(800).reply(200, {});
  const disconnecting = app.fetch(`/api/v1/connections/${ws.connectionId}/disconnect`, { method: 'POST', token: ws.token });
  await eventually(async () => asana.of('DELETE', '/api/1.0/webhooks/').length === 1, 10_000, 10);
  const sync = syncRegistrations(app.pb.rt, ws.connectionId);
  expect((await disconnecting).status).toBe(200);
  await sync;
  expect(asana.webhooks.size).toBe(0);
  expect(asana.of('POST', '/api/1.0/webhooks')).toHaveLength(1);
  expect(await sql(app.dbUrl, 'select 1 from provider_webhooks where connection_id = $1', [ws.connectionId])).toEqual([]);
});
