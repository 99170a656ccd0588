/**
 * Google Calendar events ↔ Patchbay calendar events.
 *
 * **Change feed** — `GET /calendar/v3/calendars/{calendarId}/events` (events.list):
 * - every request passes `singleEvents=true` and `showDeleted=true`; Google ties a sync token to
 *   the parameters of the request that produced it ("all other query parameters should be the
 *   same as for the initial synchronization"), so they never change between the full pull and
 *   the incremental ones. `showDeleted` also makes a full pull (after a 410) see the events
 *   deleted meanwhile, so their links are closed rather than left dangling.
 * - a full pull starts at `timeMin` = now − `FULL_PULL_DAYS_BACK` days (events ending after it)
 *   and no `timeMax`: with `singleEvents` recurring events expand into instances, so the window
 *   must be bounded, and an upper bound would be frozen into the sync token (timeMin / timeMax
 *   may not be sent with `syncToken`), leaving the token blind to everything past it. Its pages
 *   repeat the same `timeMin` with `pageToken`; the last page's `nextSyncToken` is stored.
 * - an incremental pull sends `syncToken` (and `pageToken` while paging), never timeMin, timeMax,
 *   orderBy, q, iCalUID, updatedMin or extended-property filters, which Google refuses with it.
 * - 410 Gone (`fullSyncRequired`: the token expired or was invalidated) → `sync_cursor_expired`;
 *   the engine starts a full pull.
 * - `status: "cancelled"` → a tombstone (`reportsDeletes: true`).
 * Google gives no order without `orderBy` (which `syncToken` forbids): each page is sorted by
 * `updated` here.
 *
 * **Recurring events** are synced as their instances (`singleEvents=true`): each instance is one
 * local event keyed by Google's instance id (`<recurringEventId>_<original start>`, e.g.
 * `4kq…_20261201T090000Z`), which events.get / update / delete accept. A local change to it is an
 * update of that instance only (Google turns it into an exception of the series); a local delete
 * cancels that one occurrence. A change to the whole series arrives as changed instances; a
 * deleted series as cancelled instances. Patchbay never creates recurring events (a local event
 * has no recurrence), and the series itself is never listed.
 *
 * **Writes** — create: `POST …/events` with a client-chosen `id` derived from the engine's
 * idempotency key (SHA-256 hex: base32hex characters, 64 long), so a retried or recovered create
 * meets `409` (the identifier exists) and reads the event it made instead of making a second.
 * Update: `GET` then `PUT …/events/{eventId}` (events.update) of the event as read with the
 * change applied, sent with `If-Match: <etag>` (a 412 — changed at Google meanwhile — reads and
 * writes once more). Google's reference recommends get + update over patch (a patch costs three
 * quota units), and a whole event needs no nulls to switch between all-day and timed. Delete: `DELETE …/events/{eventId}`; 404 and 410 (already deleted) are what
 * a delete wants. No `sendUpdates` is passed: Google's default sends guests no notifications.
 *
 * **Scope**: `{ calendar: <calendar id> }`, default `primary`.
 *
 * https://developers.google.com/workspace/calendar/api/guides/sync,
 * https://developers.google.com/workspace/calendar/api/v3/reference/events
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { AppError } from '../../../errors.ts';
import type { ObjectAdapter, PullPage, RemoteRecord, SyncScope } from '../../../sync/types.ts';
import { providerMessage } from '../../_shared/http.ts';
import { parseProviderResponse } from '../../_shared/parse.ts';
import type { ConnectorContext } from '../../types.ts';
import { createBody, EVENT_ALIASES, EVENT_FIELDS, eventSchema, eventsPageSchema, toRemote, updatedEvent, type GoogleEvent } from './event-shape.ts';

/** How far back a full pull reaches (events that ended before it are not synced). */
export const FULL_PULL_DAYS_BACK = 90;
/** Google's largest events.list page. */
export const MAX_RESULTS = 2500;
export const DEFAULT_CALENDAR = 'primary';

/**
 * The pull cursor: the calendar it belongs to; `syncToken` once a full pull finished; while
 * paging, `pageToken` and (during a full pull) the `timeMin` its first page used.
 */
export const cursorSchema = z.object({
  calendarId: z.string().min(1),
  syncToken: z.string().min(1).nullable(),
  pageToken: z.string().min(1).nullable(),
  timeMin: z.string().min(1).nullable(),
});
export type GoogleCalendarCursor = z.infer<typeof cursorSchema>;

