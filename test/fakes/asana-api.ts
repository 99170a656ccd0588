/**
 * A stateful Asana for sync tests, answered through nock with the documented shapes
 * (https://developers.asana.com/reference/gettasks, createtask, updatetask, deletetask, getuser):
 * tasks in projects, the `{ data }` envelope, offset pagination with `next_page`, `modified_since`,
 * external gids, and users by gid. Its listing is in gid order, not by modification time, as
 * Asana's is. It keeps an event log for the events API (https://developers.asana.com/reference/getevents):
 * `added`/`removed` with the project as parent, `changed`, `deleted`; sync tokens (a call without
 * one answers 412 with a fresh one, as does a token made stale by `expireTokens`), at most
 * `eventsPerToken` events an answer with `has_more`. A test names the routes it expects (`serve`); each must be used at least once (the
 * shared setup fails a test on an unused mock), and any other request finds no mock and fails.
 */
import { createHmac, randomBytes } from 'node:crypto';
import nock from 'nock';

export const ASANA = 'https://app.asana.com';

export type FakeTask = {
  gid: string;
  name: string;
  notes: string;
  completed: boolean;
  due_on: string | null;
  assignee: string | null;
  tags: string[];
  projects: string[];
  external: string | null;
  created_at: string;
  modified_at: string;
};

export type Route = 'list' | 'get' | 'create' | 'update' | 'delete' | 'users' | 'events' | 'webhooks';
export type FakeWebhook = { gid: string; resource: string; target: string; secret: string; filters: unknown };
export type FakeEvent = { action: 'added' | 'removed' | 'changed' | 'deleted'; task: string; projects: string[]; parent: string | null; created_at: string };
export type Seen = { method: string; path: string; query: URLSearchParams; body: any };

const json = { 'content-type': 'application/json' };
const notFound = [404, { errors: [{ message: 'task: Unknown object: the requested object does not exist.' }] }, json] as const;

export class FakeAsana {
  tasks = new Map<string, FakeTask>();
  users = new Map<string, string>([['1100', 'ada@example.com'], ['1101', 'grace@example.com']]);
  requests: Seen[] = [];
  /** Offsets handed out before this many listings are refused (400), as an expired offset is. */
  expireOffsets = false;
  /** The next creates are made, but their answer is lost (500). */
  loseCreateAnswers = 0;
  private seq = 1_200_000_000_000_000;
  /** Asana's clock: an hour back, a minute per write, so each write is past the feed's 30 s overlap. */
  private clock = Date.now() - 3_600_000;
  private listings = 0;
  events: FakeEvent[] = [];
  /** Asana answers at most 100 events a token. */
  eventsPerToken = 100;
  /** Tokens handed out before the last `expireTokens()` are answered 412. */
  private tokenEpoch = 0;

  /** Every sync token handed out so far is now too old (412 with a fresh one). */
  expireTokens(): void {
    this.tokenEpoch++;
  }

  private log(action: FakeEvent['action'], t: FakeTask, parent: string | null = null): void {
    this.events.push({ action, task: t.gid, projects: parent ? [parent] : [...t.projects], parent, created_at: new Date(this.clock).toISOString() });
  }

  /** The task is deleted in Asana (its `deleted` event is logged). */
  remove(gid: string): void {
    const t = this.tasks.get(gid)!;
    this.tick();
    this.tasks.delete(gid);
    this.log('deleted', t);
  }

  tick(at?: string): string {
    this.clock = at ? Math.max(this.clock, Date.parse(at)) : this.clock + 61_000;
    return at ?? new Date(this.clock).toISOString();
  }

  add(project: string, fields: Partial<FakeTask> = {}): FakeTask {
    const at = this.tick();
    const t: FakeTask = { gid: String(++this.seq), name: 'Untitled', notes: '', completed: false, due_on: null, assignee: null, tags: [], projects: [project], external: null, created_at: at, ...fields, modified_at: at };
    this.tasks.set(t.gid, t);
    for (const p of t.projects) this.log('added', t, p);
    return t;
  }

  edit(gid: string, patch: Partial<FakeTask>, at?: string): FakeTask {
    const t = this.tasks.get(gid)!;
    const before = [...t.projects];
    Object.assign(t, patch, { modified_at: this.tick(at) });
    for (const p of before) if (!t.projects.includes(p)) this.log('removed', t, p);
    for (const p of t.projects) if (!before.includes(p)) this.log('added', t, p);
    this.log('changed', t);
    return t;
  }

  byName(name: string): FakeTask | undefined {
    return [...this.tasks.values()].find((t) => t.name === name);
  }

  of(method: string, prefix: string): Seen[] {
    return this.requests.filter((r) => r.method === method && r.path.startsWith(prefix));
  }

