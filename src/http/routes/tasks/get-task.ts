import { getTask } from '../../../work/tasks.ts';
import { defineRoute } from '../../route.ts';
import { taskParams, taskSchema } from './schemas.ts';

export default defineRoute({
  method: 'get',
  path: '/tasks/:id',
  operationId: 'getTask',
  summary: 'One task (404 once deleted)',
  tag: 'Tasks',
  permission: 'work_data.read',
  params: taskParams,
  responses: { 200: { description: 'The task', schema: taskSchema } },
  async handler({ em, auth, params }) {
    return { status: 200, body: await getTask(em, auth.workspaceId, params.id) };
  },
});