const errorSchema = z.object({ error: z.object({ message: z.string().optional(), errors: z.array(z.object({ reason: z.string().optional() }).loose()).optional() }).loose() }).loose();

/** 403 reasons that refuse one event (not the connection's credentials). */
const RECORD_LEVEL_403 = new Set(['forbiddenForNonOrganizer', 'requiredAccessLevel', 'forbiddenForServiceAccounts', 'eventTypeRestriction']);

export const calendarOf = (scope: SyncScope) => scope.calendar?.trim() || DEFAULT_CALENDAR;
const eventsPath = (calendarId: string) => `/calendar/v3/calendars/${encodeURIComponent(calendarId)}/events`;
const eventPath = (calendarId: string, id: string) => `${eventsPath(calendarId)}/${encodeURIComponent(id)}`;

/** The event id a create with this idempotency key uses (base32hex: 0-9 and a-v; 5–1024 long). */
export const eventIdFor = (idempotencyKey: string) => createHash('sha256').update(idempotencyKey).digest('hex');

function readCursor(cursor: unknown, calendarId: string): GoogleCalendarCursor | null {
  if (cursor === null || cursor === undefined) return null;
  const parsed = cursorSchema.safeParse(cursor);
  if (!parsed.success) throw new AppError('sync_cursor_expired', 'The stored Google Calendar cursor is not one this adapter wrote; starting a full pull.');
  if (parsed.data.calendarId !== calendarId) throw new AppError('sync_cursor_expired', `The stored Google Calendar cursor belongs to calendar ${parsed.data.calendarId}, not ${calendarId}; starting a full pull.`);
  return parsed.data;
}

function answeredAt(headers: Headers): string {
  const at = Date.parse(headers.get('date') ?? '');
  return new Date(Number.isNaN(at) ? Date.now() : at).toISOString();
}

function googleError(body: unknown): { reason: string | undefined; message: string | undefined } {
  const e = errorSchema.safeParse(body);
  return e.success ? { reason: e.data.error.errors?.[0]?.reason, message: e.data.error.message } : { reason: undefined, message: undefined };
}

/** A refusal of one event, as the engine's record-level error (a 4xx `provider_error`). */
function refused(status: number, what: string, body: unknown): AppError {
  const detail = providerMessage(body, '');
  return new AppError('provider_error', `Google Calendar answered HTTP ${status} to ${what}${detail ? `: ${detail}` : ''}`, { details: { provider: 'google-calendar', status } });
}

/** A 403 that is not a rate limit (those are thrown before): one event refused, or the grant. */
function forbidden(what: string, body: unknown): AppError {
  const { reason, message } = googleError(body);
  if (reason && RECORD_LEVEL_403.has(reason)) return refused(403, what, body);
  return new AppError('provider_auth_failed', `Google Calendar rejected the credentials (HTTP 403 on ${what})${message ? `: ${message}` : ''}`, { details: { provider: 'google-calendar', status: 403 } });
}

function parseEvent(ctx: ConnectorContext, body: unknown, what: string): GoogleEvent & { id: string } {
  const ev = parseProviderResponse(ctx.provider, eventSchema, body, what);
  if (!ev.id) throw new AppError('provider_error', `Google Calendar answered ${what} with an event without an id`, { details: { provider: 'google-calendar' } });
  return ev as GoogleEvent & { id: string };
}

const byUpdated = (a: RemoteRecord, b: RemoteRecord) => Date.parse(a.updatedAt) - Date.parse(b.updatedAt);

async function readEvent(ctx: ConnectorContext, calendarId: string, id: string): Promise<{ event: GoogleEvent & { id: string }; at: string } | null> {
  const res = await ctx.http.request({ url: eventPath(calendarId, id), allowStatuses: [404, 410] });
  if (res.status === 404 || res.status === 410) return null;
  return { event: parseEvent(ctx, res.body, 'GET /calendars/{calendarId}/events/{eventId}'), at: answeredAt(res.headers) };
}

