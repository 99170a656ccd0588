/**
 * Sync events: one `sync_completed` per finished run (a rule's first full import records this
 * one event with its counts instead of one `task_added` per imported record; later incremental
 * runs also emit per-record events), and one `sync_conflict` per field written on both sides
 * within the grace window (recorded together at the end of the run, so alerts batch them).
 */
import { z } from 'zod';
import { LOCAL_OBJECTS, SYNC_DIRECTIONS } from '../../sync/types.ts';
import { byType, eventFamily } from './define.ts';

const isoTime = () => z.iso.datetime().describe('ISO 8601 timestamp, UTC');

/** The public shape of a sync run (the same as GET /api/v1/connections/{id}/sync-runs). */
export const syncRunSnapshot = z
  .object({
    id: z.uuid(),
    connectionId: z.uuid(),
    ruleId: z.uuid().nullable().describe('The rule; null once the rule was deleted'),
    provider: z.string().describe('Provider slug, e.g. `sandbox`'),
    object: z.enum(LOCAL_OBJECTS).describe('The local object the rule syncs'),
    direction: z.enum(SYNC_DIRECTIONS),
    trigger: z.enum(['schedule', 'manual', 'webhook']),
    mode: z.enum(['full', 'incremental']).describe('full: the pull started from no cursor'),
    status: z.enum(['queued', 'running', 'succeeded', 'failed']),
    counts: z.object({
      pulled: z.number().int().describe('Remote records read and applied here'),
      pushed: z.number().int().describe('Local changes written to the provider'),
      merged: z.number().int().describe('Records changed on both sides, in different fields, merged'),
      linked: z.number().int().describe('New links between a local and a remote record'),
      deleted: z.number().int().describe('Deletes applied on either side'),
      conflicts: z.number().int().describe('Fields written on both sides within the grace window'),
      errors: z.number().int().describe('Records that could not be synced (see recordErrors)'),
    }),
    error: z.object({ code: z.string(), message: z.string() }).nullable().describe('Why the run failed; null unless it did'),
    correlationId: z.string(),
    startedAt: isoTime().nullable(),
    finishedAt: isoTime().nullable(),
  })
  .describe('SyncRun');
export type SyncRunSnapshot = z.output<typeof syncRunSnapshot>;

export const exampleSyncRun = {
  id: '9a4e2b7c-1d3f-4a5b-8c6d-7e8f9a0b1c2d',
  connectionId: '4b1f6a0e-2c5d-4e8f-9a7b-3c2d1e0f9a8b',
  ruleId: '2c8d4f6a-9b1e-4c3d-a5f7-1e2d3c4b5a69',
  provider: 'sandbox',
  object: 'tasks',
  direction: 'both',
  trigger: 'manual',
  mode: 'incremental',
  status: 'succeeded',
  counts: { pulled: 12, pushed: 3, merged: 1, linked: 2, deleted: 0, conflicts: 1, errors: 0 },
  error: null,
  correlationId: 'req_4f1c2a9e8b7d',
  startedAt: '2026-11-29T10:00:00.000Z',
  finishedAt: '2026-11-29T10:00:04.210Z',
} satisfies z.input<typeof syncRunSnapshot>;

/** One field written on both sides within the grace window. */
const conflict = z.object({
  object: z.enum(LOCAL_OBJECTS),
  localId: z.uuid().describe('The local record'),
  remoteId: z.string().describe("The provider's record id"),
  name: z.string().nullable().optional().describe("The record's title (tasks, calendar events) or name (contacts) after the run; absent in events recorded before it was added"),
  field: z.string().describe('The local field, e.g. `title`'),
  localValue: z.unknown().describe('The value written here'),
  remoteValue: z.unknown().describe('The value written at the provider'),
  winner: z.enum(['local', 'remote']),
  localChangedAt: isoTime(),
  remoteChangedAt: isoTime(),
});

const exampleConflict = {
  object: 'tasks',
  localId: '3f6c2a1e-8b4d-4c7e-9f12-5a6b7c8d9e0f',
  remoteId: 'T-1042',
  name: 'Draft the Q1 launch plan',
  field: 'title',
  localValue: 'Draft the Q1 plan',
  remoteValue: 'Draft the Q1 launch plan',
  winner: 'remote',
  localChangedAt: '2026-11-29T09:58:10.000Z',
  remoteChangedAt: '2026-11-29T09:59:40.000Z',
} satisfies z.input<typeof conflict>;

/** A run lists at most this many of its conflicts in `sync_completed` (each also has its own `sync_conflict`). */
export const COMPLETED_CONFLICTS_MAX = 20;

const syncEvent = eventFamily('sync_run', syncRunSnapshot);

export const syncEvents = byType([
  syncEvent('sync_completed', {
    version: 1,
    description:
      'A sync run finished (successfully or not; see `status` and `error`). A rule\'s first full import records this one event with its counts instead of one event per imported record; later runs also emit per-record events (`task_added`, `contact_updated`, …).',
    data: z.object({
      initialImport: z.boolean().describe('This run was the rule\'s first full import'),
      conflicts: z.array(conflict).max(COMPLETED_CONFLICTS_MAX).default([]).describe(`The run's conflicts (the first ${COMPLETED_CONFLICTS_MAX}; counts.conflicts has them all)`),
    }),
    example: { entityId: exampleSyncRun.id, snapshot: exampleSyncRun, data: { initialImport: false, conflicts: [exampleConflict] } },
  }),
  syncEvent('sync_conflict', {
    version: 1,
    description:
      'One field was changed on both sides within the 5-minute grace window; the later write won (last write wins) and the other value was overwritten. Recorded at the end of the run, all of a run\'s conflicts together.',
    data: conflict,
    example: { entityId: exampleSyncRun.id, snapshot: exampleSyncRun, data: exampleConflict },
  }),
]);
