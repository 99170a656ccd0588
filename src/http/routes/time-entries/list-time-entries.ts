import { listTimeEntries, timeEntryView } from '../../../work/time-entries.ts';
import { defineRoute } from '../../route.ts';
import { workListOptions, workListQuery, workPage } from '../work-pagination.ts';
import { timeEntryPageSchema } from './schemas.ts';

export default defineRoute({
  method: 'get',
  path: '/time-entries',
  operationId: 'listTimeEntries',
  summary: 'Time entries, oldest change first (a change feed with `updated_since`)',
  tag: 'Time entries',
  permission: 'work_data.read',
  query: workListQuery,
  responses: { 200: { description: 'A page of time entries', schema: timeEntryPageSchema } },
  async handler({ em, auth, query }) {
    const o = workListOptions(query);
    return { status: 200, body: workPage(await listTimeEntries(em, auth.workspaceId, o), o.limit, timeEntryView) };
  },
});
