/** Calendar events (awork-style names): an event was added, changed or deleted. */
import { z } from 'zod';
import { byType, eventFamily } from './define.ts';
import { originSchema } from './work-origin.ts';

const isoTime = () => z.iso.datetime().describe('ISO 8601 timestamp, UTC');

/** The public shape of a calendar event (the same as the API's), as it was after the change. */
export const calendarEventSnapshot = z
  .object({
    id: z.uuid(),
    title: z.string(),
    description: z.string().nullable(),
    startAt: isoTime(),
    endAt: isoTime().describe('ISO 8601 timestamp, UTC; always after startAt'),
    allDay: z.boolean(),
    timeZone: z.string().nullable().describe('IANA time zone it was planned in, e.g. Europe/Berlin'),
    location: z.string().nullable(),
    attendees: z.array(z.string()).describe('Email addresses'),
    createdBy: z.string().nullable().describe('Id of the member who created it; null when a sync did'),
    createdAt: isoTime(),
    updatedAt: isoTime(),
    deletedAt: isoTime().nullable(),
    removedRemotelyAt: isoTime().nullable().describe('When a sync saw the linked provider record deleted (delete policy `mark`); null otherwise'),
  })
  .describe('CalendarEvent');
export type CalendarEventSnapshot = z.output<typeof calendarEventSnapshot>;

export const CALENDAR_EVENT_FIELDS = ['title', 'description', 'startAt', 'endAt', 'allDay', 'timeZone', 'location', 'attendees'] as const;
export type CalendarEventField = (typeof CALENDAR_EVENT_FIELDS)[number];

export const exampleCalendarEvent = {
  id: 'd4e5f6a7-b8c9-4d0e-8f1a-2b3c4d5e6f70',
  title: 'Launch review',
  description: 'Go / no-go for the Q1 launch.',
  startAt: '2026-12-04T09:00:00.000Z',
  endAt: '2026-12-04T10:00:00.000Z',
  allDay: false,
  timeZone: 'Europe/Berlin',
  location: 'Room 4.01',
  attendees: ['ada@example.com', 'grace@navy.example'],
  createdBy: '7936d6b8-3345-4770-83c8-2c8c2ed12414',
  createdAt: '2026-11-29T09:12:04.511Z',
  updatedAt: '2026-11-29T09:12:04.511Z',
  deletedAt: null,
  removedRemotelyAt: null,
} satisfies z.input<typeof calendarEventSnapshot>;
const exampleId = exampleCalendarEvent.id;

const calendarEvent = eventFamily('calendar_event', calendarEventSnapshot);

export const calendarEventEvents = byType([
  calendarEvent('calendar_event_added', {
    version: 1,
    description: 'A calendar event was created, by a member or by a sync.',
    data: z.object({ origin: originSchema }),
    example: { entityId: exampleId, snapshot: exampleCalendarEvent, data: { origin: null } },
  }),
  calendarEvent('calendar_event_updated', {
    version: 1,
    description: 'A calendar event changed. `changedFields` lists what changed and `previous` holds their old values.',
    data: z.object({
      changedFields: z.array(z.enum(CALENDAR_EVENT_FIELDS)).min(1),
      previous: calendarEventSnapshot
        .pick({ title: true, description: true, startAt: true, endAt: true, allDay: true, timeZone: true, location: true, attendees: true })
        .partial(),
      origin: originSchema,
    }),
    example: {
      entityId: exampleId,
      snapshot: { ...exampleCalendarEvent, endAt: '2026-12-04T10:30:00.000Z', updatedAt: '2026-11-29T10:00:00.000Z' },
      data: { changedFields: ['endAt'], previous: { endAt: '2026-12-04T10:00:00.000Z' }, origin: null },
    },
  }),
  calendarEvent('calendar_event_deleted', {
    version: 1,
    description: 'A calendar event was deleted. The snapshot is the event as it was, with `deletedAt` set.',
    data: z.object({ origin: originSchema }),
    example: { entityId: exampleId, snapshot: { ...exampleCalendarEvent, deletedAt: '2026-11-29T11:00:00.000Z' }, data: { origin: null } },
  }),
]);
