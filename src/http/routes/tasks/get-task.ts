import { getTaskWithSource } from '../../../work/task-sources.ts';
import { defineRoute } from '../../route.ts';
import { taskParams, taskWithSourceSchema } from './schemas.ts';

export default defineRoute({
  method: 'get',
  path: '/tasks/:id',
  operationId: 'getTask',
  summary: 'One task (404 once deleted), with the provider item it was made from (`source`)',
  tag: 'Tasks',
  permission: 'work_data.read',
  params: taskParams,
  responses: { 200: { description: 'The task', schema: taskWithSourceSchema } },
  async handler({ em, auth, params }) {
    return { status: 200, body: await getTaskWithSource(em, auth.workspaceId, params.id) };
  },
});
