/**
 * Pagination of work data (tasks, contacts, …) as a change feed: oldest change first on
 * (updatedAt, id), so a client (and later the sync engine) walks forward from `updated_since`
 * and resumes from `nextCursor` without missing or repeating rows that do not change meanwhile.
 */
import type { WorkListOptions } from '../../work/common.ts';
import { cursorParam, decodeCursor, encodeCursor, z } from '../schemas.ts';

export const workListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50).openapi({ description: 'Page size (1–200, default 50)' }),
  cursor: cursorParam.optional(),
  updated_since: z.iso
    .datetime({ offset: true, error: 'must be an ISO 8601 date-time, e.g. 2026-11-29T00:00:00Z' })
    .optional()
    .openapi({ description: 'Only rows changed (created, updated or deleted) at or after this time', example: '2026-11-29T00:00:00Z' }),
  include_deleted: z.enum(['true', 'false']).optional().openapi({ description: 'Also list deleted rows (with `deletedAt` set), as a sync needs' }),
});

export function workListOptions(q: z.output<typeof workListQuery>): WorkListOptions {
  const c = decodeCursor(q.cursor);
  return {
    limit: q.limit,
    after: c ? { updatedAt: c.createdAt, id: c.id } : undefined,
    updatedSince: q.updated_since ? new Date(q.updated_since) : undefined,
    includeDeleted: q.include_deleted === 'true',
  };
}

export function workPage<T extends { updatedAt: Date; id: string }, R>(rows: T[], limit: number, map: (row: T) => R) {
  const more = rows.length > limit;
  const items = more ? rows.slice(0, limit) : rows;
  const last = items.at(-1);
  return { data: items.map(map), nextCursor: more && last ? encodeCursor(last.updatedAt, last.id) : null };
}
