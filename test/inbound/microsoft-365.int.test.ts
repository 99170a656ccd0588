/**
 * Microsoft Graph change notifications (Microsoft 365) through the real ingress (Postgres, HTTP):
 * the `validationToken` handshake answered 200 text/plain with the token; notifications whose
 * `clientState` equals the subscription registration's secret → 200, one receipt each; the same
 * collection again → no second effect; a tampered or missing clientState (in any notification of
 * the collection) → 401 and nothing stored. Graph sends no signature and no timestamp, so there is
 * no stale check. Renewal extends the subscription (PATCH); disconnect deletes it. Bodies follow https://learn.microsoft.com/graph/change-notifications-delivery-webhooks
 * and https://learn.microsoft.com/graph/api/resources/changenotification.
 */
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renewExpiring } from '../../src/inbound/registrations.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { workspaceWithConnection } from '../helpers/connections.ts';
import { sql } from '../helpers/sql.ts';

const CLIENT_STATE = '6f1c0e3b9a8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a291807f6e5d4c3b2a19080';
const SUBSCRIPTION = '7f105c7d-2dc5-4530-97cd-4e7ae6534c07';
const TENANT = '84bd8158-6d4d-4958-8b9f-9d6445542f95';
const USER = '87d349ed-44d7-43e1-9a83-5f2406dee5bd';
let app: TestApp;
let connectionId: string;
let ownerToken: string;
let registrationId: string;
let path: string;

beforeAll(async () => {
  app = await startTestApp({ env: { PUBLIC_URL: 'https://patchbay.example.test' } });
  const ws = await workspaceWithConnection(app, { slug: 'm365-inbound', provider: 'microsoft-365', displayName: 'Microsoft 365', credentials: { type: 'oauth2', accessToken: 'eyJ0eXAi.m365-access', refreshToken: '0.AR-refresh', scopes: ['User.Read', 'Calendars.ReadWrite'] } });
  connectionId = ws.connectionId;
  ownerToken = ws.token;
  // The registration row as Patchbay's registration leaves it (the clientState vault-encrypted).
  const [row] = await sql<{ id: string }>(
    app.dbUrl,
    `insert into provider_webhooks (id, workspace_id, connection_id, provider_slug, resource, remote_id, secret, origin, status, created_at, updated_at)
     values (gen_random_uuid(), $1, $2, 'microsoft-365', 'me/events', $3, $4, 'registered', 'active', now(), now()) returning id`,
    [ws.workspaceId, connectionId, SUBSCRIPTION, app.pb.rt.vault.encrypt(CLIENT_STATE)],
  );
  registrationId = row!.id;
  path = `/webhooks/microsoft-365/${connectionId}/${registrationId}`;
}, 60_000);
afterAll(async () => {
  await app?.close();
});

let etag = 0;
const change = (over: Record<string, unknown> = {}) => {
  const eventId = `AAMkAGUwNjQ4ZjIxLTQ3Y2YtNDViMi1hZjM5LTU${++etag}AAA=`;
  return {
    subscriptionId: SUBSCRIPTION,
    subscriptionExpirationDateTime: '2027-03-12T18:23:45.9356913+00:00',
    changeType: 'updated',
    resource: `Users/${USER}/Events/${eventId}`,
    resourceData: { '@odata.type': '#Microsoft.Graph.Event', '@odata.id': `Users/${USER}/Events/${eventId}`, '@odata.etag': `W/"DwAAABYAAAB${etag}"`, id: eventId },
    clientState: CLIENT_STATE,
    tenantId: TENANT,
    ...over,
  };
};

async function deliver(body: string, query = ''): Promise<{ status: number; text: string; contentType: string | null }> {
  const res = await app.fetch(`${path}${query}`, { method: 'POST', token: null, headers: { 'content-type': 'application/json' }, body });
  return { status: res.status, text: await res.text(), contentType: res.headers.get('content-type') };
}
const receipts = () => sql<{ delivery_id: string; kind: string; object: string | null; remote_id: string | null }>(app.dbUrl, 'select delivery_id, kind, object, remote_id from inbound_receipts where connection_id = $1 order by received_at, remote_id', [connectionId]);