  view(t: FakeTask) {
    return {
      gid: t.gid,
      resource_type: 'task',
      name: t.name,
      notes: t.notes,
      completed: t.completed,
      due_on: t.due_on,
      assignee: t.assignee ? { gid: t.assignee, resource_type: 'user' } : null,
      tags: t.tags.map((name, i) => ({ gid: `77${i}`, resource_type: 'tag', name })),
      created_at: t.created_at,
      modified_at: t.modified_at,
    };
  }

  private userGid(email: unknown): string | null {
    if (email === null || email === undefined) return null;
    const found = [...this.users].find(([, e]) => e === email);
    if (found) return found[0];
    const gid = String(1100 + this.users.size);
    this.users.set(gid, String(email));
    return gid;
  }

  private write(t: FakeTask, data: Record<string, any>): void {
    for (const k of ['name', 'notes', 'completed', 'due_on'] as const) if (k in data) (t as any)[k] = data[k];
    if ('assignee' in data) t.assignee = this.userGid(data.assignee);
  }

  /** nock 15 hands a reply function the fetch `Request`; its body is read from it. */
  private async seen(method: string, req: Request): Promise<{ url: URL; body: any }> {
    const url = new URL(req.url);
    const text = method === 'GET' || method === 'DELETE' ? '' : await req.text();
    const body = text ? JSON.parse(text) : undefined;
    this.requests.push({ method, path: url.pathname, query: url.searchParams, body });
    return { url, body };
  }

  /** Persisted interceptors for these routes (each must be used at least once by the test). */
  serve(routes: Route[]): void {
    const api = nock(ASANA).persist();
    const self = this;
    const task = /^\/api\/1\.0\/tasks\/[^/?]+$/;
    const gidOf = (url: URL) => decodeURIComponent(url.pathname.split('/').pop()!);
    const find = (ref: string) => (ref.startsWith('external:') ? [...self.tasks.values()].find((t) => t.external === ref.slice('external:'.length)) : self.tasks.get(ref));
    if (routes.includes('list')) {
      api.get('/api/1.0/tasks').query(true).reply(async (req: Request) => {
        const { url } = await self.seen('GET', req);
        const q = url.searchParams;
        const project = q.get('project')!;
        const since = q.get('modified_since');
        const limit = Number(q.get('limit') ?? 100);
        const offset = q.get('offset');
        if (offset && self.expireOffsets) return [400, { errors: [{ message: 'offset: Your pagination token has expired.' }] }, json];
        const start = offset ? JSON.parse(Buffer.from(offset, 'base64url').toString()).i : 0;
        const all = [...self.tasks.values()].filter((t) => t.projects.includes(project) && (!since || t.modified_at >= since));
        const page = all.slice(start, start + limit);
        const next = start + limit < all.length ? Buffer.from(JSON.stringify({ i: start + limit, l: ++self.listings })).toString('base64url') : null;
        return [200, { data: page.map((t) => self.view(t)), next_page: next ? { offset: next, path: `/tasks?project=${project}&limit=${limit}&offset=${next}`, uri: `${ASANA}/api/1.0/tasks?offset=${next}` } : null }, json];
      });
    }
    if (routes.includes('get')) {
      api.get(task).query(true).reply(async (req: Request) => {
        const t = find(gidOf((await self.seen('GET', req)).url));
        return t ? [200, { data: self.view(t) }, json] : notFound;
      });
    }
    if (routes.includes('create')) {
      api.post('/api/1.0/tasks').query(true).reply(async (req: Request) => {
        const d = (await self.seen('POST', req)).body.data;
        const t = self.add(d.projects[0], { external: d.external?.gid ?? null });
        self.write(t, d);
        if (self.loseCreateAnswers > 0) {
          self.loseCreateAnswers--;
          return [500, { errors: [{ message: 'Server Error', phrase: '6 sad squid snuggle softly' }] }, json];
        }
        return [201, { data: self.view(t) }, json];
      });
    }
    if (routes.includes('update')) {
      api.put(task).query(true).reply(async (req: Request) => {
        const { url, body } = await self.seen('PUT', req);
        const t = self.tasks.get(gidOf(url));
        if (!t) return notFound;
        self.write(t, body.data);
        t.modified_at = self.tick();
        self.log('changed', t);
        return [200, { data: self.view(t) }, json];
      });
    }
    if (routes.includes('delete')) {
      api.delete(task).query(true).reply(async (req: Request) => {
        const gid = gidOf((await self.seen('DELETE', req)).url);
        if (!self.tasks.has(gid)) return notFound;
        self.remove(gid);
        return [200, { data: {} }, json];
      });
    }
    if (routes.includes('events')) {
      const token = (i: number) => Buffer.from(JSON.stringify({ i, e: self.tokenEpoch })).toString('base64url');
      api.get('/api/1.0/events').query(true).reply(async (req: Request) => {
        const q = (await self.seen('GET', req)).url.searchParams;
        const project = q.get('resource')!;
        const sync = q.get('sync');
        const at = sync ? (JSON.parse(Buffer.from(sync, 'base64url').toString()) as { i: number; e: number }) : null;
        if (!at || at.e !== self.tokenEpoch) {
          const message = 'Sync token invalid or too old. If you are attempting to keep resources in sync, you must fetch the full dataset for this query now and use the new sync token for the next sync.';
          return [412, { errors: [{ message }], sync: token(self.events.length) }, json];
        }
        const mine = self.events.map((ev, i) => ({ ev, i })).filter(({ ev, i }) => i >= at.i && ev.projects.includes(project));
        const page = mine.slice(0, self.eventsPerToken);
        const more = mine.length > page.length;
        const next = more ? page.at(-1)!.i + 1 : self.events.length;
        const data = page.map(({ ev }) => ({
          user: { gid: '1100', resource_type: 'user', name: 'Ada' },
          resource: { gid: ev.task, resource_type: 'task', name: self.tasks.get(ev.task)?.name ?? '' },
          type: 'task',
          action: ev.action,
          parent: ev.parent ? { gid: ev.parent, resource_type: 'project', name: 'Project' } : null,
          created_at: ev.created_at,
        }));
        return [200, { data, sync: token(next), has_more: more }, json];
      });
    }
    if (routes.includes('users')) {
      api.get(/^\/api\/1\.0\/users\/\d+$/).query(true).reply(async (req: Request) => {
        const gid = gidOf((await self.seen('GET', req)).url);
        const email = self.users.get(gid);
        return email ? [200, { data: { gid, resource_type: 'user', email } }, json] : [404, { errors: [{ message: 'user: Unknown object' }] }, json];
      });
    }
  }

