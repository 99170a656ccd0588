import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';
import { workRecordProperties } from './work-record.ts';

/** A calendar event of the workspace's work data. Soft-deleted, like every work-data row. */
export const CalendarEvent = defineEntity({
  name: 'CalendarEvent',
  tableName: 'calendar_events',
  // Lists and sync feeds walk a workspace's rows by (updatedAt, id).
  indexes: [{ properties: ['workspace', 'updatedAt', 'id'] }],
  properties: {
    ...workRecordProperties(),
    title: p.text(),
    description: p.text().nullable(),
    startAt: p.datetime(),
    endAt: p.datetime(),
    allDay: p.boolean().default(false),
    /** IANA zone the event was planned in (e.g. `Europe/Berlin`); start and end are instants. */
    timeZone: p.string().nullable(),
    location: p.text().nullable(),
    attendees: p.json<string[]>().onCreate(() => []),
  },
});
export type ICalendarEvent = InferEntity<typeof CalendarEvent>;
