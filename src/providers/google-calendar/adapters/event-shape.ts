/**
 * Google Calendar's Event resource ↔ the flat fields the sync engine maps, both ways.
 *
 * Google nests what Patchbay keeps flat: `start` / `end` are EventDateTime objects (`dateTime` +
 * optional `timeZone` for a timed event, `date` for an all-day one), attendees are objects. The
 * adapter's fields are therefore derived:
 *
 * | field | from Google | notes |
 * | --- | --- | --- |
 * | `summary` | `summary` | absent (an untitled event) reads as `(No title)`, as Google's UI shows it |
 * | `description` | `description` | may hold HTML (Google: "Can contain HTML"), hence `rich_text` |
 * | `location` | `location` | |
 * | `start`, `end` | `start.dateTime` as written (with its offset), or `start.date` | an all-day `date` reads as midnight UTC of that day; Google's all-day `end.date` is exclusive, so a one-day event ends at the next midnight UTC |
 * | `allDay` | `start.date` present without `start.dateTime` | |
 * | `timeZone` | `start.timeZone` (else `end.timeZone`) | only what the event itself names; null when it follows the calendar's zone |
 * | `attendees` | `attendees[].email`, resources (rooms) left out | rooms stay on the event when attendees are written back |
 * | read-only | `status`, `htmlLink`, `recurringEventId`, `organizer` (email), `created` | |
 *
 * Written back (events.insert, or events.update of the event as read, which Google recommends over
 * patch), a timed event's `dateTime` carries the wall-clock time and offset of its time
 * zone when it has one (`2026-12-04T10:00:00+01:00` with `timeZone: Europe/Berlin`), else UTC.
 *
 * Reference: https://developers.google.com/workspace/calendar/api/v3/reference/events#resource
 */
import { z } from 'zod';
import type { RemoteField, RemoteRecord } from '../../../sync/types.ts';

/** EventDateTime; Discovery marks none of its properties required. */
export const eventDateTimeSchema = z.object({ date: z.string().nullish(), dateTime: z.string().nullish(), timeZone: z.string().nullish() }).loose();

export const eventAttendeeSchema = z.object({ email: z.string().nullish(), resource: z.boolean().nullish(), organizer: z.boolean().nullish(), responseStatus: z.string().nullish() }).loose();

/** The Event resource as this adapter reads it. Discovery marks no response property required. */
export const eventSchema = z
  .object({
    id: z.string().optional(),
    etag: z.string().nullish(),
    status: z.string().nullish(),
    htmlLink: z.string().nullish(),
    created: z.string().nullish(),
    updated: z.string().nullish(),
    summary: z.string().nullish(),
    description: z.string().nullish(),
    location: z.string().nullish(),
    start: eventDateTimeSchema.nullish(),
    end: eventDateTimeSchema.nullish(),
    attendees: z.array(eventAttendeeSchema).nullish(),
    organizer: z.object({ email: z.string().nullish() }).loose().nullish(),
    recurringEventId: z.string().nullish(),
    originalStartTime: eventDateTimeSchema.nullish(),
  })
  .loose();
export type GoogleEvent = z.infer<typeof eventSchema>;
export type GoogleAttendee = z.infer<typeof eventAttendeeSchema>;

/** Events (a page of events.list). */
export const eventsPageSchema = z
  .object({
    items: z.array(eventSchema).nullish(),
    nextPageToken: z.string().nullish(),
    nextSyncToken: z.string().nullish(),
    timeZone: z.string().nullish(),
  })
  .loose();

export const EVENT_FIELDS: readonly RemoteField[] = [
  { name: 'summary', type: 'string', label: 'Title', required: true },
  { name: 'description', type: 'rich_text', label: 'Description (may contain HTML)' },
  { name: 'location', type: 'string', label: 'Location' },
  { name: 'start', type: 'datetime', label: 'Start', required: true },
  { name: 'end', type: 'datetime', label: 'End (exclusive)', required: true },
  { name: 'allDay', type: 'boolean', label: 'All day' },
  { name: 'timeZone', type: 'timezone', label: 'Time zone (IANA)' },
  { name: 'attendees', type: 'email_list', label: 'Attendee emails' },
  { name: 'status', type: 'enum', label: 'Status', values: ['confirmed', 'tentative', 'cancelled'], readOnly: true },
  { name: 'htmlLink', type: 'string', label: 'Link in Google Calendar', readOnly: true },
  { name: 'recurringEventId', type: 'string', label: 'Recurring event id (instances)', readOnly: true },
  { name: 'organizer', type: 'email', label: 'Organizer email', readOnly: true },
  { name: 'created', type: 'datetime', label: 'Created at', readOnly: true },
];

export const EVENT_ALIASES = {
  summary: 'title',
  description: 'description',
  location: 'location',
  start: 'startAt',
  end: 'endAt',
  allDay: 'allDay',
  timeZone: 'timeZone',
  attendees: 'attendees',
} as const;

const UNTITLED = '(No title)';

/** The flat fields of a Google event (see the table above). */
export function flatFields(ev: GoogleEvent): Record<string, unknown> {
  const allDay = Boolean(ev.start?.date) && !ev.start?.dateTime;
  return {
    summary: ev.summary ?? UNTITLED,
    description: ev.description ?? null,
    location: ev.location ?? null,
    start: ev.start?.dateTime ?? ev.start?.date ?? null,
    end: ev.end?.dateTime ?? ev.end?.date ?? null,
    allDay,
    timeZone: ev.start?.timeZone ?? ev.end?.timeZone ?? null,
    attendees: (ev.attendees ?? []).filter((a) => a.email && !a.resource).map((a) => a.email!),
    status: ev.status ?? 'confirmed',
    htmlLink: ev.htmlLink ?? null,
    recurringEventId: ev.recurringEventId ?? null,
    organizer: ev.organizer?.email ?? null,
    created: ev.created ?? null,
  };
}

