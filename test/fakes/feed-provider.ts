/**
 * A minimal third-party service for engine tests: a local HTTP server holding "items" (tasks)
 * whose change feed reports NO deletes (deleted items simply vanish), with timestamp cursors, no
 * idempotency keys (creates carry an `external_id` marker instead), and switches to fail, slow
 * down or expire cursors. Its provider (`feedfake`) and task adapter are built like any provider
 * folder's; tests add it to the registry with `vi.mock` (see ./registry.ts).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { AppError } from '../../src/errors.ts';
import { defineProvider } from '../../src/providers/_shared/define.ts';
import type { ProviderDefinition } from '../../src/providers/types.ts';
import type { ObjectAdapter, RemoteRecord } from '../../src/sync/types.ts';

export type FeedItem = { id: string; title: string; description: string | null; status: 'open' | 'done'; dueDate: string | null; external_id: string | null; updated_at: string };
type Failure = { status: number; headers?: Record<string, string>; body?: unknown };

export type FeedServer = {
  url: string;
  items: Map<string, FeedItem>;
  requests: Array<{ method: string; path: string }>;
  /** The next matching requests answer with this failure instead. */
  failNext(n: number, f: Failure, match?: (method: string, path: string) => boolean): void;
  /** Feed pages wait this long before answering (to keep a step busy). */
  pageDelayMs: number;
  /** The most feed pages ever served at the same time (a sync must never overlap itself). */
  readonly maxConcurrentPages: number;
  /** `since` cursors older than this answer 410 (expired). */
  expireBefore: string | null;
  /** Changes an item the way a user of the service would (bumps updated_at). */
  edit(id: string, patch: Partial<FeedItem>, at?: string): FeedItem;
  add(fields: Partial<FeedItem>): FeedItem;
  /** Deletes an item: it simply disappears from the feed. */
  remove(id: string): void;
  close(): Promise<void>;
};

let clock = Date.parse('2026-11-29T08:00:00.000Z');
/** Strictly increasing server time (ms), so two writes never share an updated_at. */
function tick(): string {
  clock = Math.max(clock + 1, Date.now());
  return new Date(clock).toISOString();
}

async function body(req: IncomingMessage): Promise<any> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined;
}

