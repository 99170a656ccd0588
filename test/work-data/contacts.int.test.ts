import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorBody, json, startTestApp, type TestApp } from '../helpers/app.ts';
import { memberWithToken } from '../helpers/members.ts';
import { sql } from '../helpers/sql.ts';
import { eventsOf, otherWorkspace, sameTransaction } from './support.ts';

let app: TestApp;
let member: { token: string; member: { id: string } };
beforeAll(async () => {
  app = await startTestApp();
  member = await memberWithToken(app, 'member', 'mia@example.com');
});
afterAll(async () => {
  await app.close();
});

const grace = { name: 'Grace Hopper', email: 'grace@navy.example', phone: '+1 (202) 555-0143', company: 'US Navy', title: 'Rear Admiral' };

async function create(body: Record<string, unknown> = grace, token = member.token) {
  const res = await app.fetch('/api/v1/contacts', { method: 'POST', json: body, token });
  expect(res.status).toBe(201);
  return (await json(res)) as { id: string; updatedAt: string; [k: string]: unknown };
}
const patch = (id: string, body: unknown, token = member.token) => app.fetch(`/api/v1/contacts/${id}`, { method: 'PATCH', json: body, token });

describe('contacts', () => {
  it('lets a Member create, change and delete a contact, each with its event in the same transaction', async () => {
    const contact = await create();
    expect(contact).toMatchObject({ ...grace, createdBy: member.member.id, deletedAt: null });
    const [row] = await sql(app.dbUrl, 'select name, email, phone, company, title from contacts where id = $1', [contact.id]);
    expect(row).toEqual(grace);
    expect(await app.json(`/api/v1/contacts/${contact.id}`, { token: member.token })).toEqual(contact);

    const res = await patch(contact.id, { title: 'Commodore', phone: null });
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ ...grace, title: 'Commodore', phone: null });
    expect((await app.fetch(`/api/v1/contacts/${contact.id}`, { method: 'DELETE', token: member.token })).status).toBe(204);

    const events = await eventsOf(app, contact.id);
    expect(events.map((e) => e.type)).toEqual(['contact_added', 'contact_updated', 'contact_deleted']);
    for (const e of events) expect(e).toMatchObject({ via: 'api', actor_member_id: member.member.id });
    expect(events[1]!.data).toEqual({ changedFields: ['phone', 'title'], previous: { phone: grace.phone, title: grace.title }, origin: null });
    expect(events[2]!.snapshot.deletedAt).toEqual(expect.any(String));
    expect(await sameTransaction(app, 'contacts', contact.id, events[2]!.txid)).toBe(true);

    expect((await app.fetch(`/api/v1/contacts/${contact.id}`, { token: member.token })).status).toBe(404);
    const ids = async (q: string) => (await app.json(`/api/v1/contacts?limit=200${q}`, { token: member.token })).data.map((c: { id: string }) => c.id);
    expect(await ids('')).not.toContain(contact.id);
    expect(await ids('&include_deleted=true')).toContain(contact.id);
  });

  it('emits nothing for an update that changes nothing', async () => {
    const contact = await create();
    const res = await patch(contact.id, { name: grace.name, email: grace.email });
    expect(res.status).toBe(200);
    expect((await json(res)).updatedAt).toBe(contact.updatedAt);
    expect((await eventsOf(app, contact.id)).map((e) => e.type)).toEqual(['contact_added']);
  });

  it.each([
    [{ name: 'x', email: 'grace-at-navy' }, 'email'],
    [{ name: 'x', phone: 'call me maybe' }, 'phone'],
    [{ name: '' }, 'name'],
    [{ email: 'a@b.example' }, 'name'],
    [{ name: 'x', nickname: 'amazing' }, ''],
  ])('refuses %j with a 400 naming %s', async (body, path) => {
    const res = await app.fetch('/api/v1/contacts', { method: 'POST', json: body, token: member.token });
    expect(res.status).toBe(400);
    expect((await errorBody(res)).details).toEqual(expect.arrayContaining([expect.objectContaining({ location: 'body', path })]));
  });

  it('pages oldest change first and filters by updated_since', async () => {
    const ws = await otherWorkspace(app, 'contacts-paging');
    const a = await create({ name: 'A' }, ws.token);
    const b = await create({ name: 'B' }, ws.token);
    const page1 = await app.json('/api/v1/contacts?limit=1', { token: ws.token });
    expect(page1.data.map((c: { id: string }) => c.id)).toEqual([a.id]);
    const page2 = await app.json(`/api/v1/contacts?limit=1&cursor=${page1.nextCursor}`, { token: ws.token });
    expect(page2).toEqual({ data: [b], nextCursor: null });
    const feed = await app.json(`/api/v1/contacts?updated_since=${encodeURIComponent(b.updatedAt)}`, { token: ws.token });
    expect(feed.data.map((c: { id: string }) => c.id)).toEqual([b.id]);
  });

  it("answers 404 for another workspace's contact and leaves it alone", async () => {
    const contact = await create();
    const other = await otherWorkspace(app, 'contacts-elsewhere');
    for (const init of [{}, { method: 'PATCH', json: { name: 'Mallory' } }, { method: 'DELETE' }]) {
      const res = await app.fetch(`/api/v1/contacts/${contact.id}`, { ...init, token: other.token });
      expect(res.status).toBe(404);
      expect((await errorBody(res)).code).toBe('not_found');
    }
    expect((await app.json('/api/v1/contacts', { token: other.token })).data).toEqual([]);
    const [row] = await sql(app.dbUrl, 'select name, deleted_at from contacts where id = $1', [contact.id]);
    expect(row).toEqual({ name: grace.name, deleted_at: null });
  });
});
