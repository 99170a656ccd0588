/**
 * The Sandbox's two objects, described once: their table, id prefix, columns, request schemas and
 * JSON shape. Everything else (store, router, seed, CLI) is generic over these specs.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';

export const TASK_STATUSES = ['todo', 'in_progress', 'done'] as const;

const text = (max: number) => z.string().max(max).nullable().optional();

/** PostgreSQL has no year 0 (`0000-01-01` would be a 500). */
const day = z.iso.date().refine((d) => !d.startsWith('0000'), { error: 'must be a date from the year 0001' });

const taskFields = {
  name: z.string().trim().min(1).max(500),
  notes: z.string().max(100_000).nullable().optional(),
  status: z.enum(TASK_STATUSES),
  due_on: day.nullable().optional(),
  assignee_email: z.email().max(255).nullable().optional(),
  tags: z.array(z.string().min(1).max(100)).max(50),
  project: text(100),
};
const taskCreate = z.strictObject({ ...taskFields, status: taskFields.status.default('todo'), tags: taskFields.tags.default([]) });
const taskPatch = z.strictObject(taskFields).partial();

const contactFields = {
  first_name: text(255),
  last_name: text(255),
  email: z.email().max(255).nullable().optional(),
  phone_number: text(50),
  company: text(255),
  job_title: text(255),
};
const contactCreate = z
  .strictObject(contactFields)
  .refine((c) => Boolean(c.first_name || c.last_name || c.email), { error: 'a contact needs first_name, last_name or email' });
const contactPatch = z.strictObject(contactFields).partial();

export type ObjectSpec = {
  /** The path and table name. */
  name: 'tasks' | 'contacts';
  /** In webhook event types: `task.updated`. */
  singular: 'task' | 'contact';
  /** Id prefix: `tsk_…`. */
  prefix: 'tsk' | 'con';
  /** Writable columns, in the order the SQL lists them. */
  columns: readonly string[];
  /** Casts for parameters whose JSON form is not the column's (tags: jsonb). */
  casts: Readonly<Record<string, string>>;
  create: z.ZodType<Record<string, unknown>>;
  patch: z.ZodType<Record<string, unknown>>;
};

export const TASKS: ObjectSpec = {
  name: 'tasks',
  singular: 'task',
  prefix: 'tsk',
  columns: ['name', 'notes', 'status', 'due_on', 'assignee_email', 'tags', 'project'],
  casts: { tags: 'jsonb', due_on: 'date' },
  create: taskCreate as z.ZodType<Record<string, unknown>>,
  patch: taskPatch as z.ZodType<Record<string, unknown>>,
};

export const CONTACTS: ObjectSpec = {
  name: 'contacts',
  singular: 'contact',
  prefix: 'con',
  columns: ['first_name', 'last_name', 'email', 'phone_number', 'company', 'job_title'],
  casts: {},
  create: contactCreate as z.ZodType<Record<string, unknown>>,
  patch: contactPatch as z.ZodType<Record<string, unknown>>,
};

export const OBJECTS = { tasks: TASKS, contacts: CONTACTS } as const;
export type ObjectKind = keyof typeof OBJECTS;

export function objectSpec(name: string): ObjectSpec | undefined {
  return name === 'tasks' || name === 'contacts' ? OBJECTS[name] : undefined;
}

/** `tsk_3f9a…`: a prefix and 20 random hex characters. */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(10).toString('hex')}`;
}

/** The select list: columns as JSON wants them (dates as text, timestamps at ms precision). */
export function selectList(spec: ObjectSpec): string {
  const cols = spec.columns.map((c) => (c === 'due_on' ? `to_char(due_on, 'YYYY-MM-DD') as due_on` : `"${c}"`));
  return ['id', ...cols, 'created_at', 'updated_at', 'deleted_at'].join(', ');
}

export type Row = Record<string, unknown> & { id: string; created_at: Date; updated_at: Date; deleted_at: Date | null };

/** A row as the API answers it: the record, or a tombstone `{ id, deleted: true, deleted_at, updated_at }`. */
export function toJson(spec: ObjectSpec, row: Row): Record<string, unknown> {
  if (row.deleted_at) return { id: row.id, deleted: true, deleted_at: row.deleted_at.toISOString(), updated_at: row.updated_at.toISOString() };
  const out: Record<string, unknown> = { id: row.id };
  for (const c of spec.columns) out[c] = row[c] ?? null;
  if ('tags' in out) out.tags = out.tags ?? [];
  return { ...out, created_at: row.created_at.toISOString(), updated_at: row.updated_at.toISOString(), deleted: false };
}

/** The SQL parameter for a column's value (jsonb columns take JSON text). */
export function param(spec: ObjectSpec, column: string, value: unknown): unknown {
  return spec.casts[column] === 'jsonb' ? JSON.stringify(value ?? []) : (value ?? null);
}