describe('Microsoft Graph change notifications (validationToken + clientState)', () => {
  it('handshake: POST ?validationToken=… → 200 text/plain echoing the (decoded) token, nothing stored', async () => {
    const token = 'Validation: Testing client application reachability for subscription Request-Id: 9f3a-77c1';
    const res = await deliver('', `?validationToken=${encodeURIComponent(token)}`);
    expect(res).toMatchObject({ status: 200, text: token });
    expect(res.contentType).toMatch(/^text\/plain/);
    // A connection-level URL (no registration) is not one Patchbay gave Graph.
    const bare = await app.fetch(`/webhooks/microsoft-365/${connectionId}?validationToken=abc`, { method: 'POST', token: null });
    expect(bare.status).toBe(400);
    expect(await receipts()).toEqual([]);
  });

  it('valid → 200, one receipt per notification (events, with the event id); the same collection again → one effect', async () => {
    const body = JSON.stringify({ value: [change(), change({ changeType: 'created' })] });
    const first = await deliver(body);
    expect(first.status, first.text).toBe(200);
    expect(JSON.parse(first.text)).toMatchObject({ received: 2, applied: 2, duplicates: 0 });
    expect(JSON.parse((await deliver(body)).text)).toMatchObject({ received: 2, applied: 0, duplicates: 2 });
    const rows = await receipts();
    expect(rows).toHaveLength(2);
    expect(rows.map((r) => [r.kind, r.object])).toEqual([
      ['events.updated', 'events'],
      ['events.created', 'events'],
    ]);
    expect(rows[0]!.remote_id).toMatch(/^AAMkAG/);
    expect(rows[0]!.delivery_id).toBe(`${SUBSCRIPTION}:updated:Users/${USER}/Events/${rows[0]!.remote_id}:W/"DwAAABYAAAB1"`);
  });

  it('a tampered, wrong or missing clientState — in any notification of the collection — → 401 and nothing stored', async () => {
    const before = (await receipts()).length;
    for (const [why, body] of [
      ['tampered', { value: [change({ clientState: `${CLIENT_STATE.slice(0, -1)}1` })] }],
      ['another subscription’s', { value: [change({ clientState: 'not-the-client-state-of-this-subscription' })] }],
      ['missing', { value: [change({ clientState: undefined })] }],
      ['one of two wrong', { value: [change(), change({ clientState: 'x' })] }],
      ['empty collection', { value: [] }],
    ] as const) {
      const res = await deliver(JSON.stringify(body));
      expect(res.status, why).toBe(401);
      expect(JSON.parse(res.text).error.code, why).toBe('signature_invalid');
    }
    expect(await receipts()).toHaveLength(before);
    expect(app.logs.join('\n')).not.toContain(CLIENT_STATE);
  });

  it('a lifecycle notification is acknowledged and ignored', async () => {
    const body = JSON.stringify({ value: [{ subscriptionId: SUBSCRIPTION, subscriptionExpirationDateTime: '2027-03-12T18:23:45.9356913+00:00', lifecycleEvent: 'reauthorizationRequired', clientState: CLIENT_STATE, tenantId: TENANT }] });
    const res = await deliver(body);
    expect(res.status, res.text).toBe(200);
    expect(JSON.parse(res.text)).toMatchObject({ received: 1, ignored: 1 });
  });

  it('renewal: a subscription within a day of expiry is extended in place (PATCH), same id and clientState', async () => {
    await sql(app.dbUrl, `update provider_webhooks set expires_at = now() + interval '2 hours' where id = $1`, [registrationId]);
    let sent: any;
    const patch = nock('https://graph.microsoft.com')
      .patch(`/v1.0/subscriptions/${SUBSCRIPTION}`, (b) => ((sent = b), true))
      .reply(200, { id: SUBSCRIPTION, resource: 'me/events', changeType: 'created,updated,deleted', expirationDateTime: '2030-01-03T10:00:00Z' }, { 'content-type': 'application/json' });
    expect(await renewExpiring(app.pb.rt)).toBe(1);
    patch.done();
    expect(Object.keys(sent)).toEqual(['expirationDateTime']);
    const [row] = await sql<{ remote_id: string; expires_at: Date; secret: string; status: string }>(app.dbUrl, 'select remote_id, expires_at, secret, status from provider_webhooks where id = $1', [registrationId]);
    expect(row).toMatchObject({ remote_id: SUBSCRIPTION, status: 'active', expires_at: new Date('2030-01-03T10:00:00Z') });
    expect(app.pb.rt.vault.decrypt<string>(row!.secret)).toBe(CLIENT_STATE);
    // Not due any more: nothing happens.
    expect(await renewExpiring(app.pb.rt)).toBe(0);
  });

  it('disconnect deletes the subscription at Graph (no revoke call exists) and the registration row', async () => {
    const del = nock('https://graph.microsoft.com').delete(`/v1.0/subscriptions/${SUBSCRIPTION}`).reply(204);
    const res = await app.fetch(`/api/v1/connections/${connectionId}/disconnect`, { method: 'POST', token: ownerToken });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(((await res.json()) as any).revoke).toBe('not_supported');
    del.done();
    expect(await sql(app.dbUrl, 'select id from provider_webhooks where connection_id = $1', [connectionId])).toEqual([]);
  });
});
