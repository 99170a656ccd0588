/**
 * Set-based reads and writes of Patchbay's own records for the engine: a page of pulled
 * records is one INSERT and one UPDATE (from a JSON recordset), not an ORM flush per row. Values
 * are in the API's representation (what `taskView` & co. produce), so a snapshot, a mapping and
 * an event all speak the same shape.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import type { z } from 'zod';
import { createCalendarEventInput } from '../work/calendar-events.ts';
import { createContactInput } from '../work/contacts.ts';
import { createTaskInput } from '../work/tasks.ts';
import { LOCAL_FIELDS, type LocalObject } from './types.ts';

type SqlType = 'text' | 'date' | 'timestamptz' | 'int' | 'boolean' | 'jsonb';
type Column = { field: string; column: string; sql: SqlType };

const col = (field: string, column: string, sql: SqlType): Column => ({ field, column, sql });

const TABLES: Record<LocalObject, { table: string; columns: Column[]; defaults: Record<string, unknown>; input: z.ZodObject }> = {
  tasks: {
    table: 'tasks',
    columns: [
      col('title', 'title', 'text'),
      col('description', 'description', 'text'),
      col('status', 'status', 'text'),
      col('dueDate', 'due_date', 'date'),
      col('assigneeEmail', 'assignee_email', 'text'),
      col('scheduledMinutes', 'scheduled_minutes', 'int'),
      col('labels', 'labels', 'jsonb'),
    ],
    defaults: { title: 'Untitled', description: null, status: 'open', dueDate: null, assigneeEmail: null, scheduledMinutes: null, labels: [] },
    input: createTaskInput,
  },
  contacts: {
    table: 'contacts',
    columns: [col('name', 'name', 'text'), col('email', 'email', 'text'), col('phone', 'phone', 'text'), col('company', 'company', 'text'), col('title', 'title', 'text')],
    defaults: { name: 'Unnamed', email: null, phone: null, company: null, title: null },
    input: createContactInput,
  },
  calendar_events: {
    table: 'calendar_events',
    columns: [
      col('title', 'title', 'text'),
      col('description', 'description', 'text'),
      col('startAt', 'start_at', 'timestamptz'),
      col('endAt', 'end_at', 'timestamptz'),
      col('allDay', 'all_day', 'boolean'),
      col('timeZone', 'time_zone', 'text'),
      col('location', 'location', 'text'),
      col('attendees', 'attendees', 'jsonb'),
    ],
    defaults: { title: 'Untitled', description: null, allDay: false, timeZone: null, location: null, attendees: [] },
    input: createCalendarEventInput,
  },
};

/** A local record as the engine sees it: the API view plus its clocks. */
export type LocalRecord = {
  id: string;
  /** The API view (the event snapshot shape). */
  view: Record<string, unknown>;
  updatedAt: Date;
  deleted: boolean;
};

export function tableOf(object: LocalObject): string {
  return TABLES[object].table;
}

/** The columns the engine reads, qualified by `alias` where a statement joins another row source. */
function selectList(object: LocalObject, alias = ''): string {
  const q = (c: string) => `${alias ? `${alias}.` : ''}"${c}"`;
  const cols = TABLES[object].columns.map((c) => (c.sql === 'date' ? `${q(c.column)}::text as "${c.column}"` : `${q(c.column)} as "${c.column}"`));
  const common = ['id', 'created_by_id', 'created_at', 'updated_at', 'deleted_at', 'removed_remotely_at'].map((c) => `${q(c)} as "${c}"`);
  return [...common, ...cols].join(', ');
}

const iso = (v: unknown) => (v == null ? null : new Date(v as string | Date).toISOString());

function toRecord(object: LocalObject, row: Record<string, unknown>): LocalRecord {
  const view: Record<string, unknown> = { id: row.id };
  for (const c of TABLES[object].columns) {
    const v = row[c.column];
    view[c.field] = v == null ? (c.sql === 'jsonb' ? [] : null) : c.sql === 'timestamptz' ? iso(v) : v;
  }
  Object.assign(view, {
    createdBy: row.created_by_id ?? null,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
    deletedAt: iso(row.deleted_at),
    removedRemotelyAt: iso(row.removed_remotely_at),
  });
  return { id: row.id as string, view, updatedAt: new Date(row.updated_at as string), deleted: row.deleted_at != null };
}

/** The records with these ids (deleted ones included), by id. */
export async function loadLocal(tx: EntityManager, object: LocalObject, workspaceId: string, ids: string[]): Promise<Map<string, LocalRecord>> {
  if (!ids.length) return new Map();
  const rows = await tx.execute<Array<Record<string, unknown>>>(
    `select ${selectList(object)} from "${tableOf(object)}" where "workspace_id" = ? and "id" = any(?::uuid[])`,
    [workspaceId, `{${ids.join(',')}}`],
  );
  return new Map(rows.map((r) => [r.id as string, toRecord(object, r)]));
}

/**
 * The push's first full scan, a page at a time by id: the workspace's records (deleted ones
 * included) that the rule has not synced since they last changed — no link yet, or written after
 * their link was (a pull writes a record and its link in one transaction, with the same `now()`).
 * A first pull of 100,000 records thus leaves nothing for this scan to look at one by one.
 */
export async function scanUnsynced(tx: EntityManager, object: LocalObject, workspaceId: string, ruleId: string, after: string | null, limit: number): Promise<LocalRecord[]> {
  const rows = await tx.execute<Array<Record<string, unknown>>>(
    `select ${selectList(object, 't')} from "${tableOf(object)}" t
       left join "sync_links" l on l."rule_id" = ? and l."local_id" = t."id"
      where t."workspace_id" = ? and (?::uuid is null or t."id" > ?::uuid)
        and (l."local_id" is null or l."remote_id" is null or (l."remote_deleted_at" is null and t."updated_at" > l."updated_at"))
      order by t."id" limit ?`,
    [ruleId, workspaceId, after, after, limit],
  );
  return rows.map((r) => toRecord(object, r));
}

