import { exampleCalendarEvent, calendarEventSnapshot } from '../../../events/catalog/calendar-event.ts';
import { createCalendarEventInput, updateCalendarEventInput } from '../../../work/calendar-events.ts';
import { idParamsOf, page } from '../../schemas.ts';
import { EX } from '../../examples.ts';

// The API's calendar event is the event snapshot: one public shape for the API and webhooks alike.
// `.extend({})` makes a copy after zod is extended for OpenAPI (these schemas may be built before).
export const calendarEventSchema = calendarEventSnapshot.extend({}).openapi('CalendarEvent', { example: exampleCalendarEvent });
export const calendarEventPageSchema = page(calendarEventSchema);
export const calendarEventParams = idParamsOf(EX.calendarEventId);

export const createCalendarEventBody = createCalendarEventInput.extend({}).openapi('CreateCalendarEvent', {
  example: { title: 'Launch review', description: 'Go / no-go for the Q1 launch.', startAt: '2026-12-04T10:00:00+01:00', endAt: '2026-12-04T11:00:00+01:00', allDay: false, timeZone: 'Europe/Berlin', location: 'Room 4.01', attendees: ['ada@example.com', 'grace@navy.example'] },
});
export const updateCalendarEventBody = updateCalendarEventInput.extend({}).openapi('UpdateCalendarEvent', { example: { endAt: '2026-12-04T10:30:00Z', location: null } });
