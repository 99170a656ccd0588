/**
 * A local HubSpot for the contacts adapter's engine tests, built from the shapes of HubSpot's v3
 * contacts and lists descriptions (test/contracts/cuts/hubspot-crm.openapi.json): CRM search with
 * filter groups, one sort, `after` offsets and the 10,000-result limit (a request for `after` ≥
 * 10,000 answers 400, as HubSpot does), contacts unique by email (409 "Contact already exists"),
 * archive on delete (archived contacts leave search and GET), `idProperty=email`, and list
 * memberships. Every property is a string; `lastmodifieddate` moves on each write.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export const HUBSPOT_TOKEN = 'CKDZpunPLhICAQEYs-gDIIGOBii1hQIyGQAf3xBKEgsYjYMJVvlHEz9tFHAwSq1TQAM40s0D';

export type FakeContact = { id: string; properties: Record<string, string>; createdAt: string; updatedAt: string; archived: boolean };
/** `effect` runs when the failure is served (e.g. HubSpot did the write, then the answer was lost). */
type Failure = { status: number; body?: unknown; headers?: Record<string, string>; effect?: () => void };
type Filter = { propertyName: string; operator: string; value?: string };

export type FakeHubSpot = {
  url: string;
  contacts: Map<string, FakeContact>;
  /** listId → member contact ids. */
  lists: Map<string, Set<string>>;
  requests: Array<{ method: string; path: string; body: any }>;
  /** The next `n` requests matching `match` answer `f` instead. */
  failNext(n: number, f: Failure, match?: (method: string, path: string) => boolean): void;
  /** A contact as a HubSpot user would add it; `at` pins its lastmodifieddate (ISO). */
  add(properties: Record<string, string>, at?: string): FakeContact;
  edit(id: string, properties: Record<string, string>, at?: string): FakeContact;
  archive(id: string): void;
  live(): FakeContact[];
  searches(): Array<{ after: string; from: string | null; limit: number }>;
  close(): Promise<void>;
};

let clock = Date.parse('2026-11-29T08:00:00.000Z');
/** Strictly increasing ms: two writes never share a lastmodifieddate unless a test pins one. */
function tick(): string {
  clock = Math.max(clock + 1, Date.now());
  return new Date(clock).toISOString();
}

async function readBody(req: IncomingMessage): Promise<any> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined;
}

const error = (message: string, category: string) => ({ status: 'error', message, correlationId: 'aeb5f871-7f07-4993-9211-075dc63e7cbf', category });

function compare(c: FakeContact, f: Filter): boolean {
  const v = c.properties[f.propertyName];
  const time = (s: string | undefined) => (s === undefined ? NaN : /^\d+$/.test(s) ? Number(s) : Date.parse(s));
  switch (f.operator) {
    case 'EQ':
      return f.propertyName === 'email' ? v?.toLowerCase() === f.value?.toLowerCase() : f.propertyName === 'lastmodifieddate' ? time(v) === time(f.value) : v === f.value;
    case 'GTE':
      return time(v) >= time(f.value);
    case 'GT':
      return time(v) > time(f.value);
    default:
      throw new Error(`the fake does not know operator ${f.operator}`);
  }
}

