import { z } from 'zod';
import { fromSourceInput, scheduleFromSource } from '../../../work/task-sources.ts';
import { EX } from '../../examples.ts';
import { defineRoute } from '../../route.ts';
import { timeEntrySchema } from '../time-entries/schemas.ts';
import { taskSchema, taskSourceSchema } from './schemas.ts';

const fromSourceBody = fromSourceInput.extend({}).openapi('CreateTaskFromSource', {
  example: { connectionId: EX.connectionId, remoteId: '1209876543210987', start: '2026-11-30T09:00:00Z', minutes: 90 },
});

const scheduledSchema = z
  .object({
    task: taskSchema,
    timeEntry: timeEntrySchema,
    taskCreated: z.boolean().openapi({ example: true, description: 'Whether this call made the task (the first import, or the earlier linked tasks were done)' }),
    source: taskSourceSchema,
  })
  .openapi('ScheduledFromSource');

export default defineRoute({
  method: 'post',
  path: '/tasks/from-source',
  operationId: 'createTaskFromSource',
  summary: 'Schedule a provider item: its linked open task (or a new one) plus a time entry',
  description:
    "Reads the item through the connection's tasks adapter. No live open task linked to it → a new task linked to it (HourStack's `[1h30m]` title syntax becomes scheduled minutes; emits `task_added`); a linked open task → that task. Either way a time entry is added to it (`timetracking_added`), starting at `start` (default now), lasting `minutes` (default the task's scheduled minutes, else 30). A source item is never linked to two open tasks. `remoteId` takes the item's id or a Sandbox/Asana task link. A paused, errored or disconnected connection is refused (409); a provider without tasks is 422; an item the provider does not have is 404.",
  tag: 'Tasks',
  permission: 'work_data.write',
  body: fromSourceBody,
  errors: ['not_found', 'invalid_transition', 'conflict', 'provider_not_configured', 'provider_auth_failed', 'provider_error', 'rate_limited'],
  responses: { 201: { description: 'The time entry was added (and the task made, when `taskCreated`)', schema: scheduledSchema } },
  async handler({ rt, auth, body }) {
    return { status: 201, body: await scheduleFromSource(rt, { workspaceId: auth.workspaceId, memberId: auth.member.id }, body) };
  },
});
