/**
 * Zoho CRM notifications through the real ingress (Postgres, HTTP): the body's `token` must equal
 * the channel registration's secret (no signature exists). Valid → 200 and one receipt per changed
 * id; the same notification again → 200, no second effect; a wrong or missing token → 401 and
 * nothing stored. Zoho's `server_time` is not signed (the token is all there is), so there is no
 * stale check. Bodies follow https://www.zoho.com/crm/developer/docs/api/v8/notifications/overview.html.
 */
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../helpers/sql.ts';
import { currentUser } from '../providers/fixtures/zoho-crm.ts';
import { startE2E, type E2E } from '../providers-e2e/support.ts';

const TOKEN = 'zoho-channel-token-3f9a1c7e5b2d4f60a8b7c6d5e4f3a2';
let e2e: E2E;
let connectionId: string;
let path: string;

beforeAll(async () => {
  e2e = await startE2E({ PROVIDER_ZOHO_CRM_CLIENT_ID: '1000.ZOHOCLIENT', PROVIDER_ZOHO_CRM_CLIENT_SECRET: 'zoho-client-secret-0123456789' });
  const { params } = await e2e.startOAuth({ provider: 'zoho-crm' });
  nock('https://accounts.zoho.com').post('/oauth/v2/token').reply(200, { access_token: '1000.access-0123456789', refresh_token: '1000.refresh-0123456789', api_domain: 'https://www.zohoapis.com', token_type: 'Bearer', expires_in: 3600 });
  nock('https://www.zohoapis.com').get('/crm/v8/users').query(true).reply(200, currentUser);
  expect((await e2e.callback({ code: 'zoho-code', state: params.state!, 'accounts-server': 'https://accounts.zoho.com' })).status).toBe(200);
  connectionId = (await e2e.rows('zoho-crm'))[0]!.id;
  // The registration row as Patchbay's registration leaves it (the secret vault-encrypted).
  const [ws] = await sql<{ workspace_id: string }>(e2e.app.dbUrl, 'select workspace_id from connections where id = $1', [connectionId]);
  const [row] = await sql<{ id: string }>(
    e2e.app.dbUrl,
    `insert into provider_webhooks (id, workspace_id, connection_id, provider_slug, resource, remote_id, secret, origin, status, created_at, updated_at)
     values (gen_random_uuid(), $1, $2, 'zoho-crm', 'Contacts', '1000000068001', $3, 'registered', 'active', now(), now()) returning id`,
    [ws!.workspace_id, connectionId, e2e.app.pb.rt.vault.encrypt(TOKEN)],
  );
  path = `/webhooks/zoho-crm/${connectionId}/${row!.id}`;
}, 60_000);
afterAll(async () => {
  await e2e?.close();
});

let time = 1_764_500_000_000;
const notification = (over: Record<string, unknown> = {}) =>
  JSON.stringify({ server_time: ++time, query_params: {}, module: 'Contacts', resource_uri: 'https://www.zohoapis.com/crm/v8/Contacts', ids: ['4150868000001234001', '4150868000001234002'], affected_fields: [], operation: 'update', channel_id: '1000000068001', token: TOKEN, ...over });

async function deliver(body: string): Promise<{ status: number; body: any }> {
  const res = await e2e.app.fetch(path, { method: 'POST', token: null, headers: { 'content-type': 'application/json' }, body });
  return { status: res.status, body: await res.json() };
}
const receipts = () => sql<{ delivery_id: string; kind: string; object: string | null; remote_id: string | null }>(e2e.app.dbUrl, 'select delivery_id, kind, object, remote_id from inbound_receipts where connection_id = $1 order by remote_id', [connectionId]);

describe('Zoho CRM notifications (channel token)', () => {
  it('valid → 200, one receipt per changed id; the same notification again → one effect', async () => {
    const body = notification();
    expect(await deliver(body)).toMatchObject({ status: 200, body: { received: 2, applied: 2, duplicates: 0 } });
    expect(await deliver(body)).toMatchObject({ status: 200, body: { received: 2, applied: 0, duplicates: 2 } });
    const rows = await receipts();
    expect(rows.map((r) => [r.kind, r.object, r.remote_id])).toEqual([
      ['Contacts.update', 'contacts', '4150868000001234001'],
      ['Contacts.update', 'contacts', '4150868000001234002'],
    ]);
  });

  it('a wrong token, a tampered token, no token → 401 and nothing stored', async () => {
    const before = (await receipts()).length;
    for (const [why, body] of [
      ['wrong token', notification({ token: 'another-channels-token-000000000000' })],
      ['tampered token', notification({ token: `${TOKEN.slice(0, -1)}X` })],
      ['no token', notification({ token: undefined })],
      ['not JSON', 'token=' + TOKEN],
    ] as const) {
      const res = await deliver(body);
      expect(res.status, why).toBe(401);
      expect(res.body.error.code, why).toBe('signature_invalid');
    }
    expect(await receipts()).toHaveLength(before);
    expect(e2e.app.logs.join('\n')).not.toContain(TOKEN);
  });

  it('a module Patchbay does not sync → 200, ignored', async () => {
    expect(await deliver(notification({ module: 'Leads', ids: ['4150868000009999001'] }))).toMatchObject({ status: 200, body: { received: 1, ignored: 1 } });
  });
});
