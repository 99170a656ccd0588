import { deleteTimeEntry } from '../../../work/time-entries.ts';
import { defineRoute } from '../../route.ts';
import { timeEntryParams } from './schemas.ts';

export default defineRoute({
  method: 'delete',
  path: '/time-entries/:id',
  operationId: 'deleteTimeEntry',
  summary: 'Delete a time entry (emits `timetracking_deleted`; listed with `include_deleted=true`)',
  tag: 'Time entries',
  permission: 'work_data.write',
  params: timeEntryParams,
  responses: { 204: { description: 'Deleted' } },
  async handler({ em, auth, params }) {
    await deleteTimeEntry(em, { workspaceId: auth.workspaceId, memberId: auth.member.id }, params.id);
    return { status: 204 };
  },
});
