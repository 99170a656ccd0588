/**
 * A stateful Google Calendar (events only) behind nock, built from Google's documented behaviour
 * (https://developers.google.com/workspace/calendar/api/guides/sync and the events reference):
 * - events.list pages with `pageToken`, ends with `nextSyncToken`; with `syncToken` it returns
 *   what changed since (cancelled events included) and refuses timeMin/timeMax/orderBy/q/… (400);
 *   an expired token is `410 Gone` with reason `fullSyncRequired`;
 * - it serves `singleEvents=true` only (recurring events are stored as their instances, as
 *   Google lists them with it) and cancelled events only with `showDeleted` or a sync token;
 * - events.insert takes a client id (base32hex, 5–1024), `409` when it exists;
 * - events.update (PUT) honours `If-Match` (412); events.delete marks cancelled (`410` after).
 *
 * - push channels (https://developers.google.com/workspace/calendar/api/guides/push):
 *   events.watch opens one (unique channel id ≤ 64, `web_hook`, an HTTPS address, a token ≤ 256;
 *   expiry = `params.ttl` seconds, a week when absent) and answers `{ id, resourceId, expiration }`
 *   with one resource id per calendar; channels.stop `{ id, resourceId }` stops it (404 when
 *   unknown or stopped); `notify` sends a notification to a channel's address as Google does — a
 *   body-less POST with the X-Goog-* headers, message numbers counting up per channel.
 *
 * Routes are persisted nock interceptors, installed per test for the calls it makes (every
 * installed route must be used: the test setup refuses unused mocks). Every request is recorded
 * for the contract checks.
 */
import nock from 'nock';
import type { Recorded } from '../contracts/describe.ts';

export const GOOGLE_API = 'https://www.googleapis.com';
type Ev = Record<string, any> & { id: string; status: string; updated: string; etag: string };
type Route = 'list' | 'get' | 'insert' | 'update' | 'delete' | 'watch' | 'stop';
export type FakeChannel = { id: string; resourceId: string; calendarId: string; address: string; token: string | undefined; expiration: number; stopped: boolean; messages: number };

const EVENTS = /^\/calendar\/v3\/calendars\/([^/?]+)\/events(?:\?.*)?$/;
const EVENT = /^\/calendar\/v3\/calendars\/([^/?]+)\/events\/([^/?]+)(?:\?.*)?$/;
const WATCH = /^\/calendar\/v3\/calendars\/([^/?]+)\/events\/watch(?:\?.*)?$/;
const STOP = /^\/calendar\/v3\/channels\/stop(?:\?.*)?$/;
const json = { 'content-type': 'application/json; charset=UTF-8' };
const FORBIDDEN_WITH_SYNC_TOKEN = ['iCalUID', 'orderBy', 'privateExtendedProperty', 'q', 'sharedExtendedProperty', 'timeMin', 'timeMax', 'updatedMin'];

const error = (code: number, reason: string, message: string, domain = 'global') => ({ error: { errors: [{ domain, reason, message }], code, message } });

export class FakeGoogleCalendar {
  /** calendarId → id → event, with the change sequence of its last write. */
  private readonly store = new Map<string, Map<string, { ev: Ev; seq: number }>>();
  private seq = 0;
  private etags = 0;
  /** Sync tokens of an earlier generation are refused with 410. */
  private generation = 1;
  readonly requests: Recorded[] = [];
  /** Every channel opened, by channel id (stopped ones stay, marked). */
  readonly channels = new Map<string, FakeChannel>();

  private calendar(id: string) {
    let c = this.store.get(id);
    if (!c) this.store.set(id, (c = new Map()));
    return c;
  }

  /** A change made at Google (by a person): stored as given, `updated` now. */
  put(calendarId: string, ev: Record<string, any> & { id: string }): Ev {
    const prev = this.calendar(calendarId).get(ev.id)?.ev;
    const next: Ev = { kind: 'calendar#event', status: 'confirmed', created: prev?.created ?? new Date().toISOString(), ...prev, ...ev, updated: new Date().toISOString(), etag: `"${++this.etags}"` };
    this.calendar(calendarId).set(ev.id, { ev: next, seq: ++this.seq });
    return next;
  }

  /** A delete at Google: the event stays, cancelled (as Google keeps it for sync). */
  cancel(calendarId: string, id: string): void {
    this.put(calendarId, { id, status: 'cancelled' });
  }

  event(calendarId: string, id: string): Ev | undefined {
    return this.calendar(calendarId).get(id)?.ev;
  }

  events(calendarId: string): Ev[] {
    return [...this.calendar(calendarId).values()].map((e) => e.ev);
  }

  /** Invalidates every sync token issued so far (Google's 410 `fullSyncRequired`). */
  expireSyncTokens(): void {
    this.generation++;
  }

