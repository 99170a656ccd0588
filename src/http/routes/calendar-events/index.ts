import createCalendarEvent from './create-calendar-event.ts';
import deleteCalendarEvent from './delete-calendar-event.ts';
import getCalendarEvent from './get-calendar-event.ts';
import listCalendarEvents from './list-calendar-events.ts';
import updateCalendarEvent from './update-calendar-event.ts';

export default [listCalendarEvents, createCalendarEvent, getCalendarEvent, updateCalendarEvent, deleteCalendarEvent];
