/**
 * The HubSpot contacts adapter under the real engine (Postgres, graphile-worker) against a local
 * HubSpot (test/fakes/hubspot-crm.ts): full and incremental pulls through CRM search, pushes
 * (create, update, a create retried into HubSpot's 409), deletes found by the full
 * reconciliation and pushed as archives, a conflict inside the grace window, a list scope, a
 * search rate limit waited out, and the 10,000-result search window crossed by advancing the cursor.
 * (test/setup.ts keeps every request on this machine: the fake listens on 127.0.0.1.)
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SyncRule } from '../../src/entities/sync-rule.ts';
import { searchPacer } from '../../src/providers/hubspot/adapters/search.ts';
import type { MappingEntry } from '../../src/sync/types.ts';
import { workspaceWithConnection } from '../helpers/connections.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { sql } from '../helpers/sql.ts';
import { HUBSPOT_TOKEN, startFakeHubSpot, type FakeHubSpot } from '../fakes/hubspot-crm.ts';
import { runRule, type FeedEnv, type RunRow } from './support.ts';

let app: TestApp;
let hs: FakeHubSpot;
beforeAll(async () => {
  hs = await startFakeHubSpot();
  app = await startTestApp({ workers: true, env: { PROVIDER_HUBSPOT_BASE_URL: hs.url, SYNC_PAGE_SIZE: '100' } });
}, 60_000);
afterAll(async () => {
  await app?.close();
  await hs?.close();
});
beforeEach(() => {
  // Each test starts from an empty HubSpot account (and its own workspace, below).
  hs.contacts.clear();
  hs.lists.clear();
  hs.requests.length = 0;
});

type Env = FeedEnv & { token: string; ruleId: string };

/** A workspace, a HubSpot connection to the fake and a rule (disabled: it runs when a test asks), with the mapping the API suggests. */
async function setup(name: string, over: { scope?: Record<string, string>; deletePolicy?: 'mark' | 'propagate' | 'ignore' } = {}): Promise<Env & { mapping: MappingEntry[] }> {
  const slug = `${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${Math.random().toString(36).slice(2, 7)}`;
  const ws = await workspaceWithConnection(app, { slug, name, provider: 'hubspot', displayName: name, credentials: { type: 'oauth2', accessToken: HUBSPOT_TOKEN, scopes: [] }, metadata: { accountId: '62515', accountName: 'demo.hubspot.com' } });
  const suggested = await app.json(`/api/v1/connections/${ws.connectionId}/rules/suggest-mapping?object=contacts`, { token: ws.token });
  const mapping = suggested.pairs.map(({ local, remote, direction, transform }: MappingEntry) => ({ local, remote, direction, ...(transform ? { transform } : {}) }));
  const em = app.pb.rt.em();
  const rule = em.create(SyncRule, {
    workspace: ws.workspaceId,
    connection: ws.connectionId,
    localObject: 'contacts',
    remoteObject: 'contacts',
    direction: 'both',
    deletePolicy: over.deletePolicy ?? 'mark',
    mapping,
    scope: over.scope ?? {},
    enabled: false,
    pullCursor: null,
  });
  await em.flush();
  return { app, workspaceId: ws.workspaceId, connectionId: ws.connectionId, token: ws.token, ruleId: rule.id, mapping } as unknown as Env & { mapping: MappingEntry[] };
}

const run = (e: Env, timeoutMs?: number): Promise<RunRow> => runRule(e, e.ruleId, timeoutMs);
const contactsOf = (e: Env) =>
  sql<{ id: string; name: string; email: string | null; phone: string | null; company: string | null; title: string | null; deleted_at: Date | null; removed_remotely_at: Date | null }>(
    app.dbUrl,
    'select id, name, email, phone, company, title, deleted_at, removed_remotely_at from contacts where workspace_id = $1 order by name',
    [e.workspaceId],
  );