/**
 * Checks pulled values against the API's own field rules, so a sync cannot store what a member
 * could not: an invalid optional value is dropped (null) with a warning; an invalid required one
 * fails the record.
 */
export function validateValues(object: LocalObject, values: Record<string, unknown>): { values: Record<string, unknown>; problems: string[]; fatal: boolean } {
  const shape = TABLES[object].input.shape as Record<string, z.ZodType>;
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  let fatal = false;
  for (const [field, value] of Object.entries(values)) {
    const schema = shape[field];
    if (!schema) continue;
    const parsed = schema.safeParse(value);
    if (parsed.success) {
      out[field] = parsed.data;
      continue;
    }
    const message = parsed.error.issues[0]?.message ?? 'invalid';
    if (field in TABLES[object].defaults && TABLES[object].defaults[field] === null) {
      out[field] = null;
      problems.push(`${field} ${message}; left empty`);
    } else {
      fatal = true;
      problems.push(`${field} ${message}`);
    }
  }
  return { values: out, problems, fatal };
}

/** Fills the fields a new record needs but the mapping did not give. */
export function withDefaults(object: LocalObject, values: Record<string, unknown>): Record<string, unknown> {
  const full: Record<string, unknown> = { ...TABLES[object].defaults, ...values };
  if (object === 'calendar_events' && full.endAt == null) full.endAt = full.startAt;
  return full;
}

function recordset(object: LocalObject): string {
  return ['"id" uuid', ...TABLES[object].columns.map((c) => `"${c.column}" ${c.sql}`)].join(', ');
}

function jsonRows(object: LocalObject, rows: Array<{ id: string; values: Record<string, unknown> }>): string {
  return JSON.stringify(
    rows.map((r) => {
      const o: Record<string, unknown> = { id: r.id };
      for (const c of TABLES[object].columns) o[c.column] = r.values[c.field] ?? null;
      return o;
    }),
  );
}

/** Inserts new records (one statement); returns them as the API shows them (unless `returning` is false). */
export async function insertLocal(tx: EntityManager, object: LocalObject, workspaceId: string, rows: Array<{ id: string; values: Record<string, unknown> }>, returning = true): Promise<LocalRecord[]> {
  if (!rows.length) return [];
  const cols = TABLES[object].columns.map((c) => `"${c.column}"`).join(', ');
  const inserted = await tx.execute<Array<Record<string, unknown>>>(
    `insert into "${tableOf(object)}" ("id", "workspace_id", ${cols}, "created_at", "updated_at")
     select r."id", ?, ${TABLES[object].columns.map((c) => `r."${c.column}"`).join(', ')}, now(), now()
       from jsonb_to_recordset(?::jsonb) as r(${recordset(object)})
     ${returning ? `returning ${selectList(object)}` : ''}`,
    [workspaceId, jsonRows(object, rows)],
  );
  return returning ? inserted.map((r) => toRecord(object, r)) : [];
}

/** Writes records' full field values (one statement) where they differ; returns the rows it changed. */
export async function updateLocal(tx: EntityManager, object: LocalObject, workspaceId: string, rows: Array<{ id: string; values: Record<string, unknown> }>): Promise<LocalRecord[]> {
  if (!rows.length) return [];
  const t = TABLES[object];
  const set = t.columns.map((c) => `"${c.column}" = r."${c.column}"`).join(', ');
  const changed = t.columns.map((c) => `t."${c.column}" is distinct from r."${c.column}"`).join(' or ');
  const updated = await tx.execute<Array<Record<string, unknown>>>(
    `update "${t.table}" t set ${set}, "updated_at" = now()
       from jsonb_to_recordset(?::jsonb) as r(${recordset(object)})
      where t."id" = r."id" and t."id" = any(?::uuid[]) and t."workspace_id" = ? and t."deleted_at" is null and (${changed})
     returning ${selectList(object, 't')}`,
    // The id list lets the planner probe the primary key; joined on the recordset alone, a table
    // without fresh statistics was scanned once per row (seconds for 100 rows among 100,000).
    [jsonRows(object, rows), `{${rows.map((r) => r.id).join(',')}}`, workspaceId],
  );
  return updated.map((r) => toRecord(object, r));
}

/** Applies a remote delete: `propagate` soft-deletes the records, `mark` flags them removed remotely. */
export async function applyRemoteDeletes(tx: EntityManager, object: LocalObject, workspaceId: string, ids: string[], policy: 'propagate' | 'mark'): Promise<LocalRecord[]> {
  if (!ids.length) return [];
  const set = policy === 'propagate' ? '"deleted_at" = now(), "updated_at" = now()' : '"removed_remotely_at" = now()';
  const guard = policy === 'propagate' ? '"deleted_at" is null' : '"removed_remotely_at" is null and "deleted_at" is null';
  const rows = await tx.execute<Array<Record<string, unknown>>>(
    `update "${tableOf(object)}" set ${set} where "workspace_id" = ? and "id" = any(?::uuid[]) and ${guard} returning ${selectList(object)}`,
    [workspaceId, `{${ids.join(',')}}`],
  );
  return rows.map((r) => toRecord(object, r));
}

/** The fields of a view the mapping deals in. */
export function fieldsOf(object: LocalObject, view: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(LOCAL_FIELDS[object].map((f) => [f, view[f]]));
}