export async function startFeedServer(): Promise<FeedServer> {
  const items = new Map<string, FeedItem>();
  const requests: FeedServer['requests'] = [];
  const failures: Array<{ n: number; f: Failure; match: (m: string, p: string) => boolean }> = [];
  let seq = 0;
  const state = { pageDelayMs: 0, expireBefore: null as string | null, inFlight: 0, maxInFlight: 0 };
  const add = (fields: Partial<FeedItem>): FeedItem => {
    const item: FeedItem = { id: `it_${++seq}`, title: 'Untitled', description: null, status: 'open', dueDate: null, external_id: null, ...fields, updated_at: tick() };
    items.set(item.id, item);
    return item;
  };
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const method = req.method ?? 'GET';
    requests.push({ method, path: url.pathname + url.search });
    const send = (status: number, payload?: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(payload === undefined ? '' : JSON.stringify(payload));
    };
    const failure = failures.find((f) => f.n > 0 && f.match(method, url.pathname));
    if (failure) {
      failure.n--;
      return send(failure.f.status, failure.f.body ?? { error: `failure ${failure.f.status}` }, failure.f.headers);
    }
    if (req.headers.authorization !== 'Bearer feed-key') return send(401, { error: 'bad key' });
    const m = url.pathname.match(/^\/items(?:\/([^/]+))?$/);
    if (url.pathname === '/me') return send(200, { id: 'acct_1', name: 'Feed Co' });
    if (!m) return send(404, { error: 'no route' });
    const id = m[1];
    if (method === 'GET' && !id) {
      const ext = url.searchParams.get('external_id');
      if (ext) return send(200, { items: [...items.values()].filter((i) => i.external_id === ext), next_offset: null });
      const since = url.searchParams.get('since');
      if (since && state.expireBefore && since < state.expireBefore) return send(410, { error: 'cursor expired' });
      const offset = Number(url.searchParams.get('offset') ?? 0);
      const limit = Number(url.searchParams.get('limit') ?? 50);
      const all = [...items.values()].filter((i) => !since || i.updated_at >= since).sort((a, b) => a.updated_at.localeCompare(b.updated_at) || a.id.localeCompare(b.id));
      state.inFlight++;
      state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
      if (state.pageDelayMs) await sleep(state.pageDelayMs);
      state.inFlight--;
      const page = all.slice(offset, offset + limit);
      return send(200, { items: page, next_offset: offset + limit < all.length ? offset + limit : null });
    }
    const item = id ? items.get(id) : undefined;
    if (method === 'POST' && !id) return send(201, add(await body(req)));
    if (!item) return send(404, { error: 'not found' });
    if (method === 'GET') return send(200, item);
    if (method === 'PATCH') {
      Object.assign(item, await body(req), { updated_at: tick() });
      return send(200, item);
    }
    if (method === 'DELETE') {
      items.delete(item.id);
      return send(204);
    }
    send(405, { error: 'method' });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    items,
    requests,
    failNext: (n, f, match = () => true) => void failures.push({ n, f, match }),
    get maxConcurrentPages() {
      return state.maxInFlight;
    },
    get pageDelayMs() {
      return state.pageDelayMs;
    },
    set pageDelayMs(v) {
      state.pageDelayMs = v;
    },
    get expireBefore() {
      return state.expireBefore;
    },
    set expireBefore(v) {
      state.expireBefore = v;
    },
    edit(id, patch, at) {
      const item = items.get(id)!;
      Object.assign(item, patch, { updated_at: at ?? tick() });
      return item;
    },
    add,
    remove: (id) => void items.delete(id),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const definition = (slug: string, displayName: string) => ({
  slug,
  displayName,
  category: 'project_management',
  docsUrl: 'https://feed.example.com/docs',
  auth: { credentials: { kind: 'api_key', fields: [{ name: 'apiKey', label: 'API key', secret: true }], instructions: 'Any key; the fake accepts feed-key.' } },
  apiBaseUrl: 'https://feed.example.com',
  rateLimit: { signals: [] },
  objects: [{ name: 'tasks', direction: 'both', scopes: [] }],
}) satisfies ProviderDefinition;

const itemSchema = z.object({ id: z.string(), title: z.string(), description: z.string().nullable(), status: z.enum(['open', 'done']), dueDate: z.string().nullable(), external_id: z.string().nullable(), updated_at: z.string() });
const toRecord = (i: z.output<typeof itemSchema>): RemoteRecord => ({ id: i.id, updatedAt: i.updated_at, fields: { title: i.title, description: i.description, status: i.status, dueDate: i.dueDate } });
type Cursor = { since: string | null; offset: number; max: string | null };

export const feedTasks: ObjectAdapter = {
  remoteObject: 'tasks',
  localObject: 'tasks',
  fields: [
    { name: 'title', type: 'string', required: true },
    { name: 'description', type: 'text' },
    { name: 'status', type: 'enum', values: ['open', 'done'] },
    { name: 'dueDate', type: 'date' },
  ],
  aliases: {},
  reportsDeletes: false,
  async listChanged(ctx, req) {
    const c = (req.cursor as Cursor | null) ?? { since: null, offset: 0, max: null };
    const res = await ctx.http.request<{ items: unknown[]; next_offset: number | null }>({
      url: '/items',
      query: { since: c.since ?? undefined, offset: c.offset, limit: req.pageSize },
      allowStatuses: [410],
    });
    if (res.status === 410) throw new AppError('sync_cursor_expired', 'Feed Fake no longer accepts the sync cursor');
    const items = z.array(itemSchema).parse(res.body.items);
    const max = items.reduce<string | null>((m, i) => (!m || i.updated_at > m ? i.updated_at : m), c.max);
    const more = res.body.next_offset !== null;
    // Drained: the next pull starts at the newest change seen (inclusive; the engine skips repeats).
    const cursor: Cursor = more ? { since: c.since, offset: res.body.next_offset!, max } : { since: max ?? c.since, offset: 0, max: null };
    return { records: items.map(toRecord), cursor, hasMore: more };
  },
  async get(ctx, id) {
    const res = await ctx.http.request({ url: `/items/${encodeURIComponent(id)}`, allowStatuses: [404] });
    return res.status === 404 ? null : toRecord(itemSchema.parse(res.body));
  },
  async create(ctx, fields, opts) {
    const res = await ctx.http.request({ method: 'POST', url: '/items', body: { ...fields, external_id: opts.idempotencyKey } });
    return toRecord(itemSchema.parse(res.body));
  },
  async findByMarker(ctx, key) {
    const res = await ctx.http.request<{ items: unknown[] }>({ url: '/items', query: { external_id: key } });
    const [first] = z.array(itemSchema).parse(res.body.items);
    return first ? toRecord(first) : null;
  },
  async update(ctx, id, fields) {
    const res = await ctx.http.request({ method: 'PATCH', url: `/items/${encodeURIComponent(id)}`, body: fields });
    return toRecord(itemSchema.parse(res.body));
  },
  async delete(ctx, id) {
    await ctx.http.request({ method: 'DELETE', url: `/items/${encodeURIComponent(id)}`, allowStatuses: [404] });
  },
};

const testSpec = { path: '/me', response: z.object({ id: z.string(), name: z.string() }), account: (b: { id: string; name: string }) => ({ id: b.id, name: b.name }) };
/** `feedfake` (PROVIDER_FEEDFAKE_BASE_URL) and a second one, `feedfake2`, to sync one record to two services. */
export const feedProvider = defineProvider(definition('feedfake', 'Feed Fake'), { test: testSpec }, [feedTasks]);
export const feedProvider2 = defineProvider(definition('feedfake2', 'Feed Fake 2'), { test: testSpec }, [feedTasks]);
