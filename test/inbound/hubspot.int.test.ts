/**
 * HubSpot webhooks end to end: real Postgres, HTTP and graphile-worker, the local HubSpot of the
 * sync tests (test/fakes/hubspot-crm.ts). HubSpot posts every portal's events to the app's one
 * Target URL, signed with the app's client secret (v3). Signatures here are computed from HubSpot's
 * documented recipe, independently of the scheme's code:
 * base64(HMAC-SHA256(secret, method + URI + body + timestamp)), with `: / ? @ ! $ ' ( ) * , ;` decoded in the URI.
 */
import { createHmac } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HUBSPOT_TOKEN, startFakeHubSpot, type FakeHubSpot } from '../fakes/hubspot-crm.ts';
import { workspaceWithConnection } from '../helpers/connections.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { sql } from '../helpers/sql.ts';
import { firstRunOf } from '../sync/support.ts';

const PUBLIC_URL = 'https://patchbay.example.com';
const CLIENT_SECRET = 'c7a1f3e2-5b9d-4e8f-a0b1-2c3d4e5f6a7b';
let app: TestApp;
let hs: FakeHubSpot;
beforeAll(async () => {
  hs = await startFakeHubSpot();
  app = await startTestApp({
    workers: true,
    env: { PUBLIC_URL, PROVIDER_HUBSPOT_BASE_URL: hs.url, PROVIDER_HUBSPOT_CLIENT_ID: '5f0e1d2c-hubspot-app', PROVIDER_HUBSPOT_CLIENT_SECRET: CLIENT_SECRET },
  });
}, 60_000);
afterAll(async () => {
  await app?.close();
  await hs?.close();
});

let portals = 40_000_000;
let events = 1_000;
const nextPortal = () => ++portals;

type Conn = { connectionId: string; workspaceId: string; token: string; portalId: number };

/** A workspace with a HubSpot connection to portal `portalId` (metadata.accountId is the hub id, as the connector's test stores it). */
async function connect(name: string, portalId = nextPortal()): Promise<Conn> {
  const slug = `hs-push-${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${portalId}`;
  const ws = await workspaceWithConnection(app, { slug, name, provider: 'hubspot', displayName: name, credentials: { type: 'oauth2', accessToken: HUBSPOT_TOKEN, scopes: [] }, metadata: { accountId: String(portalId), accountName: `${slug}.hubspot.com` } });
  return { connectionId: ws.connectionId, workspaceId: ws.workspaceId, token: ws.token, portalId };
}

const event = (portalId: number, over: Record<string, unknown> = {}) => ({
  eventId: ++events,
  subscriptionId: 2_345_678,
  portalId,
  appId: 987_654,
  occurredAt: Date.now() - 1_000,
  subscriptionType: 'contact.propertyChange',
  attemptNumber: 0,
  objectId: 101,
  propertyName: 'jobtitle',
  propertyValue: 'Countess',
  changeSource: 'CRM_UI',
  sourceId: 'userId:45678',
  ...over,
});

function sign(secret: string, method: string, uri: string, body: string, timestamp: string): string {
  return createHmac('sha256', secret).update(`${method}${uri}${body}${timestamp}`, 'utf8').digest('base64');
}

