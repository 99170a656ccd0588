import { deleteCalendarEvent } from '../../../work/calendar-events.ts';
import { defineRoute } from '../../route.ts';
import { calendarEventParams } from './schemas.ts';

export default defineRoute({
  method: 'delete',
  path: '/calendar-events/:id',
  operationId: 'deleteCalendarEvent',
  summary: 'Delete a calendar event (emits `calendar_event_deleted`; listed with `include_deleted=true`)',
  tag: 'Calendar events',
  permission: 'work_data.write',
  params: calendarEventParams,
  responses: { 204: { description: 'Deleted' } },
  async handler({ em, auth, params }) {
    await deleteCalendarEvent(em, { workspaceId: auth.workspaceId, memberId: auth.member.id }, params.id);
    return { status: 204 };
  },
});
