/** Sandbox tasks ↔ Patchbay tasks. The name may carry HourStack's `[1h30m]`: the Sandbox keeps it as text. */
import { sandboxAdapter } from './feed.ts';

export const tasksAdapter = sandboxAdapter({
  remoteObject: 'tasks',
  localObject: 'tasks',
  path: '/tasks',
  fields: [
    { name: 'name', type: 'string', label: 'Name', required: true },
    { name: 'notes', type: 'rich_text', label: 'Notes (HTML)' },
    { name: 'status', type: 'enum', label: 'Status', values: ['todo', 'in_progress', 'done'] },
    { name: 'due_on', type: 'date', label: 'Due on' },
    { name: 'assignee_email', type: 'email', label: 'Assignee email' },
    { name: 'tags', type: 'string_list', label: 'Tags' },
    { name: 'project', type: 'string', label: 'Project' },
    { name: 'created_at', type: 'datetime', label: 'Created at', readOnly: true },
  ],
  aliases: { name: 'title', notes: 'description', due_on: 'dueDate', assignee_email: 'assigneeEmail', tags: 'labels' },
  scope: { key: 'project', label: 'Project', required: false },
});