export const eventsAdapter: ObjectAdapter = {
  remoteObject: 'events',
  localObject: 'calendar_events',
  fields: EVENT_FIELDS,
  aliases: EVENT_ALIASES,
  scope: { key: 'calendar', label: 'Calendar id (default: primary)', required: false },
  reportsDeletes: true,

  async listChanged(ctx, req): Promise<PullPage> {
    const calendarId = calendarOf(req.scope);
    const cur = readCursor(req.cursor, calendarId);
    const timeMin = cur ? cur.timeMin : new Date(Date.now() - FULL_PULL_DAYS_BACK * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const query: Record<string, string | number | boolean> = { singleEvents: true, showDeleted: true, maxResults: Math.max(1, Math.min(MAX_RESULTS, req.pageSize)) };
    if (cur?.syncToken) query.syncToken = cur.syncToken;
    else if (timeMin) query.timeMin = timeMin;
    if (cur?.pageToken) query.pageToken = cur.pageToken;
    const what = 'GET /calendars/{calendarId}/events';
    const res = await ctx.http.request({ url: eventsPath(calendarId), query, allowStatuses: [410] });
    if (res.status === 410) {
      const { message } = googleError(res.body);
      throw new AppError('sync_cursor_expired', `Google Calendar answered 410 Gone to the ${cur?.syncToken ? 'sync token' : 'page token'}${message ? ` (${message})` : ''}`);
    }
    const page = parseProviderResponse(ctx.provider, eventsPageSchema, res.body, what);
    const at = answeredAt(res.headers);
    const records = (page.items ?? []).filter((e): e is GoogleEvent & { id: string } => Boolean(e.id)).map((e) => toRemote(e, at)).sort(byUpdated);
    if (page.nextPageToken) {
      return { records, cursor: { calendarId, syncToken: cur?.syncToken ?? null, pageToken: page.nextPageToken, timeMin: cur?.syncToken ? null : timeMin } satisfies GoogleCalendarCursor, hasMore: true };
    }
    if (!page.nextSyncToken) throw new AppError('provider_error', `Google Calendar answered ${what} with neither nextPageToken nor nextSyncToken`, { details: { provider: 'google-calendar' } });
    return { records, cursor: { calendarId, syncToken: page.nextSyncToken, pageToken: null, timeMin: null } satisfies GoogleCalendarCursor, hasMore: false };
  },

  async get(ctx, id, scope) {
    const read = await readEvent(ctx, calendarOf(scope), id);
    return read ? toRemote(read.event, read.at) : null;
  },

  async create(ctx, fields, opts) {
    const calendarId = calendarOf(opts.scope);
    const id = eventIdFor(opts.idempotencyKey);
    const what = 'POST /calendars/{calendarId}/events';
    // Idempotent by its id: a retry after a lost answer meets 409 and reads what it made.
    const res = await ctx.http.request({ method: 'POST', url: eventsPath(calendarId), body: { id, ...createBody(fields) }, idempotent: true, allowStatuses: [400, 403, 409] });
    if (res.status === 409) {
      const read = await readEvent(ctx, calendarId, id);
      if (!read || read.event.status === 'cancelled') throw refused(409, `${what} (event ${id} was created by an earlier attempt and deleted since)`, res.body);
      return toRemote(read.event, read.at);
    }
    if (res.status === 403) throw forbidden(what, res.body);
    if (res.status === 400) throw refused(400, what, res.body);
    return toRemote(parseEvent(ctx, res.body, what), answeredAt(res.headers));
  },

  async update(ctx, id, fields, scope) {
    const calendarId = calendarOf(scope);
    const what = 'PUT /calendars/{calendarId}/events/{eventId}';
    // Read, apply, write the whole event back with its ETag: a change made at Google in between
    // answers 412 and the write is done again on the newer event (once), never over it.
    for (let attempt = 0; ; attempt++) {
      const read = await readEvent(ctx, calendarId, id);
      if (!read || read.event.status === 'cancelled') throw refused(404, `${what} (the event is gone)`, null);
      const etag = read.event.etag ?? undefined;
      const res = await ctx.http.request({
        method: 'PUT',
        url: eventPath(calendarId, id),
        body: updatedEvent(read.event, fields),
        ...(etag ? { headers: { 'if-match': etag } } : {}),
        allowStatuses: [400, 403, 404, 410, 412],
      });
      if (res.status === 412 && attempt === 0) continue;
      if (res.status === 403) throw forbidden(what, res.body);
      if (res.status >= 300) throw refused(res.status, what, res.body);
      return toRemote(parseEvent(ctx, res.body, what), answeredAt(res.headers));
    }
  },

  async delete(ctx, id, scope) {
    const what = 'DELETE /calendars/{calendarId}/events/{eventId}';
    // 404 and 410 (already deleted) are what a delete wants.
    const res = await ctx.http.request({ method: 'DELETE', url: eventPath(calendarOf(scope), id), allowStatuses: [403, 404, 410] });
    if (res.status === 403) throw forbidden(what, res.body);
  },
};
