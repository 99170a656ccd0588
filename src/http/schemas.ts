/** Schemas shared by several endpoints: the error shape, pagination, ids. */
import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { AppError } from '../errors.ts';

extendZodWithOpenApi(z);

export const errorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'validation_failed' }),
      message: z.string(),
      details: z.unknown(),
      correlationId: z.string(),
    }),
  })
  .openapi('Error');

export const uuidParam = z.uuid({ error: 'must be a UUID' });

export const idParams = z.object({ id: uuidParam });

export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50).openapi({ description: 'Page size (1–200, default 50)' }),
  cursor: z.string().max(200).optional().openapi({ description: 'The `nextCursor` of the previous page' }),
});

export const page = <T extends z.ZodType>(item: T) =>
  z.object({ data: z.array(item), nextCursor: z.string().nullable() });

type Cursor = { t: string; id: string };

export function encodeCursor(createdAt: Date, id: string): string {
  return Buffer.from(JSON.stringify({ t: createdAt.toISOString(), id } satisfies Cursor)).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): { createdAt: Date; id: string } | undefined {
  if (!cursor) return undefined;
  try {
    const c = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Cursor;
    const createdAt = new Date(c.t);
    if (typeof c.id !== 'string' || Number.isNaN(createdAt.getTime())) throw new Error('bad cursor');
    return { createdAt, id: c.id };
  } catch {
    throw new AppError('validation_failed', 'The cursor is not valid; pass the nextCursor of a previous page.', {
      details: [{ location: 'query', path: 'cursor', message: 'invalid cursor' }],
    });
  }
}

/**
 * Keyset pagination newest-first on (createdAt, id): stable while rows are added.
 * Returns the MikroORM where-clause fragment for rows after the cursor.
 */
export function afterCursor(cursor: string | undefined): Record<string, unknown> {
  const c = decodeCursor(cursor);
  if (!c) return {};
  return { $or: [{ createdAt: { $lt: c.createdAt } }, { createdAt: c.createdAt, id: { $lt: c.id } }] };
}

export function pageOf<T extends { createdAt: Date; id: string }, R>(rows: T[], limit: number, map: (row: T) => R) {
  const more = rows.length > limit;
  const items = more ? rows.slice(0, limit) : rows;
  const last = items.at(-1);
  return { data: items.map(map), nextCursor: more && last ? encodeCursor(last.createdAt, last.id) : null };
}

export { z };
