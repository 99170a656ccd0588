import { createCalendarEvent } from '../../../work/calendar-events.ts';
import { defineRoute } from '../../route.ts';
import { createCalendarEventBody, calendarEventSchema } from './schemas.ts';

export default defineRoute({
  method: 'post',
  path: '/calendar-events',
  operationId: 'createCalendarEvent',
  summary: 'Create a calendar event (emits `calendar_event_added`)',
  tag: 'Calendar events',
  permission: 'work_data.write',
  body: createCalendarEventBody,
  responses: { 201: { description: 'Created', schema: calendarEventSchema } },
  async handler({ em, auth, body }) {
    return { status: 201, body: await createCalendarEvent(em, { workspaceId: auth.workspaceId, memberId: auth.member.id }, body) };
  },
});