  serve(...routes: Route[]): void {
    type Reply = [number, unknown, Record<string, string>?];
    /** nock 15 hands the reply function the fetch Request. */
    const handle = (fn: (req: Request, path: string, body: Record<string, any> | undefined) => Reply) => async (req: Request) => {
      const url = new URL(req.url);
      const text = await req.text();
      this.requests.push({ method: req.method, url, headers: new Headers(req.headers), body: text });
      return fn(req, url.pathname, text ? JSON.parse(text) : undefined);
    };
    const scope = nock(GOOGLE_API).persist();
    const target = (path: string) => {
      const [, cal, id] = EVENT.exec(path) ?? EVENTS.exec(path)!;
      return { cal: decodeURIComponent(cal!), id: id === undefined ? '' : decodeURIComponent(id) };
    };
    if (routes.includes('list')) {
      scope.get(EVENTS).reply(handle((req, path) => this.list(target(path).cal, new URL(req.url).searchParams)));
    }
    if (routes.includes('get')) {
      scope.get(EVENT).reply(
        handle((_req, path) => {
          const ev = this.event(target(path).cal, target(path).id);
          return ev ? [200, ev, json] : [404, error(404, 'notFound', 'Not Found'), json];
        }),
      );
    }
    if (routes.includes('insert')) {
      scope.post(EVENTS).reply(
        handle((_req, path, body = {}) => {
          const { cal } = target(path);
          if (typeof body.id !== 'string' || !/^[0-9a-v]{5,1024}$/.test(body.id)) return [400, error(400, 'invalid', 'Invalid resource id value.'), json];
          if (!body.start || !body.end) return [400, error(400, 'required', 'Missing end time.'), json];
          if (this.event(cal, body.id)) return [409, error(409, 'duplicate', 'The requested identifier already exists.'), json];
          return [200, this.put(cal, { ...body, id: body.id, htmlLink: `https://www.google.com/calendar/event?eid=${body.id}`, organizer: { email: 'ada@example.com', self: true } }), json];
        }),
      );
    }
    if (routes.includes('update')) {
      scope.put(EVENT).reply(
        handle((req, path, body = {}) => {
          const { cal, id } = target(path);
          const ev = this.event(cal, id);
          if (!ev) return [404, error(404, 'notFound', 'Not Found'), json];
          const ifMatch = req.headers.get('if-match');
          if (ifMatch && ifMatch !== ev.etag) return [412, error(412, 'conditionNotMet', 'Precondition Failed'), json];
          const { etag: _e, updated: _u, ...rest } = body;
          this.calendar(cal).delete(id);
          return [200, this.put(cal, { ...rest, id, created: ev.created }), json];
        }),
      );
    }
    if (routes.includes('delete')) {
      scope.delete(EVENT).reply(
        handle((_req, path) => {
          const { cal, id } = target(path);
          const ev = this.event(cal, id);
          if (!ev) return [404, error(404, 'notFound', 'Not Found'), json];
          if (ev.status === 'cancelled') return [410, error(410, 'deleted', 'Resource has been deleted'), json];
          this.cancel(cal, id);
          return [204, ''];
        }),
      );
    }
    if (routes.includes('watch')) scope.post(WATCH).reply(handle((_req, path, body = {}) => this.watch(decodeURIComponent(WATCH.exec(path)![1]!), body)));
    if (routes.includes('stop')) scope.post(STOP).reply(handle((_req, _path, body = {}) => this.stop(body)));
  }

  private watch(calendarId: string, body: Record<string, any>): [number, unknown, Record<string, string>] {
    const id = body.id;
    if (typeof id !== 'string' || !/^[A-Za-z0-9\-_+/=]{1,64}$/.test(id)) return [400, error(400, 'invalid', 'Invalid channel id.'), json];
    if (this.channels.has(id)) return [400, error(400, 'channelIdNotUnique', `Channel id ${id} not unique`, 'push'), json];
    if (body.type !== 'web_hook') return [400, error(400, 'invalid', 'Unknown channel type.'), json];
    if (typeof body.address !== 'string' || !body.address.startsWith('https://')) return [400, error(400, 'push.webhookUrlNotHttps', 'WebHook callback must be HTTPS: ' + String(body.address), 'push'), json];
    if (body.token !== undefined && (typeof body.token !== 'string' || body.token.length > 256)) return [400, error(400, 'invalid', 'Invalid channel token.'), json];
    const ttl = body.params?.ttl === undefined ? 604_800 : Number(body.params.ttl);
    const channel: FakeChannel = { id, resourceId: this.resourceIdOf(calendarId), calendarId, address: body.address, token: body.token, expiration: Date.now() + ttl * 1000, stopped: false, messages: 0 };
    this.channels.set(id, channel);
    const resourceUri = `${GOOGLE_API}/calendar/v3/calendars/${encodeURIComponent(calendarId)}/events?alt=json`;
    return [200, { kind: 'api#channel', id, resourceId: channel.resourceId, resourceUri, ...(body.token ? { token: body.token } : {}), expiration: String(channel.expiration) }, json];
  }

