import { exampleTimeEntry, timeEntrySnapshot } from '../../../events/catalog/time-entry.ts';
import { createTimeEntryInput, updateTimeEntryInput } from '../../../work/time-entries.ts';
import { idParamsOf, page } from '../../schemas.ts';
import { EX } from '../../examples.ts';

// The API's time entry is the event snapshot: one public shape for the API and webhooks alike.
// `.extend({})` makes a copy after zod is extended for OpenAPI (these schemas may be built before).
export const timeEntrySchema = timeEntrySnapshot.extend({}).openapi('TimeEntry', { example: exampleTimeEntry });
export const timeEntryPageSchema = page(timeEntrySchema);
export const timeEntryParams = idParamsOf(EX.timeEntryId);

export const createTimeEntryBody = createTimeEntryInput.extend({}).openapi('CreateTimeEntry', {
  example: { taskId: EX.taskId, startAt: '2026-11-29T09:30:00+01:00', minutes: 45, note: 'First outline' },
});
export const updateTimeEntryBody = updateTimeEntryInput.extend({}).openapi('UpdateTimeEntry', { example: { minutes: 60 } });
