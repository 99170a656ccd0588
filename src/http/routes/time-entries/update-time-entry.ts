import { updateTimeEntry } from '../../../work/time-entries.ts';
import { defineRoute } from '../../route.ts';
import { timeEntryParams, timeEntrySchema, updateTimeEntryBody } from './schemas.ts';

export default defineRoute({
  method: 'patch',
  path: '/time-entries/:id',
  operationId: 'updateTimeEntry',
  summary: 'Change some fields of a time entry',
  description:
    'Only the given fields change (`null` clears an optional one). Any change emits `timetracking_updated`, in the same transaction. A request that changes nothing emits nothing.',
  tag: 'Time entries',
  permission: 'work_data.write',
  params: timeEntryParams,
  body: updateTimeEntryBody,
  errors: ['not_found'],
  responses: { 200: { description: 'The time entry after the change', schema: timeEntrySchema } },
  async handler({ em, auth, params, body }) {
    return { status: 200, body: await updateTimeEntry(em, { workspaceId: auth.workspaceId, memberId: auth.member.id }, params.id, body) };
  },
});