export async function startFakeHubSpot(): Promise<FakeHubSpot> {
  const contacts = new Map<string, FakeContact>();
  const lists = new Map<string, Set<string>>();
  const requests: FakeHubSpot['requests'] = [];
  const failures: Array<{ n: number; f: Failure; match: (m: string, p: string) => boolean }> = [];
  let seq = 100;

  const add = (properties: Record<string, string>, at?: string): FakeContact => {
    const now = at ?? tick();
    const id = String(++seq);
    const c: FakeContact = { id, properties: { ...properties, createdate: now, lastmodifieddate: now, hs_object_id: id }, createdAt: now, updatedAt: now, archived: false };
    contacts.set(id, c);
    return c;
  };
  const edit = (id: string, properties: Record<string, string>, at?: string): FakeContact => {
    const c = contacts.get(id);
    if (!c || c.archived) throw new Error(`no contact ${id}`);
    const now = at ?? tick();
    Object.assign(c.properties, properties, { lastmodifieddate: now });
    c.updatedAt = now;
    return c;
  };
  const byEmail = (email: string) => [...contacts.values()].find((c) => !c.archived && c.properties.email?.toLowerCase() === email.toLowerCase());
  /** The object as the API answers it: the asked-for properties (null when unset), or all set ones. */
  const view = (c: FakeContact, asked?: string[]) => ({
    id: c.id,
    properties: asked ? Object.fromEntries(asked.map((p) => [p, c.properties[p] ?? null])) : { ...c.properties },
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
    archived: false,
  });

  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const method = req.method ?? 'GET';
    const body = await readBody(req);
    requests.push({ method, path: url.pathname + url.search, body });
    const send = (status: number, payload?: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json;charset=utf-8', ...headers });
      res.end(payload === undefined ? '' : JSON.stringify(payload));
    };
    const failure = failures.find((f) => f.n > 0 && f.match(method, url.pathname));
    if (failure) {
      failure.n--;
      failure.f.effect?.();
      return send(failure.f.status, failure.f.body ?? error(`failure ${failure.f.status}`, 'ERROR'), failure.f.headers);
    }
    if (req.headers.authorization !== `Bearer ${HUBSPOT_TOKEN}`) return send(401, error('Authentication credentials not found.', 'INVALID_AUTHENTICATION'));
    const p = url.pathname;

    if (method === 'POST' && p === '/crm/v3/objects/contacts/search') {
      const limit = Number(body.limit ?? 10);
      const after = Number(body.after ?? 0);
      if (limit > 200) return send(400, error('limit must be at most 200', 'VALIDATION_ERROR'));
      if (after >= 10_000) return send(400, error('The maximum number of results a search can return is 10,000: after must be less than 10000.', 'VALIDATION_ERROR'));
      const groups: Array<{ filters: Filter[] }> = body.filterGroups ?? [];
      const sort = body.sorts?.[0] as { propertyName: string; direction?: string } | undefined;
      if (sort && typeof sort !== 'object') return send(400, error('sorts must be objects here', 'VALIDATION_ERROR'));
      let found = [...contacts.values()].filter((c) => !c.archived && (!groups.length || groups.some((g) => g.filters.every((f) => compare(c, f)))));
      // HubSpot orders ties its own way: by id here, descending, so a test cannot lean on it.
      found.sort((a, b) => Number(b.id) - Number(a.id));
      if (sort) {
        const key = (c: FakeContact) => Date.parse(c.properties[sort.propertyName] ?? '') || 0;
        found = found.sort((a, b) => (key(a) - key(b)) * (sort.direction === 'DESCENDING' ? -1 : 1));
      }
      const page = found.slice(after, after + limit);
      const next = after + limit < found.length ? String(after + limit) : undefined;
      return send(200, { total: found.length, results: page.map((c) => view(c, body.properties)), ...(next ? { paging: { next: { after: next, link: `?after=${next}` } } } : {}) });
    }

    if (method === 'POST' && p === '/crm/v3/objects/contacts') {
      const props: Record<string, string> = body.properties;
      const existing = props.email ? byEmail(props.email) : undefined;
      if (existing) return send(409, error(`Contact already exists. Existing ID: ${existing.id}`, 'CONFLICT'));
      return send(201, view(add(props)));
    }

    const one = p.match(/^\/crm\/v3\/objects\/contacts\/([^/]+)$/);
    if (one) {
      const key = decodeURIComponent(one[1]!);
      const c = url.searchParams.get('idProperty') === 'email' ? byEmail(key) : contacts.get(key);
      if (!c || c.archived) return send(404, error('Object not found.', 'OBJECT_NOT_FOUND'));
      if (method === 'GET') return send(200, view(c, url.searchParams.get('properties')?.split(',')));
      if (method === 'PATCH') return send(200, view(edit(c.id, body.properties)));
      if (method === 'DELETE') {
        c.archived = true;
        res.writeHead(204).end();
        return;
      }
    }

    if (method === 'POST' && p === '/crm/v3/lists/records/memberships/batch/read') {
      const results = (body.inputs as Array<{ recordId: string }>).map(({ recordId }) => ({
        objectTypeId: '0-1',
        recordId,
        recordListMemberships: [...lists].filter(([, ids]) => ids.has(recordId)).map(([listId]) => ({ listId, listVersion: 1 })),
      }));
      const now = new Date().toISOString();
      return send(200, { status: 'COMPLETE', results, startedAt: now, completedAt: now });
    }
    const add_ = p.match(/^\/crm\/v3\/lists\/([^/]+)\/memberships\/add$/);
    if (method === 'PUT' && add_) {
      const list = lists.get(add_[1]!);
      if (!list) return send(404, error('List not found.', 'OBJECT_NOT_FOUND'));
      for (const id of body as string[]) list.add(id);
      return send(200, { recordIdsMissing: [], recordIdsRemoved: [], recordsIdsAdded: body });
    }
    send(404, error(`no route ${method} ${p}`, 'OBJECT_NOT_FOUND'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    contacts,
    lists,
    requests,
    failNext(n, f, match = () => true) {
      failures.push({ n, f, match });
    },
    add,
    edit,
    archive(id) {
      contacts.get(id)!.archived = true;
    },
    live: () => [...contacts.values()].filter((c) => !c.archived),
    searches: () =>
      requests
        .filter((r) => r.method === 'POST' && r.path === '/crm/v3/objects/contacts/search')
        .map((r) => ({ after: r.body.after, from: r.body.filterGroups[0] ? new Date(Number(r.body.filterGroups[0].filters[0].value)).toISOString() : null, limit: r.body.limit })),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
