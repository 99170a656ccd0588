import { deleteTask } from '../../../work/tasks.ts';
import { defineRoute } from '../../route.ts';
import { taskParams } from './schemas.ts';

export default defineRoute({
  method: 'delete',
  path: '/tasks/:id',
  operationId: 'deleteTask',
  summary: 'Delete a task (emits `task_deleted`; listed with `include_deleted=true`)',
  tag: 'Tasks',
  permission: 'work_data.write',
  params: taskParams,
  responses: { 204: { description: 'Deleted' } },
  async handler({ em, auth, params }) {
    await deleteTask(em, { workspaceId: auth.workspaceId, memberId: auth.member.id }, params.id);
    return { status: 204 };
  },
});
