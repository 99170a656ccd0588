/**
 * Task events, named as awork names them. A PATCH that changes the status emits
 * `task_updated` (the complete change feed, which a sync follows) and, in addition,
 * `task_status_changed` (for those who only care that a task was done or reopened).
 */
import { z } from 'zod';
import { TASK_STATUSES } from '../../entities/task.ts';
import { byType, eventFamily } from './define.ts';
import { originSchema } from './work-origin.ts';

const isoTime = () => z.iso.datetime().describe('ISO 8601 timestamp, UTC');
const status = z.enum(TASK_STATUSES);

/** The public shape of a task (the same as the API's), as it was after the change. */
export const taskSnapshot = z
  .object({
    id: z.uuid(),
    title: z.string(),
    description: z.string().nullable(),
    status,
    dueDate: z.iso.date().nullable().describe('A calendar day, YYYY-MM-DD'),
    assigneeEmail: z.string().nullable(),
    scheduledMinutes: z.number().int().nullable(),
    labels: z.array(z.string()),
    createdBy: z.string().nullable().describe('Id of the member who created it; null when a sync did'),
    createdAt: isoTime(),
    updatedAt: isoTime(),
    deletedAt: isoTime().nullable(),
    removedRemotelyAt: isoTime().nullable().describe('When a sync saw the linked provider record deleted (delete policy `mark`); null otherwise'),
  })
  .describe('Task');
export type TaskSnapshot = z.output<typeof taskSnapshot>;

export const TASK_FIELDS = ['title', 'description', 'status', 'dueDate', 'assigneeEmail', 'scheduledMinutes', 'labels'] as const;
export type TaskField = (typeof TASK_FIELDS)[number];

export const exampleTask = {
  id: '3f6c2a1e-8b4d-4c7e-9f12-5a6b7c8d9e0f',
  title: 'Draft the Q1 launch plan',
  description: 'Outline, owners and dates for the launch.',
  status: 'open',
  dueDate: '2026-12-04',
  assigneeEmail: 'ada@example.com',
  scheduledMinutes: 90,
  labels: ['planning', 'launch'],
  createdBy: '7936d6b8-3345-4770-83c8-2c8c2ed12414',
  createdAt: '2026-11-29T09:12:04.511Z',
  updatedAt: '2026-11-29T09:12:04.511Z',
  deletedAt: null,
  removedRemotelyAt: null,
} satisfies z.input<typeof taskSnapshot>;
const exampleId = exampleTask.id;

const taskEvent = eventFamily('task', taskSnapshot);

export const taskEvents = byType([
  taskEvent('task_added', {
    version: 1,
    description: 'A task was created, by a member or by a sync.',
    data: z.object({ origin: originSchema }),
    example: { entityId: exampleId, snapshot: exampleTask, data: { origin: null } },
  }),
  taskEvent('task_updated', {
    version: 1,
    description: 'A task changed (any field, status included). `changedFields` lists what changed and `previous` holds their old values.',
    data: z.object({
      changedFields: z.array(z.enum(TASK_FIELDS)).min(1),
      previous: taskSnapshot.pick({ title: true, description: true, status: true, dueDate: true, assigneeEmail: true, scheduledMinutes: true, labels: true }).partial(),
      origin: originSchema,
    }),
    example: {
      entityId: exampleId,
      snapshot: { ...exampleTask, title: 'Draft the Q1 launch plan (v2)', updatedAt: '2026-11-29T10:00:00.000Z' },
      data: { changedFields: ['title'], previous: { title: 'Draft the Q1 launch plan' }, origin: null },
    },
  }),
  taskEvent('task_status_changed', {
    version: 1,
    description: 'A task was done or reopened. Sent with `task_updated` in the same transaction.',
    data: z.object({ previousStatus: status, status, origin: originSchema }),
    example: {
      entityId: exampleId,
      snapshot: { ...exampleTask, status: 'done', updatedAt: '2026-11-29T10:00:00.000Z' },
      data: { previousStatus: 'open', status: 'done', origin: null },
    },
  }),
  taskEvent('task_deleted', {
    version: 1,
    description: 'A task was deleted. The snapshot is the task as it was, with `deletedAt` set.',
    data: z.object({ origin: originSchema }),
    example: { entityId: exampleId, snapshot: { ...exampleTask, deletedAt: '2026-11-29T11:00:00.000Z' }, data: { origin: null } },
  }),
]);
