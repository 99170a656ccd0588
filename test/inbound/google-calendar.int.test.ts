/**
 * Google Calendar push channels end to end: real Postgres, HTTP and graphile-worker, Google's
 * events API and its watch/stop endpoints faked behind nock (test/fakes/google-calendar.ts), and
 * notifications sent by the fake to the channel's address the way Google sends them (no body,
 * X-Goog-* headers). PUBLIC_URL is https (Google refuses other addresses); the fake maps it to
 * where the test app listens.
 */
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renewExpiring } from '../../src/inbound/registrations.ts';
import { webhooks } from '../../src/providers/google-calendar/webhooks.ts';
import { checkRequest, loadDiscovery } from '../contracts/describe.ts';
import { FakeGoogleCalendar } from '../fakes/google-calendar.ts';
import { workspaceWithConnection } from '../helpers/connections.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { eventually, sql } from '../helpers/sql.ts';
import { firstRunOf } from '../sync/support.ts';

const PUBLIC_URL = 'https://patchbay.example.com';
const doc = loadDiscovery('google-calendar.discovery.json');
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ workers: true, env: { PUBLIC_URL } });
}, 60_000);
afterAll(async () => app?.close());

type Env = { fake: FakeGoogleCalendar; connectionId: string; ruleId: string; token: string; workspaceId: string };
type Row = { id: string; status: string; remote_id: string | null; secret: string | null; expires_at: Date | null; resource: string; error: string | null };

const to = (address: string) => address.replace(PUBLIC_URL, app.url);
/** Every request sent to the fake, checked against the Discovery cut (events.watch and channels.stop included). */
const contractProblems = (e: Env) => e.fake.requests.flatMap((r) => checkRequest(doc, r).map((p) => `${r.method} ${r.url.pathname}: ${p}`));

async function registrations(e: Env): Promise<Row[]> {
  return await sql<Row>(app.dbUrl, 'select id, status, remote_id, secret, expires_at, resource, error from provider_webhooks where connection_id = $1', [e.connectionId]);
}