/**
 * A Google event as the engine's record. A cancelled event is a tombstone (deleted events are
 * only guaranteed to carry `id`, so `updated` falls back to when Google answered).
 */
export function toRemote(ev: GoogleEvent & { id: string }, answeredAt: string): RemoteRecord {
  const updatedAt = ev.updated ? new Date(ev.updated).toISOString() : answeredAt;
  if (ev.status === 'cancelled') return { id: ev.id, updatedAt, deleted: true, fields: {} };
  return { id: ev.id, updatedAt, fields: flatFields(ev) };
}

// ------------------------------------------------------------------ writing

const has = (o: Record<string, unknown>, k: string) => Object.hasOwn(o, k) && o[k] !== undefined;

/** The minutes `tz` is ahead of UTC at `instant` (null for an unknown zone). */
export function zoneOffsetMinutes(instant: Date, tz: string): number | null {
  try {
    const parts = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(instant);
    const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
    const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
    const whole = Math.floor(instant.getTime() / 1000) * 1000;
    return Math.round((wall - whole) / 60_000);
  } catch {
    return null;
  }
}

/** RFC 3339 in the zone's wall-clock time with its offset (`2026-12-04T10:00:00+01:00`), else UTC. */
export function zonedDateTime(value: string, tz: string | null): string {
  const at = new Date(value);
  if (Number.isNaN(at.getTime())) return value;
  const offset = tz ? zoneOffsetMinutes(at, tz) : null;
  if (offset === null) return at.toISOString().replace('.000Z', 'Z');
  const wall = new Date(at.getTime() + offset * 60_000).toISOString().slice(0, 19);
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  return `${wall}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** The UTC day of a date or date-time (an all-day event's day: it reads as midnight UTC). */
function utcDay(value: string): string | null {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return value;
  const at = new Date(value);
  return Number.isNaN(at.getTime()) ? null : at.toISOString().slice(0, 10);
}

const nextDay = (day: string) => new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

/** The time fields a write names. */
export const TIME_FIELDS = ['start', 'end', 'allDay', 'timeZone'] as const;
export const touchesTime = (fields: Record<string, unknown>) => TIME_FIELDS.some((k) => has(fields, k));

/**
 * The Event properties a write of flat `fields` sets; null clears one (description, location).
 * `current` is the event as Google has it (an update reads it first): start and end are always
 * written whole (all-day `date`, or `dateTime` + `timeZone`), since a move can change the other
 * end, the zone or the all-day flag; attendees keep their own entries (response status) and the
 * event's rooms.
 */
export function eventBody(fields: Record<string, unknown>, current: GoogleEvent | null): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  const str = (v: unknown) => (v === null || v === undefined ? null : String(v));
  if (has(fields, 'summary')) body.summary = str(fields.summary) ?? '';
  if (has(fields, 'description')) body.description = str(fields.description);
  if (has(fields, 'location')) body.location = str(fields.location);

  if (touchesTime(fields)) {
    const was = current ? flatFields(current) : null;
    const pick = (k: (typeof TIME_FIELDS)[number]) => (has(fields, k) ? fields[k] : was?.[k]);
    const start = str(pick('start'));
    const end = str(pick('end'));
    const allDay = pick('allDay') === true || pick('allDay') === 'true';
    const tz = str(pick('timeZone'));
    if (start) {
      if (allDay) {
        const startDay = utcDay(start)!;
        const endDay = end ? utcDay(end) : null;
        body.start = { date: startDay };
        body.end = { date: endDay && endDay > startDay ? endDay : nextDay(startDay) };
      } else {
        const zone = tz ? { timeZone: tz } : {};
        body.start = { dateTime: zonedDateTime(start, tz), ...zone };
        body.end = { dateTime: zonedDateTime(end ?? start, tz), ...zone };
      }
    }
  }

  if (has(fields, 'attendees')) {
    const emails = Array.isArray(fields.attendees) ? fields.attendees.map(String).filter(Boolean) : [];
    const existing = current?.attendees ?? [];
    const byEmail = new Map(existing.filter((a) => a.email && !a.resource).map((a) => [a.email!.toLowerCase(), a]));
    const people = [...new Set(emails.map((e) => e.trim()))].map((email): GoogleAttendee => byEmail.get(email.toLowerCase()) ?? { email });
    body.attendees = [...people, ...existing.filter((a) => a.resource)];
  }
  return body;
}

/** The whole event for events.update: the one Google has, with the write applied (null removes). */
export function updatedEvent(current: GoogleEvent, fields: Record<string, unknown>): Record<string, unknown> {
  const next: Record<string, unknown> = { ...current };
  for (const [k, v] of Object.entries(eventBody(fields, current))) {
    if (v === null) delete next[k];
    else next[k] = v;
  }
  return next;
}

/** A create's body: no nulls (nothing to clear on a new event). */
export function createBody(fields: Record<string, unknown>): Record<string, unknown> {
  const body = eventBody(fields, null);
  return Object.fromEntries(Object.entries(body).filter(([, v]) => v !== null && !(Array.isArray(v) && v.length === 0)));
}
