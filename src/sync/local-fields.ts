/** What each local field of a syncable object holds, for mapping (normalization, suggestions, transforms). */
import { TASK_STATUSES } from '../entities/task.ts';
import type { FieldType, LocalObject } from './types.ts';

/** What each local field holds (drives normalization and which transforms fit). */
export const LOCAL_FIELD_TYPES: Record<LocalObject, Record<string, FieldType>> = {
  tasks: { title: 'string', description: 'text', status: 'enum', dueDate: 'date', assigneeEmail: 'email', scheduledMinutes: 'number', labels: 'string_list' },
  contacts: { name: 'string', email: 'email', phone: 'phone', company: 'string', title: 'string' },
  calendar_events: { title: 'string', description: 'text', startAt: 'datetime', endAt: 'datetime', allDay: 'boolean', timeZone: 'timezone', location: 'string', attendees: 'email_list' },
};

/** The values of local enum fields. */
export const LOCAL_ENUM_VALUES: Record<string, readonly string[]> = { 'tasks.status': TASK_STATUSES };
