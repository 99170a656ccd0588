import { listCalendarEvents, calendarEventView } from '../../../work/calendar-events.ts';
import { defineRoute } from '../../route.ts';
import { workListOptions, workListQuery, workPage } from '../work-pagination.ts';
import { calendarEventPageSchema } from './schemas.ts';

export default defineRoute({
  method: 'get',
  path: '/calendar-events',
  operationId: 'listCalendarEvents',
  summary: 'Calendar events, oldest change first (a change feed with `updated_since`)',
  tag: 'Calendar events',
  permission: 'work_data.read',
  query: workListQuery,
  responses: { 200: { description: 'A page of calendar events', schema: calendarEventPageSchema } },
  async handler({ em, auth, query }) {
    const o = workListOptions(query);
    return { status: 200, body: workPage(await listCalendarEvents(em, auth.workspaceId, o), o.limit, calendarEventView) };
  },
});
