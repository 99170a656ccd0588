import { updateCalendarEvent } from '../../../work/calendar-events.ts';
import { defineRoute } from '../../route.ts';
import { calendarEventParams, calendarEventSchema, updateCalendarEventBody } from './schemas.ts';

export default defineRoute({
  method: 'patch',
  path: '/calendar-events/:id',
  operationId: 'updateCalendarEvent',
  summary: 'Change some fields of a calendar event',
  description:
    'Only the given fields change (`null` clears an optional one). Any change emits `calendar_event_updated`, in the same transaction. The end must stay after the start. A request that changes nothing emits nothing.',
  tag: 'Calendar events',
  permission: 'work_data.write',
  params: calendarEventParams,
  body: updateCalendarEventBody,
  responses: { 200: { description: 'The calendar event after the change', schema: calendarEventSchema } },
  async handler({ em, auth, params, body }) {
    return { status: 200, body: await updateCalendarEvent(em, { workspaceId: auth.workspaceId, memberId: auth.member.id }, params.id, body) };
  },
});
