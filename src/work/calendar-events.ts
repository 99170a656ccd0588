/** Calendar events: validation, and create/update/delete each in one transaction with its event. */
import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { CalendarEvent, type ICalendarEvent } from '../entities/calendar-event.ts';
import { AppError } from '../errors.ts';
import { CALENDAR_EVENT_FIELDS, type CalendarEventField, type CalendarEventSnapshot } from '../events/catalog/calendar-event.ts';
import { recordEvent } from '../events/record.ts';
import { workRecords } from './records.ts';
import { diff, emailSchema, isoDateTime, LIST_ORDER, listWhere, type WorkListOptions, type WorkWriter } from './common.ts';

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export const createCalendarEventInput = z.strictObject({
  title: z.string().trim().min(1, { error: 'must not be empty' }).max(500),
  description: z.string().max(20_000).nullable().optional(),
  startAt: isoDateTime,
  endAt: isoDateTime,
  allDay: z.boolean().optional(),
  timeZone: z.string().max(64).refine(isTimeZone, { error: 'must be an IANA time zone, e.g. Europe/Berlin' }).nullable().optional(),
  location: z.string().max(1000).nullable().optional(),
  attendees: z.array(emailSchema).max(500, { error: 'at most 500 attendees' }).optional(),
});
/** PATCH body: only the given fields change; `null` clears an optional one. */
export const updateCalendarEventInput = createCalendarEventInput.partial();
export type CreateCalendarEventInput = z.output<typeof createCalendarEventInput>;
export type UpdateCalendarEventInput = z.output<typeof updateCalendarEventInput>;

export function calendarEventView(e: ICalendarEvent): CalendarEventSnapshot {
  return {
    id: e.id,
    title: e.title,
    description: e.description ?? null,
    startAt: e.startAt.toISOString(),
    endAt: e.endAt.toISOString(),
    allDay: e.allDay,
    timeZone: e.timeZone ?? null,
    location: e.location ?? null,
    attendees: e.attendees,
    createdBy: e.createdBy ?? null,
    createdAt: e.createdAt.toISOString(),
    updatedAt: e.updatedAt.toISOString(),
    deletedAt: e.deletedAt?.toISOString() ?? null,
    removedRemotelyAt: e.removedRemotelyAt?.toISOString() ?? null,
  };
}

const records = workRecords(CalendarEvent, 'Calendar event', calendarEventView, 'calendar_event_deleted');

/** Times as UTC ISO strings, so `+01:00` and `Z` spellings of one instant compare equal. */
const utc = (s: string | undefined) => (s === undefined ? undefined : new Date(s).toISOString());

/** Checked on the event as it will be (a PATCH may move only one end), so it names the field sent. */
function assertEndAfterStart(startAt: string, endAt: string, field: 'startAt' | 'endAt') {
  if (Date.parse(endAt) > Date.parse(startAt)) return;
  const message = field === 'endAt' ? 'must be after startAt' : 'must be before endAt';
  throw new AppError('validation_failed', `Invalid request: body.${field} ${message}.`, { details: [{ location: 'body', path: field, message }] });
}

export async function createCalendarEvent(em: EntityManager, w: WorkWriter, input: CreateCalendarEventInput): Promise<CalendarEventSnapshot> {
  assertEndAfterStart(input.startAt, input.endAt, 'endAt');
  return await em.transactional(async (tx) => {
    const now = new Date();
    const event = tx.create(CalendarEvent, {
      id: randomUUID(),
      workspace: w.workspaceId,
      title: input.title,
      description: input.description ?? null,
      startAt: new Date(input.startAt),
      endAt: new Date(input.endAt),
      allDay: input.allDay ?? false,
      timeZone: input.timeZone ?? null,
      location: input.location ?? null,
      attendees: input.attendees ?? [],
      createdBy: w.memberId,
      createdAt: now,
      updatedAt: now,
      deletedAt: null,
      removedRemotelyAt: null,
    });
    await tx.flush();
    const snapshot = calendarEventView(event);
    await recordEvent(tx, { workspaceId: w.workspaceId, type: 'calendar_event_added', entityId: event.id, snapshot, data: { origin: w.origin ?? null } });
    return snapshot;
  });
}

/** Applies the given fields and emits `calendar_event_updated`; an update that changes nothing emits nothing. */
export async function updateCalendarEvent(em: EntityManager, w: WorkWriter, id: string, input: UpdateCalendarEventInput): Promise<CalendarEventSnapshot> {
  return await em.transactional(async (tx) => {
    const event = await records.lockLive(tx, w, id);
    const before = calendarEventView(event);
    const patch = { ...input, startAt: utc(input.startAt), endAt: utc(input.endAt) };
    const { changed, previous } = diff<CalendarEventSnapshot, CalendarEventField>(before, patch, CALENDAR_EVENT_FIELDS);
    if (!changed.length) return before;
    assertEndAfterStart(patch.startAt ?? before.startAt, patch.endAt ?? before.endAt, patch.endAt !== undefined ? 'endAt' : 'startAt');
    const values: Record<string, unknown> = Object.fromEntries(changed.map((f) => [f, patch[f]]));
    if (patch.startAt) values.startAt = new Date(patch.startAt);
    if (patch.endAt) values.endAt = new Date(patch.endAt);
    tx.assign(event, { ...values, updatedAt: new Date() });
    await tx.flush();
    const snapshot = calendarEventView(event);
    await recordEvent(tx, { workspaceId: w.workspaceId, type: 'calendar_event_updated', entityId: id, snapshot, data: { changedFields: changed, previous, origin: w.origin ?? null } });
    return snapshot;
  });
}

export const deleteCalendarEvent = (em: EntityManager, w: WorkWriter, id: string): Promise<void> => records.softDelete(em, w, id);

export const getCalendarEvent = (em: EntityManager, workspaceId: string, id: string): Promise<CalendarEventSnapshot> => records.get(em, workspaceId, id);

export async function listCalendarEvents(em: EntityManager, workspaceId: string, o: WorkListOptions): Promise<ICalendarEvent[]> {
  return await em.find(CalendarEvent, listWhere(workspaceId, o), { orderBy: LIST_ORDER, limit: o.limit + 1 });
}
