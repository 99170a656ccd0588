import { getTimeEntry } from '../../../work/time-entries.ts';
import { defineRoute } from '../../route.ts';
import { timeEntryParams, timeEntrySchema } from './schemas.ts';

export default defineRoute({
  method: 'get',
  path: '/time-entries/:id',
  operationId: 'getTimeEntry',
  summary: 'One time entry (404 once deleted)',
  tag: 'Time entries',
  permission: 'work_data.read',
  params: timeEntryParams,
  responses: { 200: { description: 'The time entry', schema: timeEntrySchema } },
  async handler({ em, auth, params }) {
    return { status: 200, body: await getTimeEntry(em, auth.workspaceId, params.id) };
  },
});
