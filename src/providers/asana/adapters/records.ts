/**
 * Asana tasks as the sync engine sees them: the documented task shape (only the properties the
 * mapping needs, asked for with `opt_fields`), its flattening into a `RemoteRecord`, and the
 * `{ data: … }` body of a create or update.
 *
 * https://developers.asana.com/reference/gettasks, /reference/createtask, /reference/updatetask
 */
import { z } from 'zod';
import { AppError } from '../../../errors.ts';
import type { RemoteField, RemoteRecord } from '../../../sync/types.ts';

/**
 * Exactly what the mapping reads (each name is in the operations' `opt_fields` enum: a
 * validating server refuses others). `assignee` gives the user's gid only — `assignee.email` is
 * not in the enum — so emails are read from GET /users/{gid} (see `users.ts`).
 */
export const TASK_OPT_FIELDS = ['name', 'notes', 'completed', 'due_on', 'assignee', 'tags.name', 'created_at', 'modified_at'].join(',');

/** The fields a rule can map (flattened names; `assignee_email` is written as Asana's `assignee`). */
export const TASK_FIELDS: readonly RemoteField[] = [
  { name: 'name', type: 'string', label: 'Name', required: true },
  { name: 'notes', type: 'text', label: 'Notes' },
  { name: 'completed', type: 'boolean', label: 'Completed' },
  { name: 'due_on', type: 'date', label: 'Due on' },
  { name: 'assignee_email', type: 'email', label: 'Assignee email' },
  // Tags are set by gid, and only with addTag/removeTag after the create: read here, never written.
  { name: 'tags', type: 'string_list', label: 'Tags', readOnly: true },
  { name: 'created_at', type: 'datetime', label: 'Created at', readOnly: true },
];

export const TASK_ALIASES = { name: 'title', notes: 'description', due_on: 'dueDate', completed: 'status', assignee_email: 'assigneeEmail', tags: 'labels' } as const;

/**
 * A task as GET /tasks, GET/PUT /tasks/{gid} and POST /tasks answer with our `opt_fields`. The
 * description marks every property optional — `data` and `gid` included, though Asana always
 * sends them — so the schemas do too, and `requireGid` refuses a task without one. Unknown
 * properties are kept out of the record.
 */
export const taskSchema = z.object({
  gid: z.string().optional(),
  name: z.string().optional(),
  notes: z.string().nullish(),
  completed: z.boolean().optional(),
  due_on: z.string().nullish(),
  assignee: z.object({ gid: z.string().optional() }).loose().nullish(),
  tags: z.array(z.object({ name: z.string().nullish() }).loose()).optional(),
  created_at: z.string().optional(),
  modified_at: z.string().optional(),
});
export type AsanaTask = z.output<typeof taskSchema> & { gid: string };

/** The task, or a provider_error when Asana answered without its gid (nothing could be linked to it). */
export function requireGid(t: z.output<typeof taskSchema> | undefined, what: string): AsanaTask {
  if (t?.gid) return t as AsanaTask;
  throw new AppError('provider_error', `Asana answered ${what} with a task without a gid`, { details: { provider: 'asana' } });
}

export const taskEnvelope = z.object({ data: taskSchema.optional() });
export const taskPage = z.object({
  data: z.array(taskSchema).optional(),
  next_page: z.object({ offset: z.string().optional() }).loose().nullish(),
});

/**
 * GET /events (https://developers.asana.com/reference/getevents): `{ data: EventResponse[], sync,
 * has_more }`; a missing or expired token answers 412 `{ errors, sync }` with a fresh token. Every
 * property is optional in the description, so here too; only what the tombstones need is read.
 */
const eventRef = z.object({ gid: z.string().optional(), resource_type: z.string().optional() }).loose().nullish();
export const eventSchema = z.object({ action: z.string().optional(), created_at: z.string().optional(), resource: eventRef, parent: eventRef });
export const eventsPage = z.object({ data: z.array(eventSchema).optional(), sync: z.string().optional(), has_more: z.boolean().optional() });
export const eventsExpired = z.object({ sync: z.string().optional() });

/** The record of a task; `emails` maps assignee gids to their email (null when not visible). */
export function toRecord(t: AsanaTask, emails: ReadonlyMap<string, string | null>): RemoteRecord {
  const fields: Record<string, unknown> = {};
  if (t.name !== undefined) fields.name = t.name;
  if (t.notes !== undefined) fields.notes = t.notes ?? '';
  if (t.completed !== undefined) fields.completed = t.completed;
  if (t.due_on !== undefined) fields.due_on = t.due_on;
  if (t.assignee !== undefined) fields.assignee_email = t.assignee?.gid ? (emails.get(t.assignee.gid) ?? null) : null;
  if (t.tags !== undefined) fields.tags = t.tags.flatMap((g) => (g.name ? [g.name] : []));
  if (t.created_at !== undefined) fields.created_at = t.created_at;
  // modified_at is always asked for; created_at (then now) only covers a task without it.
  const updatedAt = t.modified_at ?? t.created_at ?? new Date().toISOString();
  return { id: t.gid, updatedAt, fields };
}

/**
 * A mapped record's fields as Asana's task request: read-only fields dropped, `assignee_email`
 * sent as `assignee` (which takes an email, a gid or "me"; null unassigns).
 */
export function toTaskRequest(fields: Record<string, unknown>): Record<string, unknown> {
  const writable = new Set(TASK_FIELDS.filter((f) => !f.readOnly).map((f) => f.name));
  const data: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) {
    if (!writable.has(k) || v === undefined) continue;
    if (k === 'assignee_email') data.assignee = v === null || v === '' ? null : String(v);
    // Asana's notes are a plain string, never null: clearing them is the empty string.
    else if (k === 'notes') data.notes = v === null ? '' : String(v);
    else if (k === 'completed') data.completed = v === true || v === 'true';
    else data[k] = v;
  }
  return data;
}
