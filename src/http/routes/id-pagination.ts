/** Pagination for append-only tables with increasing bigint ids (logs, audit, events): newest first. */
import { z } from '../schemas.ts';

export const idCursorQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  // Bounded so a forged cursor is a 400 here, not a bigint out-of-range error in PostgreSQL.
  cursor: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional().openapi({ description: 'The `nextCursor` of the previous page', example: 1042 }),
});

/** A page of an append-only table: the items, and the cursor of the next page (null on the last). */
export const idPageSchema = <T extends z.ZodType>(item: T) =>
  z.object({ data: z.array(item), nextCursor: z.string().nullable().openapi({ description: 'Pass as `cursor` for the next page; null on the last page', example: '1042' }) });

export function idPage<T extends { id: number }, R>(rows: T[], limit: number, map: (row: T) => R) {
  const more = rows.length > limit;
  const items = more ? rows.slice(0, limit) : rows;
  return { data: items.map(map), nextCursor: more ? String(items.at(-1)!.id) : null };
}
