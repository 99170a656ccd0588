import { z } from 'zod';
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

export const taskSourceSchema = z
  .object({
    connectionId: z.uuid().openapi({ example: EX.connectionId }),
    remoteId: z.string().openapi({ example: '1209876543210987' }),
  })
  .openapi('TaskSource', { description: 'The provider item a task was made from (POST /tasks/from-source, chat `schedule`)' });

/** GET /tasks/{id}: the task and, for a task made from a provider item, that item. */
export const taskWithSourceSchema = taskSchema
  .extend({ source: taskSourceSchema.nullable().openapi({ description: 'The provider item this task was made from; null for other tasks' }) })
  .openapi('TaskWithSource', { example: { ...exampleTask, source: { connectionId: EX.connectionId, remoteId: '1209876543210987' } } });
