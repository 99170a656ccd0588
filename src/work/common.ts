/**
 * What every work-data object shares: field rules (emails, labels, minutes), who is writing, the
 * change feed's keyset (oldest change first, so a sync can walk forward from `updated_since`),
 * and the diff that decides whether an update changed anything at all.
 */
import { z } from 'zod';
import type { WorkOrigin } from '../events/catalog/work-origin.ts';

export const emailSchema = z.email({ error: 'must be an email address' }).max(254);
export const minutesSchema = z.number({ error: 'must be a whole number of minutes' }).int({ error: 'must be a whole number of minutes' }).min(0, { error: 'must be 0 or more' }).max(1_000_000);
export const labelsSchema = z
  .array(z.string().trim().min(1, { error: 'must not be empty' }).max(100, { error: 'must be at most 100 characters' }))
  .max(50, { error: 'at most 50 labels' });
export const isoDateTime = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time, e.g. 2026-12-04T09:00:00Z' });
export const isoDate = z.iso.date({ error: 'must be an ISO 8601 date, YYYY-MM-DD' });

/** Who writes: the workspace, the member (null for a sync), and the sync behind it if any. */
export type WorkWriter = { workspaceId: string; memberId: string | null; origin?: WorkOrigin };

/** One page of a work-data list: oldest change first, after a keyset position. */
export type WorkListOptions = {
  limit: number;
  after?: { updatedAt: Date; id: string };
  updatedSince?: Date;
  includeDeleted: boolean;
};

/** The MikroORM where clause and order for a work-data list. */
export function listWhere(workspaceId: string, o: WorkListOptions): Record<string, unknown> {
  const where: Record<string, unknown> = { workspace: workspaceId };
  if (!o.includeDeleted) where.deletedAt = null;
  const and: Record<string, unknown>[] = [];
  if (o.updatedSince) and.push({ updatedAt: { $gte: o.updatedSince } });
  if (o.after) and.push({ $or: [{ updatedAt: { $gt: o.after.updatedAt } }, { updatedAt: o.after.updatedAt, id: { $gt: o.after.id } }] });
  if (and.length) where.$and = and;
  return where;
}
export const LIST_ORDER = { updatedAt: 'asc', id: 'asc' } as const;

const same = (a: unknown, b: unknown) => a === b || JSON.stringify(a) === JSON.stringify(b);

/**
 * The fields of `patch` whose value differs from `current` (arrays compared by value), with their
 * previous values. An empty list means the update changes nothing and must emit nothing.
 */
export function diff<T extends object, F extends keyof T>(current: T, patch: Partial<Pick<T, F>>, fields: readonly F[]) {
  const changed: F[] = [];
  const previous: Partial<Pick<T, F>> = {};
  for (const f of fields) {
    if (patch[f] === undefined || same(current[f], patch[f])) continue;
    changed.push(f);
    previous[f] = current[f];
  }
  return { changed, previous };
}

/** A `date` column as `YYYY-MM-DD`, whichever way the driver hands it over. */
export function dayOf(value: string | Date | null | undefined): string | null {
  if (value == null) return null;
  return typeof value === 'string' ? value.slice(0, 10) : value.toISOString().slice(0, 10);
}