const linkOf = async (e: Env, remoteId: string) => (await sql<{ local_id: string }>(app.dbUrl, 'select local_id from sync_links where rule_id = $1 and remote_id = $2', [e.ruleId, remoteId]))[0]?.local_id;
const remoteOf = async (e: Env, localId: string) => (await sql<{ remote_id: string | null }>(app.dbUrl, 'select remote_id from sync_links where rule_id = $1 and local_id = $2', [e.ruleId, localId]))[0]?.remote_id;
const person = (i: number) => ({ firstname: `Ada${i}`, lastname: `Lovelace${i}`, email: `ada${i}@example.com`, company: 'Analytical Engines', jobtitle: 'Programmer' });

describe('HubSpot contacts through the sync engine', () => {
  it('suggests first + last name → name (name_parts) and the aliases for email, phone, company and job title', async () => {
    const e = await setup('Mapping');
    expect(e.mapping).toEqual(
      expect.arrayContaining([
        { local: 'name', remote: ['firstname', 'lastname'], direction: 'both', transform: 'name_parts' },
        expect.objectContaining({ local: 'email', remote: 'email' }),
        expect.objectContaining({ local: 'phone', remote: 'phone' }),
        expect.objectContaining({ local: 'company', remote: 'company' }),
        expect.objectContaining({ local: 'title', remote: 'jobtitle' }),
      ]),
    );
  });

  it('full pull: every contact, paged through CRM search ascending on lastmodifieddate; then an incremental pull reads only what changed', async () => {
    const seeded = Array.from({ length: 250 }, (_, i) => hs.add(person(i)));
    const e = await setup('Full pull');
    expect(await run(e)).toMatchObject({ status: 'succeeded', mode: 'full', pulled: 250, linked: 250, errors: 0 });
    const locals = await contactsOf(e);
    expect(locals).toHaveLength(250);
    expect(locals.find((c) => c.email === 'ada3@example.com')).toMatchObject({ name: 'Ada3 Lovelace3', company: 'Analytical Engines', title: 'Programmer', phone: null });
    const first = hs.requests.find((r) => r.path === '/crm/v3/objects/contacts/search')!.body;
    expect(first).toMatchObject({ filterGroups: [], sorts: [{ propertyName: 'lastmodifieddate', direction: 'ASCENDING' }], limit: 100, after: '0' });
    expect(first.properties).toEqual(expect.arrayContaining(['firstname', 'lastname', 'email', 'phone', 'company', 'jobtitle', 'lastmodifieddate']));
    expect(hs.searches().map((s) => s.after)).toEqual(['0', '100', '200']);

    hs.requests.length = 0;
    hs.edit(seeded[4]!.id, { jobtitle: 'Countess' });
    const added = hs.add({ firstname: 'Charles', lastname: 'Babbage', email: 'charles@example.com', phone: '+44 20 7946 0000' });
    const inc = await run(e);
    expect(inc).toMatchObject({ status: 'succeeded', mode: 'incremental', errors: 0 });
    // The window restarts at the newest change seen (less the overlap), not from the beginning.
    const [search] = hs.searches();
    expect(search!.from).not.toBeNull();
    expect(hs.requests.filter((r) => r.path === '/crm/v3/objects/contacts/search')[0]!.body.filterGroups[0].filters[0]).toMatchObject({ propertyName: 'lastmodifieddate', operator: 'GTE', value: expect.stringMatching(/^\d{13}$/) });
    expect((await contactsOf(e)).find((c) => c.email === 'ada4@example.com')).toMatchObject({ title: 'Countess' });
    expect(await linkOf(e, added.id)).toBeDefined();
    expect((await contactsOf(e)).find((c) => c.email === 'charles@example.com')).toMatchObject({ name: 'Charles Babbage', phone: '+44 20 7946 0000' });
    expect(await contactsOf(e)).toHaveLength(251);
    // Nothing was echoed back.
    expect(hs.requests.filter((r) => r.method !== 'POST' || !r.path.endsWith('/search'))).toEqual([]);
  });

  it('push: a local create becomes one HubSpot contact (first/last name split, properties as strings); a local edit is PATCHed', async () => {
    const e = await setup('Push');
    await run(e);
    const local = await app.json('/api/v1/contacts', { method: 'POST', token: e.token, json: { name: 'Grace Brewster Hopper', email: 'grace@navy.example', company: 'US Navy', title: 'Rear Admiral' } });
    expect(await run(e)).toMatchObject({ status: 'succeeded', pushed: 1, linked: 1, errors: 0 });
    const create = hs.requests.find((r) => r.method === 'POST' && r.path === '/crm/v3/objects/contacts')!;
    expect(create.body).toEqual({ properties: { firstname: 'Grace Brewster', lastname: 'Hopper', email: 'grace@navy.example', company: 'US Navy', jobtitle: 'Rear Admiral' }, associations: [] });
    const remoteId = (await remoteOf(e, local.id))!;
    expect(hs.contacts.get(remoteId)!.properties).toMatchObject({ firstname: 'Grace Brewster', lastname: 'Hopper', email: 'grace@navy.example' });

    hs.requests.length = 0;
    await app.fetch(`/api/v1/contacts/${local.id}`, { method: 'PATCH', token: e.token, json: { title: 'Commodore', phone: '+1 202 555 0143' } });
    expect(await run(e)).toMatchObject({ status: 'succeeded', pushed: 1, errors: 0 });
    const patch = hs.requests.find((r) => r.method === 'PATCH')!;
    expect(patch.path).toBe(`/crm/v3/objects/contacts/${remoteId}`);
    expect(patch.body).toEqual({ properties: { jobtitle: 'Commodore', phone: '+1 202 555 0143' } });
    // The pull after it sees HubSpot's new lastmodifieddate but the same values: no change back.
    expect(await run(e)).toMatchObject({ status: 'succeeded', pushed: 0, conflicts: 0 });
    expect((await contactsOf(e))[0]).toMatchObject({ title: 'Commodore', phone: '+1 202 555 0143' });
    expect(hs.live()).toHaveLength(1);
  });

  it('a create whose answer was lost is retried into HubSpot’s 409 "Contact already exists": it links that contact, never a second one', async () => {
    const e = await setup('Retry');
    await run(e);
    const local = await app.json('/api/v1/contacts', { method: 'POST', token: e.token, json: { name: 'Katherine Johnson', email: 'katherine@nasa.example' } });
    // HubSpot makes the contact, but the answer is a gateway error: the session retries the POST
    // (safe with an email), HubSpot answers 409, and the contact is written by email and linked.
    hs.failNext(1, { status: 502, effect: () => hs.add({ firstname: 'Katherine', lastname: 'Johnson', email: 'katherine@nasa.example' }) }, (m, p) => m === 'POST' && p === '/crm/v3/objects/contacts');
    expect(await run(e)).toMatchObject({ status: 'succeeded', pushed: 1, linked: 1, errors: 0 });
    expect(hs.requests.filter((r) => r.method === 'POST' && r.path === '/crm/v3/objects/contacts')).toHaveLength(2);
    expect(hs.requests.find((r) => r.method === 'PATCH')!.path).toBe('/crm/v3/objects/contacts/katherine%40nasa.example?idProperty=email');
    expect(hs.live()).toHaveLength(1);
    expect(await remoteOf(e, local.id)).toBe(hs.live()[0]!.id);

    // A process stopped after HubSpot made the contact and before the link was written: the next
    // run's recovery repeats the create intent, which HubSpot answers 409 — still one contact.
    const other = await app.json('/api/v1/contacts', { method: 'POST', token: e.token, json: { name: 'Dorothy Vaughan', email: 'dorothy@nasa.example' } });
    hs.failNext(3, { status: 503, effect: () => hs.live().some((c) => c.properties.email === 'dorothy@nasa.example') || hs.add({ firstname: 'Dorothy', lastname: 'Vaughan', email: 'dorothy@nasa.example' }) }, (m, p) => m === 'POST' && p === '/crm/v3/objects/contacts');
    expect(await run(e)).toMatchObject({ status: 'failed' });
    expect(await remoteOf(e, other.id)).toBeNull();
    expect(await run(e)).toMatchObject({ status: 'succeeded', errors: 0 });
    expect(hs.live().filter((c) => c.properties.email === 'dorothy@nasa.example')).toHaveLength(1);
    expect(await remoteOf(e, other.id)).toBe(hs.live().find((c) => c.properties.email === 'dorothy@nasa.example')!.id);
    expect(await contactsOf(e)).toHaveLength(2);
  });

  it('deletes: an archived HubSpot contact is found by the full reconciliation (search reports no deletes); a local delete archives it at HubSpot', async () => {
    const [keep, gone, doomed] = [hs.add(person(1)), hs.add(person(2)), hs.add(person(3))];
    const e = await setup('Deletes', { deletePolicy: 'mark' });
    expect(await run(e)).toMatchObject({ pulled: 3 });
    hs.archive(gone.id);
    expect(await run(e)).toMatchObject({ status: 'succeeded', mode: 'incremental', deleted: 0 });
    await sql(app.dbUrl, 'update sync_rules set last_full_pull_at = null where id = $1', [e.ruleId]);
    expect(await run(e)).toMatchObject({ status: 'succeeded', mode: 'full', deleted: 1 });
    const locals = await contactsOf(e);
    expect(locals.find((c) => c.email === 'ada2@example.com')!.removed_remotely_at).not.toBeNull();
    expect(locals.find((c) => c.email === 'ada1@example.com')!.removed_remotely_at).toBeNull();

    const doomedLocal = (await linkOf(e, doomed.id))!;
    expect((await app.fetch(`/api/v1/contacts/${doomedLocal}`, { method: 'DELETE', token: e.token })).status).toBe(204);
    hs.requests.length = 0;
    expect(await run(e)).toMatchObject({ status: 'succeeded', deleted: 1, pushed: 1 });
    expect(hs.requests.filter((r) => r.method === 'DELETE').map((r) => r.path)).toEqual([`/crm/v3/objects/contacts/${doomed.id}`]);
    expect(hs.live().map((c) => c.id)).toEqual([keep.id]);
  });

  it('the same field changed on both sides within the grace window: the later (HubSpot) write wins and the conflict is recorded', async () => {
    const c = hs.add(person(7));
    const e = await setup('Conflict');
    await run(e);
    const localId = (await linkOf(e, c.id))!;
    await app.fetch(`/api/v1/contacts/${localId}`, { method: 'PATCH', token: e.token, json: { title: 'Local title' } });
    hs.edit(c.id, { jobtitle: 'HubSpot title' });
    const r = await run(e);
    expect(r).toMatchObject({ status: 'succeeded', conflicts: 1 });
    expect(r.conflict_details[0]).toMatchObject({ field: 'title', localValue: 'Local title', remoteValue: 'HubSpot title', winner: 'remote' });
    expect((await contactsOf(e))[0]!.title).toBe('HubSpot title');
    expect(hs.contacts.get(c.id)!.properties.jobtitle).toBe('HubSpot title');
    const events = await sql<{ data: any }>(app.dbUrl, `select data from domain_events where type = 'sync_conflict' and data->>'localId' = $1`, [localId]);
    expect(events).toHaveLength(1);
  });

  it('a list scope pulls only the list’s members (checked through the Lists API) and adds contacts created here to the list', async () => {
    const [inList, outside] = [hs.add(person(1)), hs.add(person(2))];
    hs.lists.set('77', new Set([inList.id]));
    const e = await setup('List', { scope: { list: '77' } });
    expect(await run(e)).toMatchObject({ status: 'succeeded', pulled: 1 });
    expect((await contactsOf(e)).map((c) => c.email)).toEqual(['ada1@example.com']);
    expect(await linkOf(e, outside.id)).toBeUndefined();
    const read = hs.requests.find((r) => r.path === '/crm/v3/lists/records/memberships/batch/read')!;
    expect(read.body.inputs).toEqual(expect.arrayContaining([{ objectTypeId: '0-1', recordId: inList.id }, { objectTypeId: '0-1', recordId: outside.id }]));

    const local = await app.json('/api/v1/contacts', { method: 'POST', token: e.token, json: { name: 'Mary Jackson', email: 'mary@nasa.example' } });
    expect(await run(e)).toMatchObject({ status: 'succeeded', pushed: 1, errors: 0 });
    const remoteId = (await remoteOf(e, local.id))!;
    expect(hs.requests.find((r) => r.method === 'PUT')).toMatchObject({ path: '/crm/v3/lists/77/memberships/add', body: [remoteId] });
    expect(hs.lists.get('77')!.has(remoteId)).toBe(true);
  });

  it('a search rate limit (429 with Retry-After) is waited out inside the run and noted', async () => {
    hs.add(person(1));
    const e = await setup('Rate limit');
    hs.failNext(1, { status: 429, headers: { 'retry-after': '1', 'x-hubspot-ratelimit-secondly': '5', 'x-hubspot-ratelimit-secondly-remaining': '0' }, body: { status: 'error', message: 'You have reached your secondly limit.', errorType: 'RATE_LIMIT', correlationId: 'aeb5f871-7f07-4993-9211-075dc63e7cbf', policyName: 'SECONDLY' } }, (m, p) => p.endsWith('/search'));
    const r = await run(e);
    expect(r).toMatchObject({ status: 'succeeded', pulled: 1 });
    expect(r.warnings.join('\n')).toMatch(/HubSpot rate-limited the sync; waited 1 s/);
  });

  it('the 10,000-result search window: the pull restarts from the newest lastmodifieddate instead of paging past it (boundary records once)', async () => {
    const base = Date.parse('2026-11-01T00:00:00.000Z');
    // 10,120 contacts; the ones around the 10,000th share one lastmodifieddate, as a bulk import's can.
    for (let i = 0; i < 10_120; i++) hs.add({ firstname: `P${i}`, lastname: 'Bulk', email: `p${i}@bulk.example` }, new Date(base + (i >= 9_995 && i < 10_010 ? 9_995 : i) * 1000).toISOString());
    const e = await setup('Window');
    await sql(app.dbUrl, `update sync_rules set mapping = '[{"local":"name","remote":["firstname","lastname"],"direction":"in","transform":"name_parts"},{"local":"email","remote":"email","direction":"in"}]'::jsonb, direction = 'in' where id = $1`, [e.ruleId]);
    const interval = searchPacer.minIntervalMs;
    searchPacer.minIntervalMs = 0;
    try {
      const r = await run(e, 240_000);
      expect(r).toMatchObject({ status: 'succeeded', pulled: 10_120, errors: 0 });
    } finally {
      searchPacer.minIntervalMs = interval;
    }
    const searches = hs.searches();
    expect(searches.every((s) => Number(s.after) < 10_000)).toBe(true);
    // Restarted once, from the shared time of the boundary records.
    const restarts = searches.filter((s) => s.after === '0');
    expect(restarts.map((s) => s.from)).toEqual([null, new Date(base + 9_995_000).toISOString()]);
    const [{ n, distinct }] = (await sql<{ n: string; distinct: string }>(app.dbUrl, 'select count(*) as n, count(distinct email) as distinct from contacts where workspace_id = $1', [e.workspaceId])) as [{ n: string; distinct: string }];
    expect([Number(n), Number(distinct)]).toEqual([10_120, 10_120]);
  }, 300_000);
});
