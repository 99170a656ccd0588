/**
 * The contract between the sync engine and a provider's object adapters
 * (`src/providers/<slug>/adapters/<object>.ts`). The engine knows nothing about any provider: it
 * pulls pages of changed records, maps fields, decides conflicts and pushes local changes through
 * these calls, always inside a provider session (`ctx`), never with its own HTTP client.
 */
import { z } from 'zod';
import { CALENDAR_EVENT_FIELDS } from '../events/catalog/calendar-event.ts';
import { CONTACT_FIELDS } from '../events/catalog/contact.ts';
import { TASK_FIELDS } from '../events/catalog/task.ts';
import type { ConnectorContext, ObjectName } from '../providers/types.ts';

/** Patchbay's own objects a rule can sync (the API's path names). */
export const LOCAL_OBJECTS = ['tasks', 'contacts', 'calendar_events'] as const;
export type LocalObject = (typeof LOCAL_OBJECTS)[number];

/** The fields of each local object a mapping may name, in the API's (camelCase) spelling. */
export const LOCAL_FIELDS = {
  tasks: TASK_FIELDS,
  contacts: CONTACT_FIELDS,
  calendar_events: CALENDAR_EVENT_FIELDS,
} as const satisfies Record<LocalObject, readonly string[]>;
export type LocalField<O extends LocalObject = LocalObject> = (typeof LOCAL_FIELDS)[O][number];

/** The local fields a record cannot be created without (a rule must map them inbound). */
export const REQUIRED_LOCAL_FIELDS: Record<LocalObject, readonly string[]> = {
  tasks: ['title'],
  contacts: ['name'],
  calendar_events: ['title', 'startAt', 'endAt'],
};

export const SYNC_DIRECTIONS = ['in', 'out', 'both'] as const;
export type SyncDirection = (typeof SYNC_DIRECTIONS)[number];

/** What a field holds, so suggestions can pair by type and transforms know what to convert. */
export const FIELD_TYPES = ['string', 'text', 'rich_text', 'email', 'phone', 'date', 'datetime', 'number', 'boolean', 'enum', 'string_list', 'email_list', 'timezone'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

/** A field of a provider's object as the adapter reads and writes it. */
export type RemoteField = {
  name: string;
  type: FieldType;
  label?: string;
  /** The provider refuses a create without it. */
  required?: boolean;
  /** Computed by the provider: never pushed. */
  readOnly?: boolean;
  /** For `enum` fields: the values the provider accepts. */
  values?: readonly string[];
};

/** One record of a provider's feed. `fields` holds the remote field names and raw values. */
export type RemoteRecord = {
  id: string;
  /** The provider's modification time (ISO 8601): the cursor's position and the conflict clock. */
  updatedAt: string;
  /** A tombstone: the record was deleted at the provider. */
  deleted?: boolean;
  fields: Record<string, unknown>;
};

/** A rule's scope filter (e.g. `{ project: "123" }`), as the adapter's `scope` declares it. */
export type SyncScope = Record<string, string>;

export type PullRequest = {
  /** The cursor the adapter returned last time; null for a full pull from the beginning. */
  cursor: unknown;
  scope: SyncScope;
  /** How many records the engine wants per page (an adapter may return fewer). */
  pageSize: number;
};

export type PullPage = {
  records: RemoteRecord[];
  /** The cursor to store once this page is committed; the next pull starts from it. */
  cursor: unknown;
  /** More pages are waiting now (false: the feed is drained until something changes). */
  hasMore: boolean;
};

export type CreateOptions = {
  /**
   * Unique per create intent, the same on every retry. An adapter sends it as the provider's
   * idempotency key, or stores it as a marker `findByMarker` can look up.
   */
  idempotencyKey: string;
  scope: SyncScope;
};

/** One provider object the engine can sync, with its calls and its mapping knowledge. */
export type ObjectAdapter = {
  /** The provider object (as in the provider definition's `objects`). */
  remoteObject: ObjectName;
  /** The local object it pairs with. */
  localObject: LocalObject;
  fields: readonly RemoteField[];
  /** Known remote → local field names beyond the normalized-name match (`due_on` → `dueDate`). */
  aliases: Readonly<Record<string, string>>;
  /** The scope filter this object takes (a project, a list, a calendar); absent when it has none. */
  scope?: { key: string; label: string; required: boolean };
  /**
   * Whether the change feed reports deletes (tombstones). When false the engine runs a periodic
   * full reconciliation (mark-and-sweep) to find records that disappeared.
   */
  reportsDeletes: boolean;
  /**
   * With `reportsDeletes`: a full pull lists every record in the scope, so the engine sweeps after
   * it as it does for feeds without deletes. A full pull that follows an expired cursor
   * (`sync_cursor_expired`) needs this: what was deleted while the cursor was dead is in no feed.
   * Leave unset when a full pull is windowed (e.g. Google Calendar's `timeMin`): older records
   * would read as deleted.
   */
  fullPullListsAll?: boolean;
  /**
   * Records changed since `cursor`, oldest first, one page. A cursor the provider no longer
   * accepts throws `sync_cursor_expired` (the engine then starts a full pull).
   */
  listChanged(ctx: ConnectorContext, req: PullRequest): Promise<PullPage>;
  get(ctx: ConnectorContext, id: string, scope: SyncScope): Promise<RemoteRecord | null>;
  create(ctx: ConnectorContext, fields: Record<string, unknown>, opts: CreateOptions): Promise<RemoteRecord>;
  /** The record an earlier create with this key made, for providers without idempotency keys. */
  findByMarker?(ctx: ConnectorContext, idempotencyKey: string, scope: SyncScope): Promise<RemoteRecord | null>;
  update(ctx: ConnectorContext, id: string, fields: Record<string, unknown>, scope: SyncScope): Promise<RemoteRecord>;
  delete(ctx: ConnectorContext, id: string, scope: SyncScope): Promise<void>;
};

/** How a field's value changes on its way in or out when the two sides hold it differently. */
export const TRANSFORMS = [
  /** HourStack's title syntax: `[1h30m]` in the remote title ↔ scheduled minutes. */
  'title_minutes',
  /** Remote first name + last name ↔ local full name (remote is two field names). */
  'name_parts',
  /** Remote HTML or Markdown ↔ local plain text. */
  'rich_text',
  /** Remote date-time ↔ local calendar day. */
  'datetime_to_date',
  /** Remote delimited string (`a;b`) ↔ local list. */
  'split_list',
  /** Remote enum ↔ local status, through `values`. */
  'enum_map',
] as const;
export type TransformName = (typeof TRANSFORMS)[number];

export const mappingEntrySchema = z.strictObject({
  local: z.string().min(1).describe('The local field (camelCase, as the API spells it)'),
  remote: z
    .union([z.string().min(1), z.array(z.string().min(1)).min(2).max(3)])
    .describe('The provider field, or several for a transform that combines them (name_parts)'),
  direction: z.enum(SYNC_DIRECTIONS).default('both').describe('Which way this field flows'),
  transform: z.enum(TRANSFORMS).optional().describe('How the value is converted between the two sides'),
  /** For `enum_map`: local value → remote value. */
  values: z.record(z.string(), z.string()).optional().describe('For enum_map: local value → provider value'),
});
export type MappingEntry = z.output<typeof mappingEntrySchema>;
