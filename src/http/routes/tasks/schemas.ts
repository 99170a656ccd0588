import { exampleTask, taskSnapshot } from '../../../events/catalog/task.ts';
import { createTaskInput, updateTaskInput } from '../../../work/tasks.ts';
import { idParamsOf, page } from '../../schemas.ts';
import { EX } from '../../examples.ts';

// The API's task is the event snapshot: one public shape for the API and webhooks alike.
// `.extend({})` makes a copy after zod is extended for OpenAPI (these schemas may be built before).
export const taskSchema = taskSnapshot.extend({}).openapi('Task', { example: exampleTask });
export const taskPageSchema = page(taskSchema);
export const taskParams = idParamsOf(EX.taskId);

export const createTaskBody = createTaskInput.extend({}).openapi('CreateTask', {
  example: { title: 'Draft the Q1 launch plan', description: 'Outline, owners and dates for the launch.', dueDate: '2026-12-04', assigneeEmail: 'ada@example.com', scheduledMinutes: 90, labels: ['planning', 'launch'] },
});
export const updateTaskBody = updateTaskInput.extend({}).openapi('UpdateTask', { example: { status: 'done', labels: ['planning'] } });
