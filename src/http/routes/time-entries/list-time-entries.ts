import { listTimeEntries, timeEntryView } from '../../../work/time-entries.ts';
import { EX } from '../../examples.ts';
import { defineRoute } from '../../route.ts';
import { uuidParam } from '../../schemas.ts';
import { workListOptions, workListQuery, workPage } from '../work-pagination.ts';
import { timeEntryPageSchema } from './schemas.ts';

export default defineRoute({
  method: 'get',
  path: '/time-entries',
  operationId: 'listTimeEntries',
  summary: 'Time entries, oldest change first (a change feed with `updated_since`)',
  tag: 'Time entries',
  permission: 'work_data.read',
  query: workListQuery.extend({ task_id: uuidParam.optional().openapi({ description: 'Only the time tracked on this task', example: EX.taskId }) }),
  responses: { 200: { description: 'A page of time entries', schema: timeEntryPageSchema } },
  async handler({ em, auth, query }) {
    const o = { ...workListOptions(query), taskId: query.task_id };
    return { status: 200, body: workPage(await listTimeEntries(em, auth.workspaceId, o), o.limit, timeEntryView) };
  },
});
