import { createTask } from '../../../work/tasks.ts';
import { defineRoute } from '../../route.ts';
import { createTaskBody, taskSchema } from './schemas.ts';

export default defineRoute({
  method: 'post',
  path: '/tasks',
  operationId: 'createTask',
  summary: 'Create a task (emits `task_added`)',
  tag: 'Tasks',
  permission: 'work_data.write',
  body: createTaskBody,
  responses: { 201: { description: 'Created', schema: taskSchema } },
  async handler({ em, auth, body }) {
    return { status: 201, body: await createTask(em, { workspaceId: auth.workspaceId, memberId: auth.member.id }, body) };
  },
});