/** Posts a batch as HubSpot does; `signedUri` is the URI HubSpot signs (decoded characters), `path` what it requests. */
async function deliver(batch: unknown[], opts: { secret?: string; timestamp?: number; tamper?: (body: string) => string; path?: string; signedUri?: string; headers?: Record<string, string> } = {}): Promise<Response> {
  const body = JSON.stringify(batch);
  const ts = String(opts.timestamp ?? Date.now());
  const path = opts.path ?? '/webhooks/hubspot';
  const signature = sign(opts.secret ?? CLIENT_SECRET, 'POST', opts.signedUri ?? `${PUBLIC_URL}${path}`, body, ts);
  return await fetch(`${app.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hubspot-signature-v3': signature, 'x-hubspot-request-timestamp': ts, ...opts.headers },
    body: opts.tamper ? opts.tamper(body) : body,
  });
}

const receiptsOf = (c: Conn) =>
  sql<{ delivery_id: string; kind: string; object: string | null; remote_id: string | null; processed_at: Date | null }>(
    app.dbUrl,
    'select delivery_id, kind, object, remote_id, processed_at from inbound_receipts where connection_id = $1 order by delivery_id',
    [c.connectionId],
  );
const allReceipts = async () => Number((await sql<{ n: string }>(app.dbUrl, `select count(*) as n from inbound_receipts where source = 'webhook:hubspot'`))[0]!.n);

describe('HubSpot webhooks (app-level, signature v3)', () => {
  it('a valid batch for two portals: one receipt per event, each routed to its own portal’s connection; a portal with no connection is acknowledged and ignored', async () => {
    const [a, b] = [await connect('Portal A'), await connect('Portal B')];
    const stranger = nextPortal();
    const ea = event(a.portalId, { objectId: 501 });
    const eb = event(b.portalId, { subscriptionType: 'contact.creation', objectId: 502 });
    const es = event(stranger);
    const res = await deliver([ea, eb, es]);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ received: 2, applied: 2, duplicates: 0, ignored: 0 });
    expect(await receiptsOf(a)).toEqual([expect.objectContaining({ delivery_id: `${a.portalId}:${ea.eventId}`, kind: 'contact.propertyChange', object: 'contacts', remote_id: '501' })]);
    expect(await receiptsOf(b)).toEqual([expect.objectContaining({ delivery_id: `${b.portalId}:${eb.eventId}`, kind: 'contact.creation', object: 'contacts', remote_id: '502' })]);
    expect(app.logs.some((l) => l.includes('event for an account with no connection ignored'))).toBe(true);

    // A batch only for a portal nobody connected: 200, nothing stored.
    const before = await allReceipts();
    const none = await deliver([event(nextPortal())]);
    expect(none.status).toBe(200);
    expect(await none.json()).toMatchObject({ received: 0 });
    expect(await allReceipts()).toBe(before);

    // Events for objects Patchbay does not sync (deals here): 200, recorded as ignored (processed at once).
    const deal = event(a.portalId, { subscriptionType: 'deal.propertyChange', objectId: 9001 });
    const ignored = await deliver([deal]);
    expect(await ignored.json()).toMatchObject({ received: 1, ignored: 1 });
    expect((await receiptsOf(a)).find((r) => r.kind === 'deal.propertyChange')).toMatchObject({ object: null, processed_at: expect.any(Date) });
  });

  it('a retried batch (same eventIds) stores nothing twice, also under 50 concurrent copies; a batch carrying one old and one new event stores only the new', async () => {
    const a = await connect('Duplicates');
    const first = event(a.portalId);
    expect((await deliver([first])).status).toBe(200);
    const retry = await deliver([{ ...first, attemptNumber: 1 }]);
    expect(retry.status).toBe(200);
    expect(await retry.json()).toMatchObject({ received: 1, duplicates: 1, applied: 0 });
    const mixed = await deliver([first, event(a.portalId)]);
    expect(await mixed.json()).toMatchObject({ received: 2, duplicates: 1, applied: 1 });
    expect(await receiptsOf(a)).toHaveLength(2);

    // 50 concurrent copies of one batch (HubSpot retrying while the first is in flight): one receipt per event.
    const burst = [event(a.portalId), event(a.portalId)];
    const answers = await Promise.all(Array.from({ length: 50 }, () => deliver(burst)));
    expect(answers.map((r) => r.status)).toEqual(Array(50).fill(200));
    const applied = (await Promise.all(answers.map(async (r) => ((await r.json()) as any).applied as number))).reduce((x, y) => x + y, 0);
    expect(applied).toBe(2);
    expect(await receiptsOf(a)).toHaveLength(4);
  });

  it('refuses (401, nothing stored) a tampered body, a wrong secret, a stale or missing timestamp and a missing signature', async () => {
    const a = await connect('Refusals');
    const before = await allReceipts();
    const cases: Array<[string, Response]> = [
      ['tampered body', await deliver([event(a.portalId)], { tamper: (b) => b.replace('Countess', 'Duchess') })],
      ['wrong secret', await deliver([event(a.portalId)], { secret: 'another-apps-secret' })],
      ['older than 5 minutes', await deliver([event(a.portalId)], { timestamp: Date.now() - 5 * 60_000 - 5_000 })],
      ['timestamp header missing', await deliver([event(a.portalId)], { headers: { 'x-hubspot-request-timestamp': '' } })],
      ['signature header missing', await deliver([event(a.portalId)], { headers: { 'x-hubspot-signature-v3': '' } })],
      ['signed for another URL', await deliver([event(a.portalId)], { signedUri: 'https://attacker.example/webhooks/hubspot' })],
    ];
    for (const [why, res] of cases) {
      expect(res.status, why).toBe(401);
      const body = (await res.json()) as any;
      expect(body.error.code, why).toBe('signature_invalid');
      expect(JSON.stringify(body), why).not.toContain(CLIENT_SECRET);
    }
    expect(await allReceipts()).toBe(before);
    expect(app.logs.join('\n')).not.toContain(CLIENT_SECRET);
  });

  it('signs the URI with HubSpot’s listed characters decoded (a query string with %3A and %40 is signed as : and @)', async () => {
    const a = await connect('Decoded URI');
    const res = await deliver([event(a.portalId)], { path: '/webhooks/hubspot?origin=crm%3Aui&by=ada%40example.com', signedUri: `${PUBLIC_URL}/webhooks/hubspot?origin=crm:ui&by=ada@example.com` });
    expect(res.status).toBe(200);
    expect(await receiptsOf(a)).toHaveLength(1);
  });

  it('a contact change on a connection with a realtime contacts rule runs the rule (trigger webhook) and updates the local contact, without a poll', async () => {
    const ada = hs.add({ firstname: 'Ada', lastname: 'Lovelace', email: 'ada@engines.example', jobtitle: 'Programmer' });
    const a = await connect('Realtime');
    const created = await app.fetch(`/api/v1/connections/${a.connectionId}/rules`, { method: 'POST', token: a.token, json: { remoteObject: 'contacts', direction: 'in', frequency: 'realtime' } });
    const body = (await created.json()) as any;
    expect(created.status, JSON.stringify(body)).toBe(201);
    const ruleId = (body.rule ?? body).id as string;
    expect(await firstRunOf(app, { connectionId: a.connectionId, ruleId, token: a.token })).toMatchObject({ status: 'succeeded' });

    hs.edit(ada.id, { jobtitle: 'Countess of Lovelace' });
    const res = await deliver([event(a.portalId, { objectId: Number(ada.id), propertyName: 'jobtitle', propertyValue: 'Countess of Lovelace' })]);
    expect(res.status).toBe(200);
    const deadline = Date.now() + 20_000;
    let title: string | undefined;
    for (; Date.now() < deadline; await sleep(100)) {
      title = (await sql<{ title: string | null }>(app.dbUrl, `select title from contacts where workspace_id = $1 and email = 'ada@engines.example'`, [a.workspaceId]))[0]?.title ?? undefined;
      if (title === 'Countess of Lovelace') break;
    }
    expect(title).toBe('Countess of Lovelace');
    const runsOf = () => sql<{ trigger: string; status: string }>(app.dbUrl, 'select trigger, status from sync_runs where rule_id = $1 order by created_at', [ruleId]);
    let runs = await runsOf();
    // The contact is written before the run records its end.
    for (; Date.now() < deadline && runs.some((r) => r.status === 'running' || r.status === 'queued'); await sleep(50)) runs = await runsOf();
    // The first run (a new rule's), then the webhook's: no scheduled poll in between.
    expect(runs).toHaveLength(2);
    expect(runs[1]).toMatchObject({ trigger: 'webhook', status: 'succeeded' });
    expect((await receiptsOf(a))[0]!.processed_at).not.toBeNull();
    // App-level webhooks are now known to arrive: the connection shows them, and the rule reconciles hourly instead of polling.
    const [row] = await sql<{ resource: string; origin: string; last_received_at: Date | null }>(app.dbUrl, 'select resource, origin, last_received_at from provider_webhooks where connection_id = $1', [a.connectionId]);
    expect(row).toMatchObject({ resource: 'app', origin: 'admin' });
    const [rule] = await sql<{ next_run_at: Date }>(app.dbUrl, 'select next_run_at from sync_rules where id = $1', [ruleId]);
    expect(rule!.next_run_at.getTime() - Date.now()).toBeGreaterThan(50 * 60_000);
  });
});