  private stop(body: Record<string, any>): [number, unknown, Record<string, string>?] {
    const channel = typeof body.id === 'string' ? this.channels.get(body.id) : undefined;
    if (!channel || channel.stopped || channel.resourceId !== body.resourceId) return [404, error(404, 'notFound', `Channel '${String(body.id)}' not found for project '123456789'`), json];
    channel.stopped = true;
    return [204, ''];
  }

  /** Google's resource id names the watched collection: one per calendar, the same for every channel on it. */
  private resourceIdOf(calendarId: string): string {
    return `rid-${Buffer.from(calendarId).toString('base64url').slice(0, 20)}`;
  }

  /** The channels open on a calendar now. */
  live(calendarId = 'primary'): FakeChannel[] {
    return [...this.channels.values()].filter((c) => c.calendarId === calendarId && !c.stopped);
  }

  /**
   * Sends a notification of channel `id` as Google would: POST, no body, its X-Goog-* headers.
   * `to` maps the channel's (public, https) address to where the test app listens.
   */
  async notify(id: string, state: 'sync' | 'exists' | 'not_exists', to: (address: string) => string, over: { token?: string; messageNumber?: number } = {}): Promise<Response> {
    const c = this.channels.get(id);
    if (!c) throw new Error(`no channel ${id}`);
    const number = over.messageNumber ?? (state === 'sync' ? 1 : Math.max(c.messages, 1) + 1);
    c.messages = Math.max(c.messages, number);
    const token = over.token ?? c.token;
    return await fetch(to(c.address), {
      method: 'POST',
      headers: {
        'x-goog-channel-id': c.id,
        ...(token !== undefined ? { 'x-goog-channel-token': token } : {}),
        'x-goog-channel-expiration': new Date(c.expiration).toUTCString(),
        'x-goog-resource-id': c.resourceId,
        'x-goog-resource-uri': `${GOOGLE_API}/calendar/v3/calendars/${encodeURIComponent(c.calendarId)}/events?alt=json`,
        'x-goog-resource-state': state,
        'x-goog-message-number': String(number),
      },
    });
  }

  private list(calendarId: string, q: URLSearchParams): [number, unknown, Record<string, string>] {
    if (q.get('singleEvents') !== 'true') return [400, error(400, 'badRequest', 'This fake serves singleEvents=true only.'), json];
    const max = Math.min(2500, Number(q.get('maxResults') ?? 250));
    const syncToken = q.get('syncToken');
    const pageToken = q.get('pageToken');
    // A page token carries the offset and the sequence the listing started at.
    const [offset, snap] = pageToken ? pageToken.split('.').map(Number) as [number, number] : [0, this.seq];
    let items: Array<{ ev: Ev; seq: number }>;
    if (syncToken) {
      const bad = FORBIDDEN_WITH_SYNC_TOKEN.filter((p) => q.has(p));
      if (bad.length) return [400, error(400, 'invalid', `${bad.join(', ')} cannot be used with syncToken.`), json];
      if (q.get('showDeleted') === 'false') return [400, error(400, 'invalid', 'showDeleted cannot be false with syncToken.'), json];
      const [, seq, gen] = /^sync-(\d+)-(\d+)$/.exec(syncToken) ?? [];
      const since = Number(seq);
      if (!seq || Number(gen) !== this.generation) return [410, error(410, 'fullSyncRequired', 'Sync token is no longer valid, a full sync is required.', 'calendar'), json];
      items = [...this.calendar(calendarId).values()].filter((e) => e.seq > since && e.seq <= snap);
    } else {
      const timeMin = q.get('timeMin');
      const showDeleted = q.get('showDeleted') === 'true';
      items = [...this.calendar(calendarId).values()].filter((e) => e.seq <= snap && (showDeleted || e.ev.status !== 'cancelled') && (!timeMin || !e.ev.end || Date.parse(e.ev.end.dateTime ?? `${e.ev.end.date}T00:00:00Z`) > Date.parse(timeMin)));
    }
    items.sort((a, b) => a.seq - b.seq);
    const page = items.slice(offset, offset + max).map((e) => e.ev);
    const more = offset + max < items.length;
    return [
      200,
      { kind: 'calendar#events', summary: calendarId, timeZone: 'Europe/Berlin', accessRole: 'owner', items: page, ...(more ? { nextPageToken: `${offset + max}.${snap}` } : { nextSyncToken: `sync-${snap}-${this.generation}` }) },
      { ...json, date: new Date().toUTCString() },
    ];
  }
}