  webhooks = new Map<string, FakeWebhook>();

  /**
   * Webhooks as https://developers.asana.com/docs/webhooks-guide describes them: `POST /webhooks`
   * sends the handshake (`X-Hook-Secret`) to the target while the call is in flight and fails the
   * call unless the target echoes it; deliveries are signed with that secret (`X-Hook-Signature`).
   */
  serveWebhooks(opts: { remove?: boolean; refuse?: boolean } = {}): void {
    const api = nock(ASANA).persist();
    const self = this;
    api.post('/api/1.0/webhooks').query(true).reply(async (req: Request) => {
      const d = (await self.seen('POST', req)).body.data;
      // An app registered without the webhooks:write scope.
      if (opts.refuse) return [403, { errors: [{ message: 'Forbidden: this token lacks the webhooks:write scope' }] }, json];
      const secret = randomBytes(32).toString('hex');
      const hs = await fetch(d.target, { method: 'POST', headers: { 'x-hook-secret': secret, 'content-length': '0' } });
      await hs.text();
      if (hs.status !== 200 || hs.headers.get('x-hook-secret') !== secret) {
        return [400, { errors: [{ message: 'Could not complete activation handshake with target URL. Please ensure that the receiving server is accepting connections and supports SSL' }] }, json];
      }
      const hook: FakeWebhook = { gid: String(self.seq++), resource: d.resource, target: d.target, secret, filters: d.filters };
      self.webhooks.set(hook.gid, hook);
      return [201, { data: { gid: hook.gid, resource: { gid: d.resource, name: 'Project' }, target: d.target, active: true }, 'X-Hook-Secret': secret }, json];
    });
    if (opts.remove) api.delete(/^\/api\/1\.0\/webhooks\/\d+$/).query(true).reply(async (req: Request) => {
      const gid = decodeURIComponent(new URL(req.url).pathname.split('/').pop()!);
      await self.seen('DELETE', req);
      return self.webhooks.delete(gid) ? [200, { data: {} }, json] : [404, { errors: [{ message: 'webhook: Unknown object' }] }, json];
    });
  }

  /** Sends the events logged since `from` to every webhook on their project, as Asana does; answers the statuses. */
  async deliver(from: number, opts: { secret?: string } = {}): Promise<number[]> {
    const statuses: number[] = [];
    for (const hook of this.webhooks.values()) {
      const events = this.events.slice(from).filter((ev) => ev.projects.includes(hook.resource) || ev.parent === hook.resource).map((ev) => ({
        user: { gid: '1100', resource_type: 'user' },
        created_at: ev.created_at,
        action: ev.action,
        resource: { gid: ev.task, resource_type: 'task', resource_subtype: 'default_task' },
        parent: ev.parent ? { gid: ev.parent, resource_type: 'project', resource_subtype: null } : null,
      }));
      if (!events.length) continue;
      const body = JSON.stringify({ events });
      const sig = createHmac('sha256', opts.secret ?? hook.secret).update(body).digest('hex');
      const res = await fetch(hook.target, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hook-signature': sig }, body });
      await res.text();
      statuses.push(res.status);
    }
    return statuses;
  }
}
