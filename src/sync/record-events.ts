/**
 * The per-record events a sync's writes emit (`task_added`, `contact_updated`, …), with the
 * sync as their origin — the same events a member's write emits, so subscribers see one feed.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import type { EventType } from '../events/catalog/index.ts';
import { recordEvents, type EventInput } from '../events/record.ts';
import { same } from './conflicts.ts';
import type { LocalRecord } from './local-store.ts';
import { LOCAL_FIELDS, type LocalObject } from './types.ts';

const PREFIX: Record<LocalObject, string> = { tasks: 'task', contacts: 'contact', calendar_events: 'calendar_event' };

export type RecordChange =
  | { kind: 'added'; after: LocalRecord }
  | { kind: 'updated'; before: LocalRecord; after: LocalRecord }
  | { kind: 'deleted'; after: LocalRecord };

export async function recordSyncEvents(tx: EntityManager, object: LocalObject, workspaceId: string, origin: { connectionId: string; syncRuleId: string }, changes: RecordChange[]): Promise<void> {
  const prefix = PREFIX[object];
  const inputs: Array<EventInput<EventType>> = [];
  // Typed per family in the catalog; here the family is chosen at run time, so one cast at this edge.
  const add = (type: string, entityId: string, snapshot: unknown, data: unknown) =>
    inputs.push({ workspaceId, type: type as EventType, entityId, snapshot: snapshot as never, data: data as never });
  for (const c of changes) {
    if (c.kind === 'added') add(`${prefix}_added`, c.after.id, c.after.view, { origin });
    else if (c.kind === 'deleted') add(`${prefix}_deleted`, c.after.id, c.after.view, { origin });
    else {
      const changed = LOCAL_FIELDS[object].filter((f) => !same(c.before.view[f], c.after.view[f]));
      if (!changed.length) continue;
      const previous = Object.fromEntries(changed.map((f) => [f, c.before.view[f]]));
      add(`${prefix}_updated`, c.after.id, c.after.view, { changedFields: changed, previous, origin });
      if (object === 'tasks' && changed.includes('status' as never)) {
        add('task_status_changed', c.after.id, c.after.view, { previousStatus: c.before.view.status, status: c.after.view.status, origin });
      }
    }
  }
  // A page's events go in one batch: one flush, one dispatcher job.
  await recordEvents(tx, inputs);
}
