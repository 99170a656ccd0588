/**
 * Time entries. The types keep awork's `timetracking_*` names (what its users and webhooks know);
 * the entity type is Patchbay's own name for the object, `time_entry`.
 */
import { z } from 'zod';
import { byType, eventFamily } from './define.ts';
import { originSchema } from './work-origin.ts';

const isoTime = () => z.iso.datetime().describe('ISO 8601 timestamp, UTC');

/** The public shape of a time entry (the same as the API's), as it was after the change. */
export const timeEntrySnapshot = z
  .object({
    id: z.uuid(),
    taskId: z.uuid(),
    memberId: z.uuid().nullable().describe('The member who tracked it; null when only an email is known'),
    assigneeEmail: z.string().nullable().describe('Who tracked it, when they are not a member (e.g. synced from a provider)'),
    startAt: isoTime(),
    minutes: z.number().int(),
    note: z.string().nullable(),
    createdBy: z.string().nullable().describe('Id of the member who created it; null when a sync did'),
    createdAt: isoTime(),
    updatedAt: isoTime(),
    deletedAt: isoTime().nullable(),
  })
  .describe('TimeEntry');
export type TimeEntrySnapshot = z.output<typeof timeEntrySnapshot>;

export const TIME_ENTRY_FIELDS = ['taskId', 'memberId', 'assigneeEmail', 'startAt', 'minutes', 'note'] as const;
export type TimeEntryField = (typeof TIME_ENTRY_FIELDS)[number];

export const exampleTimeEntry = {
  id: '6e7f8a9b-0c1d-4e2f-a3b4-c5d6e7f8a9b0',
  taskId: '3f6c2a1e-8b4d-4c7e-9f12-5a6b7c8d9e0f',
  memberId: '7936d6b8-3345-4770-83c8-2c8c2ed12414',
  assigneeEmail: null,
  startAt: '2026-11-29T08:30:00.000Z',
  minutes: 45,
  note: 'First outline',
  createdBy: '7936d6b8-3345-4770-83c8-2c8c2ed12414',
  createdAt: '2026-11-29T09:12:04.511Z',
  updatedAt: '2026-11-29T09:12:04.511Z',
  deletedAt: null,
} satisfies z.input<typeof timeEntrySnapshot>;
const exampleId = exampleTimeEntry.id;

const timeEntryEvent = eventFamily('time_entry', timeEntrySnapshot);

export const timeEntryEvents = byType([
  timeEntryEvent('timetracking_added', {
    version: 1,
    description: 'Time was tracked on a task, by a member or by a sync.',
    data: z.object({ origin: originSchema }),
    example: { entityId: exampleId, snapshot: exampleTimeEntry, data: { origin: null } },
  }),
  timeEntryEvent('timetracking_updated', {
    version: 1,
    description: 'A time entry changed. `changedFields` lists what changed and `previous` holds their old values.',
    data: z.object({
      changedFields: z.array(z.enum(TIME_ENTRY_FIELDS)).min(1),
      previous: timeEntrySnapshot.pick({ taskId: true, memberId: true, assigneeEmail: true, startAt: true, minutes: true, note: true }).partial(),
      origin: originSchema,
    }),
    example: {
      entityId: exampleId,
      snapshot: { ...exampleTimeEntry, minutes: 60, updatedAt: '2026-11-29T10:00:00.000Z' },
      data: { changedFields: ['minutes'], previous: { minutes: 45 }, origin: null },
    },
  }),
  timeEntryEvent('timetracking_deleted', {
    version: 1,
    description: 'A time entry was deleted. The snapshot is the entry as it was, with `deletedAt` set.',
    data: z.object({ origin: originSchema }),
    example: { entityId: exampleId, snapshot: { ...exampleTimeEntry, deletedAt: '2026-11-29T11:00:00.000Z' }, data: { origin: null } },
  }),
]);
