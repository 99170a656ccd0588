import { createTimeEntry } from '../../../work/time-entries.ts';
import { defineRoute } from '../../route.ts';
import { createTimeEntryBody, timeEntrySchema } from './schemas.ts';

export default defineRoute({
  method: 'post',
  path: '/time-entries',
  operationId: 'createTimeEntry',
  summary: 'Create a time entry (emits `timetracking_added`)',
  tag: 'Time entries',
  permission: 'work_data.write',
  description: 'Whose time it is: `memberId` (a member of the workspace) or `assigneeEmail` (someone known only by email); with neither, it is the caller’s own. An unknown or deleted task is a 404.',
  body: createTimeEntryBody,
  errors: ['not_found'],
  responses: { 201: { description: 'Created', schema: timeEntrySchema } },
  async handler({ em, auth, body }) {
    return { status: 201, body: await createTimeEntry(em, { workspaceId: auth.workspaceId, memberId: auth.member.id }, body) };
  },
});