/** A workspace, a Google Calendar connection, and a realtime events rule made through the API (its first run awaited). */
async function setup(name: string, routes: Parameters<FakeGoogleCalendar['serve']>): Promise<Env> {
  const fake = new FakeGoogleCalendar();
  fake.put('primary', { id: 'evstandup1', summary: 'Standup', start: { dateTime: '2027-03-10T09:00:00Z' }, end: { dateTime: '2027-03-10T09:15:00Z' } });
  fake.serve(...routes);
  const slug = `gcal-push-${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  const ws = await workspaceWithConnection(app, { slug, name, provider: 'google-calendar', displayName: `Google Calendar (${name})`, credentials: { type: 'oauth2', accessToken: 'ya29.test-access', refreshToken: '1//test-refresh', scopes: ['https://www.googleapis.com/auth/calendar.events'] } });
  const res = await app.fetch(`/api/v1/connections/${ws.connectionId}/rules`, { method: 'POST', token: ws.token, json: { remoteObject: 'events', direction: 'in', frequency: 'realtime' } });
  const body = (await res.json()) as any;
  expect(res.status, JSON.stringify(body)).toBe(201);
  const e = { fake, connectionId: ws.connectionId, ruleId: (body.rule ?? body).id, token: ws.token, workspaceId: ws.workspaceId };
  expect(await firstRunOf(app, e)).toMatchObject({ status: 'succeeded' });
  return e;
}

const activeRegistration = (e: Env) => eventually(async () => (await registrations(e)).find((r) => r.status === 'active'));
const secretOf = (row: Row) => app.pb.rt.vault.decrypt<string>(row.secret!);
const receipts = (e: Env) => sql<{ delivery_id: string; kind: string; object: string | null }>(app.dbUrl, 'select delivery_id, kind, object from inbound_receipts where connection_id = $1 order by received_at', [e.connectionId]);
const webhookRuns = (e: Env) => sql<{ id: string; status: string; mode: string }>(app.dbUrl, `select id, status, mode from sync_runs where rule_id = $1 and trigger = 'webhook'`, [e.ruleId]);

async function localTitle(e: Env, remoteId: string): Promise<string | undefined> {
  const rows = await sql<{ title: string }>(app.dbUrl, 'select c.title from sync_links l join calendar_events c on c.id = l.local_id where l.rule_id = $1 and l.remote_id = $2', [e.ruleId, remoteId]);
  return rows[0]?.title;
}

describe('Google Calendar push channels', () => {
  it('a realtime rule opens a channel; `sync` is acknowledged and ignored; `exists` runs the rule; duplicates and wrong tokens are refused or absorbed', async () => {
    const e = await setup('Channel', ['list', 'watch']);
    const row = await activeRegistration(e);
    expect(row.resource).toBe('primary');
    const [channel] = e.fake.live();
    expect(channel).toBeDefined();
    const watch = e.fake.requests.find((r) => r.url.pathname === '/calendar/v3/calendars/primary/events/watch')!;
    const sent = JSON.parse(String(watch.body));
    expect(sent).toMatchObject({ id: channel!.id, type: 'web_hook', address: `${PUBLIC_URL}/webhooks/google-calendar/${e.connectionId}/${row.id}`, token: secretOf(row), params: { ttl: expect.stringMatching(/^\d+$/) } });
    expect(sent.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(row.remote_id).toBe(`${channel!.id}|${channel!.resourceId}`);
    expect(Math.abs(row.expires_at!.getTime() - channel!.expiration)).toBeLessThan(1000);
    // The secret is never in the connection's API view or logs.
    expect(app.logs.join('\n')).not.toContain(secretOf(row));

    // The channel's first message: 200, nothing stored or run.
    const sync = await e.fake.notify(channel!.id, 'sync', to);
    expect(sync.status).toBe(200);
    expect(await receipts(e)).toEqual([]);

    // A change at Google, then its notification: one webhook-triggered run pulls it.
    e.fake.put('primary', { id: 'evstandup1', summary: 'Standup (moved)' });
    const changed = await e.fake.notify(channel!.id, 'exists', to, { messageNumber: 2 });
    expect(changed.status).toBe(200);
    expect(await receipts(e)).toEqual([{ delivery_id: `${channel!.id}:2`, kind: 'events.exists', object: 'events' }]);
    const run = await eventually(async () => (await webhookRuns(e)).find((r) => r.status === 'succeeded' || r.status === 'failed'));
    expect(run).toMatchObject({ status: 'succeeded', mode: 'incremental' });
    expect(await localTitle(e, 'evstandup1')).toBe('Standup (moved)');

    // The same message again (Google retried): 200, no second receipt.
    const again = await e.fake.notify(channel!.id, 'exists', to, { messageNumber: 2 });
    expect(again.status).toBe(200);
    expect((await again.json()) as any).toMatchObject({ duplicates: 1 });
    expect(await receipts(e)).toHaveLength(1);

    // A wrong token, or none: 401, nothing stored.
    const forged = await e.fake.notify(channel!.id, 'exists', to, { messageNumber: 3, token: 'not-the-secret' });
    expect(forged.status).toBe(401);
    expect(((await forged.json()) as any).error.code).toBe('signature_invalid');
    const bare = await fetch(`${app.url}/webhooks/google-calendar/${e.connectionId}/${row.id}`, { method: 'POST', headers: { 'x-goog-channel-id': channel!.id, 'x-goog-resource-state': 'exists', 'x-goog-message-number': '4' } });
    expect(bare.status).toBe(401);
    expect(await receipts(e)).toHaveLength(1);
    expect(contractProblems(e)).toEqual([]);
  });

  it('the renewal job opens a new channel (new id, same token) before the old expires, then stops the old; disconnect stops the channel and deletes the row', async () => {
    const e = await setup('Renewal', ['list', 'watch', 'stop']);
    const before = await activeRegistration(e);
    const [old] = e.fake.live();
    // Not due yet: nothing happens.
    expect(await renewExpiring(app.pb.rt)).toBe(0);
    expect(e.fake.channels.size).toBe(1);

    // Two hours left, inside the one-day renewal window.
    await sql(app.dbUrl, `update provider_webhooks set expires_at = now() + interval '2 hours' where id = $1`, [before.id]);
    expect(await renewExpiring(app.pb.rt)).toBe(1);
    const live = e.fake.live();
    expect(live).toHaveLength(1);
    const [renewed] = live;
    expect(renewed!.id).not.toBe(old!.id);
    expect(renewed!.token).toBe(secretOf(before));
    expect(renewed!.address).toBe(`${PUBLIC_URL}/webhooks/google-calendar/${e.connectionId}/${before.id}`);
    expect(e.fake.channels.get(old!.id)!.stopped).toBe(true);
    const calls = e.fake.requests.filter((r) => r.method === 'POST').map((r) => `${r.url.pathname} ${String(r.body)}`);
    const watchAt = calls.findIndex((c) => c.includes(renewed!.id) && c.includes('/events/watch'));
    const stopAt = calls.findIndex((c) => c.startsWith('/calendar/v3/channels/stop'));
    expect(watchAt).toBeGreaterThanOrEqual(0);
    expect(stopAt).toBeGreaterThan(watchAt);
    expect(JSON.parse(calls[stopAt]!.slice(calls[stopAt]!.indexOf(' ') + 1))).toEqual({ id: old!.id, resourceId: old!.resourceId });
    const [after] = await registrations(e);
    expect(after).toMatchObject({ id: before.id, status: 'active', remote_id: `${renewed!.id}|${renewed!.resourceId}` });
    expect(after!.expires_at!.getTime()).toBeGreaterThan(Date.now() + 6 * 86_400_000);
    expect(secretOf(after!)).toBe(secretOf(before));

    // The new channel's notifications verify (same URL, same token).
    expect((await e.fake.notify(renewed!.id, 'exists', to)).status).toBe(200);

    // Disconnect: the channel is stopped at Google and the registration row is gone.
    nock('https://oauth2.googleapis.com').post('/revoke').query(true).reply(200, {});
    const res = await app.fetch(`/api/v1/connections/${e.connectionId}/disconnect`, { method: 'POST', token: e.token });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(e.fake.live()).toEqual([]);
    expect(e.fake.channels.get(renewed!.id)!.stopped).toBe(true);
    expect(await registrations(e)).toEqual([]);
    expect(contractProblems(e)).toEqual([]);
  });

  it('refuses to open a channel to an http PUBLIC_URL (Google would refuse it), saying why', async () => {
    const request = async () => {
      throw new Error('no request may be sent');
    };
    const ctx = { http: { request } } as any;
    await expect(webhooks.register!(ctx, { url: 'http://patchbay.internal/webhooks/google-calendar/c/r', resource: 'primary', registrationId: 'r', secret: 's' })).rejects.toMatchObject({
      code: 'provider_not_configured',
      message: expect.stringContaining('HTTPS'),
    });
  });
});
