import { getCalendarEvent } from '../../../work/calendar-events.ts';
import { defineRoute } from '../../route.ts';
import { calendarEventParams, calendarEventSchema } from './schemas.ts';

export default defineRoute({
  method: 'get',
  path: '/calendar-events/:id',
  operationId: 'getCalendarEvent',
  summary: 'One calendar event (404 once deleted)',
  tag: 'Calendar events',
  permission: 'work_data.read',
  params: calendarEventParams,
  responses: { 200: { description: 'The calendar event', schema: calendarEventSchema } },
  async handler({ em, auth, params }) {
    return { status: 200, body: await getCalendarEvent(em, auth.workspaceId, params.id) };
  },
});
