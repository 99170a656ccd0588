import { listTasks, taskView } from '../../../work/tasks.ts';
import { defineRoute } from '../../route.ts';
import { workListOptions, workListQuery, workPage } from '../work-pagination.ts';
import { taskPageSchema } from './schemas.ts';

export default defineRoute({
  method: 'get',
  path: '/tasks',
  operationId: 'listTasks',
  summary: 'Tasks, oldest change first (a change feed with `updated_since`)',
  tag: 'Tasks',
  permission: 'work_data.read',
  query: workListQuery,
  responses: { 200: { description: 'A page of tasks', schema: taskPageSchema } },
  async handler({ em, auth, query }) {
    const o = workListOptions(query);
    return { status: 200, body: workPage(await listTasks(em, auth.workspaceId, o), o.limit, taskView) };
  },
});
