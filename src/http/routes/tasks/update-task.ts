import { updateTask } from '../../../work/tasks.ts';
import { defineRoute } from '../../route.ts';
import { taskParams, taskSchema, updateTaskBody } from './schemas.ts';

export default defineRoute({
  method: 'patch',
  path: '/tasks/:id',
  operationId: 'updateTask',
  summary: 'Change some fields of a task',
  description:
    'Only the given fields change (`null` clears an optional one). Any change emits `task_updated`; a status change also emits `task_status_changed`, in the same transaction. A request that changes nothing emits nothing.',
  tag: 'Tasks',
  permission: 'work_data.write',
  params: taskParams,
  body: updateTaskBody,
  responses: { 200: { description: 'The task after the change', schema: taskSchema } },
  async handler({ em, auth, params, body }) {
    return { status: 200, body: await updateTask(em, { workspaceId: auth.workspaceId, memberId: auth.member.id }, params.id, body) };
  },
});
